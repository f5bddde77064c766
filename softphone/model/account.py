"""Account registration state, as the window and the CLI show it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The engine's own identity for direct calls to SIP URIs, without a registrar.
BUILTIN_ACCOUNT = "Local"


class RegistrationState(StrEnum):
    LOCAL = "local"  # no registrar: direct calls to SIP URIs only
    REGISTERING = "registering"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    FAILED = "failed"


class AccountState(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    uri: str
    registration: RegistrationState
    sip_code: int | None = None
    reason: str | None = None
    expires_s: int | None = None
    is_default: bool = False
    retry_at: float | None = None  # Unix time of the next registration attempt, if one waits

    def describe(self) -> str:
        if self.registration is RegistrationState.FAILED:
            code = f"{self.sip_code} " if self.sip_code else ""
            return f"registration failed: {code}{self.reason or ''}".rstrip()
        if self.registration is RegistrationState.REGISTERED and self.expires_s:
            return f"registered (expires in {self.expires_s} s)"
        if self.registration is RegistrationState.LOCAL:
            return "direct calls, no registrar"
        return self.registration.value


class Transport(StrEnum):
    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


class SrtpMode(StrEnum):
    OFF = "off"
    OPTIONAL = "optional"
    MANDATORY = "mandatory"


class DtmfMethod(StrEnum):
    RFC2833 = "rfc2833"
    SIP_INFO = "info"
    INBAND = "inband"


class AccountSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9 ._@+-]+$")
    display_name: str = ""
    user: str = Field(min_length=1, pattern=r"^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$")
    domain: str = Field(min_length=1)
    auth_user: str = ""  # empty: the same as user
    registrar: str = ""  # empty: sip:<domain>; "none": do not register
    outbound_proxy: str = ""
    transport: Transport = Transport.UDP
    tls_verify_server: bool = True
    tls_ca_file: str = ""
    srtp: SrtpMode = SrtpMode.OFF
    stun_server: str = ""
    ice: bool = False
    reg_expiry_s: int = Field(default=300, ge=30, le=86400)
    dtmf: DtmfMethod = DtmfMethod.RFC2833

    @field_validator("name")
    @classmethod
    def _not_builtin(cls, value: str) -> str:
        if value.strip().lower() == BUILTIN_ACCOUNT.lower():
            raise ValueError(f"{BUILTIN_ACCOUNT!r} is the built-in identity; choose another name")
        return value

    @field_validator("domain")
    @classmethod
    def _domain_is_host(cls, value: str) -> str:
        if any(c in value for c in " \t\r\n<>\"'@;?"):
            raise ValueError("a domain is a host name or address, optionally with :port")
        return value


def stun_servers(accounts: Iterable[AccountSettings | None]) -> tuple[str, ...]:
    """The STUN servers the given accounts name, once each, in order (pjsua needs them
    all when the engine starts)."""
    return tuple(dict.fromkeys(a.stun_server for a in accounts if a and a.stun_server))
