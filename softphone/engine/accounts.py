"""SIP accounts: registration with digest auth over UDP, TCP or TLS, SRTP, STUN and ICE.

Each account is a pjsua2 Account whose registration state is published as an
:class:`AccountState`. Failed registrations are retried with a growing delay, except
for answers that retrying cannot fix (wrong password, unknown user).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pjsua2 as pj

from softphone.engine.errors import EngineError
from softphone.engine.pjcall import guarded
from softphone.engine.sipmsg import HEADER_LIMIT
from softphone.engine.timers import TimerHandle
from softphone.engine.transport import error_text
from softphone.engine.wire import wire_text
from softphone.model.account import (
    AccountSettings,
    AccountState,
    RegistrationState,
    SrtpMode,
    Transport,
    account_uri,
)

if TYPE_CHECKING:
    from softphone.engine.engine import Engine

_log = logging.getLogger(__name__)

# Retrying does not fix these: a wrong password, a forbidden or unknown user. Retrying them
# can also get an account locked by a PBX's intrusion protection.
NO_RETRY_CODES = frozenset({401, 403, 404, 407})
FIRST_RETRY_S = 5.0
MAX_RETRY_S = 300.0

_SRTP = {
    SrtpMode.OFF: pj.PJMEDIA_SRTP_DISABLED,
    SrtpMode.OPTIONAL: pj.PJMEDIA_SRTP_OPTIONAL,
    SrtpMode.MANDATORY: pj.PJMEDIA_SRTP_MANDATORY,
}


def registrar_uri(settings: AccountSettings) -> str:
    """The registrar to use: given, or the domain; empty when the account must not register."""
    registrar = settings.registrar.strip()
    if registrar.lower() == "none":
        return ""
    if not registrar:
        registrar = f"sip:{settings.domain}"
    if settings.transport is not Transport.UDP and "transport=" not in registrar:
        registrar += f";transport={settings.transport.value}"
    return registrar


class SipAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, registry: AccountRegistry, settings: AccountSettings) -> None:
        super().__init__()
        self._registry = weakref.ref(registry)
        self.settings = settings
        self.state = AccountState(
            name=settings.name,
            uri=account_uri(settings),
            registration=RegistrationState.REGISTERING
            if registrar_uri(settings)
            else RegistrationState.LOCAL,
        )
        self.failures = 0
        self.retry: TimerHandle | None = None
        self.attempt = 1  # registerOnAdd is the first
        self.reported_attempt = 0

    def onRegStarted(self, prm: pj.OnRegStartedParam) -> None:
        registry = self._registry()
        if registry is not None and prm.renew:
            guarded(registry.changed, self, RegistrationState.REGISTERING, None, None, None)

    def onRegState(self, prm: pj.OnRegStateParam) -> None:
        registry = self._registry()
        if registry is not None:
            reason = wire_text(prm.reason, HEADER_LIMIT)
            guarded(registry.on_reg_state, self, prm.code, reason, prm.expiration, prm.status)

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        registry = self._registry()
        if registry is not None:
            guarded(registry.engine.on_incoming, prm, self)


class AccountRegistry:
    """The engine's configured accounts, by name."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._accounts: dict[str, SipAccount] = {}
        self._transports: dict[tuple[str, str, bool], int] = {}
        self._listeners: list[Callable[[AccountState], None]] = []
        self.first_retry_s = FIRST_RETRY_S

    # -- set-up ------------------------------------------------------------------------------

    def add(self, settings: AccountSettings, password: str | None) -> AccountState:
        if settings.name in self._accounts:
            raise EngineError(f"an account named {settings.name!r} is already active")
        config = self._config(settings, password)
        account = SipAccount(self, settings)
        self._accounts[settings.name] = account
        # Published before create(): pjsua may report the first result during create().
        self._publish(account)
        try:
            account.create(config, False)
        except pj.Error as exc:
            del self._accounts[settings.name]
            raise EngineError(
                f"account {settings.name!r} cannot be used: {error_text(exc)}"
            ) from None
        return account.state

    def _config(self, settings: AccountSettings, password: str | None) -> pj.AccountConfig:
        config = pj.AccountConfig()
        display = settings.display_name.replace('"', "")
        uri = account_uri(settings)
        config.idUri = f'"{display}" <{uri}>' if display else uri
        registrar = registrar_uri(settings)
        config.regConfig.registrarUri = registrar
        config.regConfig.timeoutSec = settings.reg_expiry_s
        # Our own backoff replaces pjsua's fixed-interval retries (see on_reg_state).
        config.regConfig.retryIntervalSec = 0
        config.regConfig.registerOnAdd = bool(registrar)
        config.sipConfig.transportId = self.transport_for(settings)
        proxy = settings.outbound_proxy.strip()
        if not proxy and settings.transport is not Transport.UDP and registrar:
            # Over TCP/TLS everything goes through the connection to the registrar, as
            # with any provider; a target's own port would be the UDP one.
            proxy = registrar
        if proxy:
            if ";lr" not in proxy:
                proxy += ";lr"
            proxies = pj.StringVector()
            proxies.append(proxy)
            config.sipConfig.proxies = proxies
        if password is not None:
            cred = pj.AuthCredInfo("digest", "*", settings.auth_user or settings.user, 0,
                                   password)
            config.sipConfig.authCreds.append(cred)
        config.mediaConfig.srtpUse = _SRTP[settings.srtp]
        # SRTP keys travel in SDP; asking for TLS as well is a separate choice (0: allow).
        config.mediaConfig.srtpSecureSignaling = 0
        config.natConfig.iceEnabled = settings.ice
        stun = pj.PJSUA_STUN_USE_DEFAULT if settings.stun_server else pj.PJSUA_STUN_USE_DISABLED
        config.natConfig.sipStunUse = stun
        config.natConfig.mediaStunUse = stun
        if self.engine.config.bind.host not in ("0.0.0.0", "::"):
            config.mediaConfig.transportConfig.boundAddress = self.engine.config.bind.host
        config.mediaConfig.transportConfig.port = self.engine.config.rtp_port
        config.mediaConfig.transportConfig.portRange = self.engine.config.rtp_port_range
        return config

    def transport_for(self, settings: AccountSettings) -> int:
        """UDP uses the engine's transport; TCP and TLS ones are made on first use."""
        if settings.transport is Transport.UDP:
            return self.engine.udp_transport_id
        ca_file = settings.tls_ca_file.strip()
        verify = settings.tls_verify_server
        key = (settings.transport.value, ca_file, verify)
        if key in self._transports:
            return self._transports[key]
        tc = pj.TransportConfig()
        tc.port = 0
        host = self.engine.config.bind.host
        if host not in ("0.0.0.0", "::"):
            tc.boundAddress = host
        if settings.transport is Transport.TLS:
            if ca_file:
                path = Path(ca_file).expanduser()
                try:
                    text = path.read_text(encoding="ascii", errors="replace")
                except OSError as exc:
                    raise EngineError(
                        f"cannot read the CA file {path}: {exc.strerror or exc}"
                    ) from None
                if "BEGIN CERTIFICATE" not in text:
                    raise EngineError(f"the CA file {path} holds no PEM certificate")
                tc.tlsConfig.CaListFile = str(path)
            tc.tlsConfig.verifyServer = verify
            tc.tlsConfig.method = pj.PJSIP_TLSV1_2_METHOD
            kind = pj.PJSIP_TRANSPORT_TLS6 if ":" in host else pj.PJSIP_TRANSPORT_TLS
        else:
            kind = pj.PJSIP_TRANSPORT_TCP6 if ":" in host else pj.PJSIP_TRANSPORT_TCP
        endpoint = self.engine.endpoint
        try:
            tid = int(endpoint.transportCreate(kind, tc))
        except pj.Error as exc:
            raise EngineError(
                f"cannot start a {settings.transport.value.upper()} transport: {error_text(exc)}"
            ) from None
        self._transports[key] = tid
        return tid

    def has_stream_transports(self) -> bool:
        """Whether an active account speaks TCP or TLS (those sockets come and go).

        Only active accounts count: a transport outlives the account that made it, but
        once no account advertises it, SIP for us arrives on the UDP socket (at worst a
        stray request on a left-over connection waits for the next idle poll)."""
        return any(a.settings.transport is not Transport.UDP for a in self._accounts.values())

    # -- state -------------------------------------------------------------------------------

    def on_reg_state(
        self, account: SipAccount, code: int, reason: str, expiration: int, status: int
    ) -> None:
        if 200 <= code < 300:
            account.failures = 0
            if expiration > 0:
                self.changed(account, RegistrationState.REGISTERED, code, reason, expiration)
            else:
                self.changed(account, RegistrationState.UNREGISTERED, code, reason, None)
            return
        text = _explain(reason)
        if account.reported_attempt == account.attempt:
            return  # pjsua can report one failed attempt twice (at once, then by callback)
        account.reported_attempt = account.attempt
        if code in NO_RETRY_CODES:
            self.changed(account, RegistrationState.FAILED, code or None, text, None)
            return
        account.failures += 1
        delay = min(MAX_RETRY_S, self.first_retry_s * 2 ** (account.failures - 1))
        _log.info("account %s: registering again in %.0f s", account.settings.name, delay)
        name = account.settings.name
        account.retry = self.engine.call_later(delay, lambda: self.register(name))
        # Published with the time of the next attempt: the window counts down to it.
        self.changed(account, RegistrationState.FAILED, code or None, text, None,
                     retry_at=time.time() + delay)

    def changed(
        self,
        account: SipAccount,
        registration: RegistrationState,
        code: int | None,
        reason: str | None,
        expires: int | None,
        retry_at: float | None = None,
    ) -> None:
        account.state = account.state.model_copy(
            update={
                "registration": registration,
                "sip_code": code,
                "reason": reason,
                "expires_s": expires,
                "retry_at": retry_at,
            }
        )
        self._publish(account)

    def _publish(self, account: SipAccount) -> None:
        _log.info("account %s: %s", account.state.name, account.state.describe())
        for listener in list(self._listeners):
            guarded(listener, account.state)

    def add_listener(self, listener: Callable[[AccountState], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[AccountState], None]) -> None:
        self._listeners.remove(listener)

    # -- acts --------------------------------------------------------------------------------

    def register(self, name: str) -> None:
        account = self.get(name)
        if not registrar_uri(account.settings):
            return
        if account.retry is not None:
            account.retry.cancel()
            account.retry = None
        account.attempt += 1
        try:
            account.setRegistration(True)
        except pj.Error as exc:
            self.on_reg_state(account, 0, error_text(exc), 0, 0)

    def get(self, name: str) -> SipAccount:
        account = self._accounts.get(name)
        if account is None:
            known = ", ".join(sorted(self._accounts)) or "none"
            raise EngineError(f"no account named {name!r} (active accounts: {known})")
        return account

    def states(self) -> list[AccountState]:
        return [a.state for a in self._accounts.values()]

    def registrars(self) -> list[AccountSettings]:
        return [a.settings for a in self._accounts.values() if registrar_uri(a.settings)]

    def remove(self, name: str) -> None:
        account = self.get(name)
        if account.retry is not None:
            account.retry.cancel()
        try:
            account.shutdown()
        except pj.Error as exc:
            _log.warning("account %s: %s", name, error_text(exc))
        del self._accounts[name]

    def close(self) -> None:
        for name in list(self._accounts):
            self.remove(name)
        self._transports.clear()


# pjsip's words for its own failures, and what they mean to someone setting up an account.
_EXPLANATIONS = (
    ("PJ_ERESOLVE", "cannot resolve the registrar's host name"),
    ("PJSIP_TLS_ECERTVERIF", "the registrar's TLS certificate is not trusted "
     "(check the CA file)"),
    ("PJSIP_TLS_", "TLS connection failed"),
    ("Connection refused", "the registrar refused the connection"),
)


def _explain(reason: str) -> str:
    for marker, meaning in _EXPLANATIONS:
        if marker in reason:
            return f"{meaning} ({reason})"
    return reason
