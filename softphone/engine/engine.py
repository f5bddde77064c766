"""The engine: one pjsua2 Endpoint, its transport and local account, and every live call.

Driven by :meth:`Engine.poll` from the caller's thread (a CLI loop or a Qt timer):
pjsua2 runs with no threads of its own, so every callback and every listener runs there.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from uuid import UUID

import pjsua2 as pj

from softphone.engine import arrivals, dtmf, hold, transfer
from softphone.engine.accounts import AccountRegistry
from softphone.engine.audio_port import BridgePort
from softphone.engine.audio_types import AudioDevices
from softphone.engine.codecs import set_codec_priorities
from softphone.engine.conference import Conference
from softphone.engine.config import (
    MAX_CALLS,
    EngineConfig,
)
from softphone.engine.errors import CallLimitReached, EngineError, UnknownCall
from softphone.engine.netcheck import NetworkWatch
from softphone.engine.pjcall import LIVE_CALLS, PjCall, guarded, log_exception
from softphone.engine.pjlog import (
    MESSAGE_LOG_LEVEL,
    PythonLogWriter,
    TraceListener,
    stdout_redirected,
)
from softphone.engine.policy import CallPolicy
from softphone.engine.port_free import free_port
from softphone.engine.session import CallSession
from softphone.engine.sip_sockets import udp_socket_fds
from softphone.engine.sipmsg import HEADER_LIMIT
from softphone.engine.timers import TimerHandle, Timers
from softphone.engine.transport import create_udp_transport, error_text
from softphone.engine.wire import wire_text
from softphone.model import (
    PERSISTED_CHANGES,
    Address,
    AddressType,
    Call,
    CallChange,
    CallDirection,
    CallStatus,
    CallType,
    EndCause,
    Target,
)
from softphone.model.account import (
    BUILTIN_ACCOUNT,
    AccountSettings,
    AccountState,
    RegistrationState,
    SrtpMode,
)
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.policy import IncomingPolicy

_log = logging.getLogger(__name__)
# How long shutdown keeps SIP running after our last BYE/CANCEL (its transaction's end).
LINGER_S = 1.0
SND_IDLE_CLOSE_S = 1  # seconds; pjsua's own default
# A transfer target pjsua could not even start calling never reports a state: end it then.
TRANSFER_START_S = 5.0


@dataclass(frozen=True)
class CallUpdate:
    """What listeners receive: a snapshot, safe to keep and to hand to another thread,
    and what changed since the last one (listeners skip what they do not need)."""

    call: Call
    diagnostics: CallDiagnostics
    changes: frozenset[CallChange] = frozenset({CallChange.STATUS})

    @property
    def persisted(self) -> bool:
        """Whether history keeps this change (not live-only media, hold or quality)."""
        return bool(self.changes & PERSISTED_CHANGES)


Listener = Callable[[CallUpdate], None]
AccountListener = Callable[[AccountState], None]


class _Endpoint(pj.Endpoint):  # type: ignore[misc]
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = weakref.ref(engine)

    def onRejectedIncomingCall(self, prm: pj.OnRejectedIncomingCallParam) -> None:
        engine = self._engine()
        if engine is not None:
            guarded(engine._on_rejected_incoming, prm)


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = weakref.ref(engine)

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        engine = self._engine()
        if engine is not None:
            guarded(engine.on_incoming, prm, self)


class Engine:
    def __init__(
        self, config: EngineConfig | None = None, *, audio: AudioDevices | None = None
    ) -> None:
        self.config = config or EngineConfig()
        # The sound devices, bridged in through a port; None: the null device only.
        self.audio = audio
        self._audio_port: BridgePort | None = None
        self._cues = (False, False)  # (ringtone, ringback) as last asked of ``audio``
        self.timers = Timers()
        self.recordings_dir: Path = self.config.recordings_dir or Path.cwd()
        self.ring_timeout_s: float | None = None
        self._ep: _Endpoint | None = None
        self._writer = PythonLogWriter()
        self._last_sip_at = float("-inf")
        self._writer.trace_listeners.append(self._note_sip)
        self._account: _Account | None = None
        self._transport_id: int | None = None
        self._local_host = ""
        self._local_port = 0
        self._sessions: dict[UUID, CallSession] = {}
        self._listeners: list[Listener] = []
        self._account_listeners: list[AccountListener] = []
        self.accounts = AccountRegistry(self)
        self._network = NetworkWatch(self._first_registrar, self.handle_ip_change,
                                     self.call_later)
        self._started = False
        self._last_local_end = float("-inf")
        # The far end's REFER: followed unless the user refuses transfers (answered 603).
        self.refuse_transfers = False
        # Call waiting: a call answered or placed holds the one we talk on. `listen` (an
        # answering endpoint for scripts and tests) turns it off: its calls stay apart.
        self.call_waiting = True
        self._conference: Conference | None = None
        # The number tester's tap: each call's share of received audio that was not
        # silence (engine/receive_meter.py), kept here by call id at its end.
        self.meter_received = False
        self.heard_pct: dict[UUID, float] = {}

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            return
        ep = _Endpoint(self)
        with stdout_redirected(to_devnull=True):  # pjlib's start-up banner
            ep.libCreate()
        self._ep = ep
        try:
            cfg = pj.EpConfig()
            cfg.uaConfig.threadCnt = 0
            cfg.uaConfig.mainThreadOnly = True
            cfg.uaConfig.maxCalls = MAX_CALLS
            cfg.uaConfig.userAgent = self.config.user_agent
            if self.config.stun_servers:
                servers = pj.StringVector()
                for server in self.config.stun_servers:
                    servers.append(server)
                cfg.uaConfig.stunServer = servers
                # An unreachable STUN server must not stop calls: fall back to local addresses.
                cfg.uaConfig.stunIgnoreFailure = True
            cfg.logConfig.writer = self._writer
            self._writer.show_level = self.config.log_level
            cfg.logConfig.level = max(self.config.log_level, MESSAGE_LOG_LEVEL)
            cfg.logConfig.consoleLevel = cfg.logConfig.level
            cfg.logConfig.msgLogging = True  # every call's ladder (model.siptrace)
            cfg.logConfig.decor = 0
            # The null device's clock stops SND_IDLE_CLOSE_S after the last connection goes
            # (50 wakeups a second for nothing otherwise, issue 16). A deleted recorder leaves
            # the bridge (and writes its WAV header) on the next tick, long before that.
            cfg.medConfig.sndAutoCloseTime = SND_IDLE_CLOSE_S
            # RTP on SIP's own ioqueue, read by whoever polls the engine (the window every
            # 10 ms while a call is live, the command line blocked in libHandleEvents), and
            # no media worker thread: it polled its own ioqueue 100 times a second for ever,
            # calls or not (issue 16).
            cfg.medConfig.hasIoqueue = False
            cfg.medConfig.threadCnt = 0
            ep.libInit(cfg)
            ep.audDevManager().setNullDev()
            if self.audio is not None:
                self._bridge_devices(self.audio)
            set_codec_priorities(ep)
            self._create_transport(ep)
            ep.libStart()
            self._create_account()
        except BaseException:
            self._destroy()
            raise
        self._started = True
        _log.info("SIP engine listening on %s:%s", self._local_host, self._local_port)

    def _create_transport(self, ep: pj.Endpoint) -> None:
        listening = create_udp_transport(ep, self.config.bind)
        self._transport_id = listening.transport_id
        self._local_host = listening.host
        self._local_port = listening.port

    def _create_account(self) -> None:
        acfg = pj.AccountConfig()
        host = f"[{self._local_host}]" if ":" in self._local_host else self._local_host
        display = f'"{self.config.display_name}" ' if self.config.display_name else ""
        acfg.idUri = f"{display}<sip:{self.config.user}@{host}:{self._local_port}>"
        acfg.sipConfig.transportId = self._transport_id
        if self.config.bind.host not in ("0.0.0.0", "::"):
            acfg.mediaConfig.transportConfig.boundAddress = self.config.bind.host
        acfg.mediaConfig.transportConfig.port = self.config.rtp_port
        acfg.mediaConfig.transportConfig.portRange = self.config.rtp_port_range
        account = _Account(self)
        account.create(acfg, True)
        self._account = account

    @property
    def local_address(self) -> Address:
        host = f"[{self._local_host}]" if ":" in self._local_host else self._local_host
        return Address(
            type=AddressType.SIP,
            target=f"sip:{self.config.user}@{host}:{self._local_port}",
            name=self.config.display_name,
        )

    @property
    def local_port(self) -> int:
        return self._local_port

    def shutdown(self, timeout_s: float = 3.0) -> None:
        """End every call (each one lands in history), then free pjsua2 in a safe order."""
        if self._ep is None:
            return
        for call_id in list(self._sessions):
            self.end_call(call_id)
        deadline = time.monotonic() + timeout_s
        while self._sessions and time.monotonic() < deadline:
            self.poll(20)
        for session in list(self._sessions.values()):
            # The far end never confirmed: the call is over for us all the same.
            session.finish(session.local_cause or EndCause.LOCAL_BYE, None, "shut down")
        # pjsua reports our BYE or CANCEL as DISCONNECTED at once, while its transaction
        # still runs: stay a moment so the far end gets its ACK (487) or retransmitted BYE.
        linger_until = min(self._last_local_end + LINGER_S, time.monotonic() + LINGER_S)
        while time.monotonic() < linger_until:
            self.poll(20)
        self._destroy()

    def _destroy(self) -> None:
        for session in self._sessions.values():
            session.media.close()
            session.pj = None
        self._sessions.clear()
        # Off the bridge (and its device threads stopped) before libDestroy frees the bridge.
        port, self._audio_port = self._audio_port, None
        if port is not None:
            free_port(port)
        if self.audio is not None:
            self.audio.close()
        self.accounts.close()
        self._account = None
        # Every Call and Account object must be gone before libDestroy (DESIGN.md).
        gc.collect()
        for stray in list(LIVE_CALLS):
            # Still referenced from somewhere we do not own: let it leak rather than have
            # its C++ destructor run after libDestroy, which aborts the process.
            _log.debug("disowning a call object that outlived its call")
            stray.thisown = False
        ep, self._ep = self._ep, None
        if ep is not None:
            with stdout_redirected():
                try:
                    # No calls or registrations are left to end on the wire, so skip
                    # pjsua's one-second wait for network work.
                    ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
                except pj.Error as exc:
                    _log.warning("pjsua2 shutdown: %s", error_text(exc))
        self._started = False

    # -- the event loop ------------------------------------------------------------------

    def poll(self, max_wait_ms: int = 0) -> int:
        """Run pjsip for up to ``max_wait_ms`` and our due timers; pjsip's event count."""
        if self._ep is None:
            return 0
        wait = max_wait_ms
        due = self.timers.next_due_in()
        if due is not None:
            wait = min(wait, int(due * 1000))
        events = int(self._ep.libHandleEvents(max(0, wait)))
        self.timers.run_due()
        return events

    @property
    def last_sip_message_at(self) -> float:
        """time.monotonic() of the last SIP message sent or received (-inf: none yet)."""
        return self._last_sip_at

    def _note_sip(self, _message: object) -> None:
        self._last_sip_at = time.monotonic()

    @property
    def sip_on_udp_only(self) -> bool:
        """Whether all our SIP arrives on the one UDP socket (no TCP or TLS account yet)."""
        return not self.accounts.has_stream_transports()

    def wake_fds(self) -> list[int]:
        """Descriptors of the UDP socket SIP arrives on, to wake on; [] when unknown."""
        if self._ep is None:
            return []
        return udp_socket_fds(self._local_port)

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> TimerHandle:
        return self.timers.call_later(delay_s, lambda: guarded(callback))

    # -- listeners -------------------------------------------------------------------------

    def add_trace_listener(self, listener: TraceListener) -> None:
        """Every SIP message sent or received (credentials redacted), as it happens."""
        self._writer.trace_listeners.append(listener)

    def remove_trace_listener(self, listener: TraceListener) -> None:
        self._writer.trace_listeners.remove(listener)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def publish(self, session: CallSession, changes: Iterable[CallChange] = ()) -> None:
        self.refresh_audio_cues()
        changed = frozenset(changes)
        if not changed:
            return  # nothing a listener could see
        update = CallUpdate(session.call.model_copy(deep=True), session.diagnostics, changed)
        for listener in list(self._listeners):
            try:
                listener(update)
            except Exception:
                log_exception("a call listener failed")

    def note_local_end(self) -> None:
        self._last_local_end = time.monotonic()

    def retire(self, session: CallSession) -> None:
        # The pjsua2 Call goes now: inside its DISCONNECTED callback it is freed as the
        # callback returns, which pjsua2 allows. Kept any longer, pjsua could give its slot
        # to a new call first, and its destructor would then clear that call's link to us
        # and hang it up.
        self._sessions.pop(session.call.id, None)
        session.pj = None
        # VoIPBIN's rule: a master's end hangs up its chained calls (ours: local); a
        # chained call's end leaves the master up. Not from inside this pjsua callback.
        for chained in session.call.chained_call_ids:
            if chained in self._sessions:
                self.call_later(0, partial(self._end_chained, chained))

    def _end_chained(self, call_id: UUID) -> None:
        chained = self._sessions.get(call_id)
        if chained is not None and not chained.call.is_over:
            self.end_call(call_id, EndCause.MASTER_ENDED)

    # -- bridges (a flow's connect) --------------------------------------------------------

    def bridge(self, a: UUID, b: UUID) -> None:
        """Mix two answered calls with each other only: no microphone, no speaker of ours
        (a flow's connect; unlike a conference, their type stays)."""
        mix = Conference(devices=False)
        for call_id in (a, b):
            session = self._session(call_id)
            if session.media.conference is not None:
                session.media.conference.leave(session.media)
            mix.join(session.media)

    def unbridge(self, call_id: UUID) -> None:
        """Take a call out of its bridge (the other party left): back to our devices."""
        session = self._sessions.get(call_id)
        mix = session.media.conference if session is not None else None
        if session is not None and mix is not None and not mix.devices:
            mix.leave(session.media)
            session.media.reconnect()  # back to our microphone and speaker

    # -- calls -----------------------------------------------------------------------------

    def capture_media(self) -> pj.AudioMedia:
        """Our microphone on the bridge: the device port, else the null device."""
        if self._audio_port is not None:
            return self._audio_port
        assert self._ep is not None
        return self._ep.audDevManager().getCaptureDevMedia()

    def playback_media(self) -> pj.AudioMedia | None:
        """Our speaker on the bridge, when real devices are in use."""
        return self._audio_port

    def attach_audio(self, audio: AudioDevices) -> None:
        """Real sound devices for an engine started on the null device alone: the window
        opens them once it is on screen (issue 16), and a call already up (a link dialled
        at start) is moved onto them."""
        if self._ep is None:
            raise EngineError("the engine is not running")
        if self.audio is not None:
            raise EngineError("sound devices are attached already")
        self._bridge_devices(audio)
        self.audio = audio
        self._cues = (False, False)
        self.refresh_audio_cues()
        null_capture = self._ep.audDevManager().getCaptureDevMedia()
        for session in self._sessions.values():
            if session.media.stream is not None:
                with contextlib.suppress(pj.Error):  # off the null device's silence
                    null_capture.stopTransmit(session.media.stream)
                session.media.reconnect()

    def _bridge_devices(self, audio: AudioDevices) -> None:
        # The null device keeps clocking the bridge; this port carries real audio.
        port = BridgePort(audio)
        port.create()
        self._audio_port = port
        audio.start()

    def refresh_audio_cues(self) -> None:
        """Ringtone while a call rings in; ringback while one rings out with no early media."""
        if self.audio is None:
            return
        sessions = [s for s in self._sessions.values() if s.call.status is CallStatus.RINGING]
        ringtone = any(not s.outgoing for s in sessions)
        ringback = any(s.outgoing and not s.media_active for s in sessions)
        if (ringtone, ringback) != self._cues:
            self._cues = (ringtone, ringback)
            self.audio.set_ringtone(ringtone)
            self.audio.set_ringback(ringback)

    @property
    def live_call_count(self) -> int:
        return len(self._sessions)

    @property
    def active_calls(self) -> list[Call]:
        return [s.call.model_copy(deep=True) for s in self._sessions.values()]

    def is_live(self, call_id: UUID) -> bool:
        return call_id in self._sessions

    def _session(self, call_id: UUID) -> CallSession:
        session = self._sessions.get(call_id)
        if session is None:
            raise UnknownCall(f"no live call with id {call_id}")
        return session

    def _identity(self, account: str | None) -> tuple[pj.Account, Address]:
        """The pjsua2 account a call goes out from, and the Call's source address."""
        assert self._account is not None
        if not account or account == BUILTIN_ACCOUNT:
            return self._account, self.local_address
        chosen = self.accounts.get(account)
        source = Address(type=AddressType.SIP, target=chosen.state.uri,
                         name=chosen.settings.display_name)
        return chosen, source

    def make_call(
        self,
        target: Target,
        *,
        dial_timeout_s: float | None = None,
        max_duration_s: float | None = None,
        record: bool = False,
        account: str | None = None,
        master: UUID | None = None,
    ) -> Call:
        """Place a call. ``master``: a call this one is chained to (a flow's connect):
        VoIPBIN's master/chained ids are set and, unlike a call we dial ourselves, the
        master is not put on hold."""
        if self._ep is None or self._account is None:
            raise EngineError("the SIP engine is not running")
        if account == BUILTIN_ACCOUNT:
            account = None
        sip_account, source = self._identity(account)
        if len(self._sessions) >= MAX_CALLS:
            raise CallLimitReached(
                f"cannot place another call: at most {MAX_CALLS} calls can be up at once "
                "(a limit of the pjsua2 library); hang one up first"
            )
        master_session = self._session(master) if master is not None else None
        if master_session is None:
            self._hold_others(None)  # call waiting: the call we talk on waits for this one
        call = arrivals.outgoing_call(source, target.address)
        session = CallSession(self, call, record=record, max_duration_s=max_duration_s)
        if master_session is not None:
            call.master_call_id = master_session.call.id
            master_session.call.chained_call_ids.append(call.id)
            master_session.call.touch()
            master_session.publish(CallChange.CHAINED)
        if account:
            account_settings = self.accounts.get(account).settings
            session.srtp_required = account_settings.srtp is SrtpMode.MANDATORY
            session.dtmf_method = account_settings.dtmf
        self._sessions[call.id] = session
        self.publish(session, (CallChange.CREATED, CallChange.STATUS))
        session.pj = PjCall(sip_account, session, pj.PJSUA_INVALID_ID)
        try:
            session.pj.makeCall(target.uri, pj.CallOpParam(True))
        except pj.Error as exc:
            reason = error_text(exc)
            _log.warning("INVITE to %s could not be sent: %s", target.uri, reason)
            del exc  # no traceback may keep the pjsua2 Call alive
            session.finish(EndCause.TRANSPORT_ERROR, None, reason)
            return call.model_copy(deep=True)
        session.set_timer("dial", dial_timeout_s, session.dial_timeout_reached)
        return call.model_copy(deep=True)

    def record_failed_attempt(
        self, target: Target, reason: str, account: str | None = None
    ) -> Call:
        """A call the caller could not even start (its host name did not resolve before
        make_call): kept in history all the same, as a failed call the network refused."""
        _, source = self._identity(account)
        session = CallSession(self, arrivals.outgoing_call(source, target.address))
        self.publish(session, (CallChange.CREATED, CallChange.STATUS))
        session.finish(EndCause.TRANSPORT_ERROR, None, reason)
        return session.call.model_copy(deep=True)

    def on_incoming(self, prm: pj.OnIncomingCallParam, account: pj.Account) -> None:
        session = arrivals.incoming_session(self, prm, account)
        assert session.pj is not None
        self._sessions[session.call.id] = session
        self.publish(session, (CallChange.CREATED, CallChange.STATUS))
        if session.send_ringing():  # else refused: their offer is unusable (488)
            session.set_timer("ring", self.ring_timeout_s, session.ring_timeout_reached)

    def _on_rejected_incoming(self, prm: pj.OnRejectedIncomingCallParam) -> None:
        session = arrivals.refused_session(self, prm)
        session.local_cause = EndCause.LOCAL_REFUSED
        code, reason = int(prm.statusCode), wire_text(prm.reason, HEADER_LIMIT)
        _log.warning("incoming call from %s refused with %s %s",
                     session.call.remote.target, code, reason)
        self.publish(session, (CallChange.CREATED, CallChange.STATUS))
        session.call.move_to(CallStatus.TERMINATING)
        self.publish(session, (CallChange.STATUS,))
        session.finish(EndCause.LOCAL_REFUSED, code, reason)

    def transfer_requested(
        self, session: CallSession, prm: pj.OnCallTransferRequestParam
    ) -> None:
        """The far end's REFER: follow it with a new Call of ours (pjsua2 would otherwise
        reuse this call's object and later crash), or refuse it when no slot is free."""
        target = wire_text(prm.dstUri, HEADER_LIMIT)
        if self.refuse_transfers:
            _log.warning("transfer to %s refused: transfers are refused by setting", target)
            prm.statusCode = 603
            return
        if len(self._sessions) >= MAX_CALLS or session.pj is None:
            _log.warning("transfer to %s refused: no call slot is free", target)
            prm.statusCode = 603
            return
        new = arrivals.transferred_session(self, session, target)
        prm.newCall = new.pj
        self._sessions[new.call.id] = new
        _log.info("call %s: the far end transfers us to %s", session.call.id,
                  new.call.destination.target)
        self.publish(new, (CallChange.CREATED, CallChange.STATUS))

        def never_started() -> None:
            # pjsua could not even start calling the target: no state will ever come.
            if not new.call.is_over and new.pj is not None and new.pj.getId() < 0:
                new.finish(EndCause.TRANSPORT_ERROR, None,
                           "the transfer target could not be called")

        new.set_timer("start", TRANSFER_START_S, never_started)

    def call_replaced(self, session: CallSession, prm: pj.OnCallReplacedParam) -> None:
        """An INVITE with Replaces took over this call: the new one is an incoming call of
        ours (the old one ends as its own BYE arrives)."""
        account = session.pj.account if session.pj is not None else self._account
        new = arrivals.replacing_session(self, session, prm, account)
        prm.newCall = new.pj
        self._sessions[new.call.id] = new
        self.publish(new, (CallChange.CREATED, CallChange.STATUS))
        # pjsua has answered it already: progressing before any policy timer can fire.
        new.answered_by_pjsua()

    def answer(self, call_id: UUID) -> None:
        session = self._session(call_id)
        if (session.call.status is CallStatus.RINGING and not session.outgoing
                and not session.media.apart):
            self._hold_others(session)  # call waiting: one call talks at a time
        session.answer()

    # -- call control: hold, switching, mute, transfer, conference -------------------------

    def _hold_others(self, keep: CallSession | None) -> None:
        """Hold every answered call but ``keep`` (and the calls conferenced with it)."""
        if not self.call_waiting:
            return
        mix = keep.media.conference if keep is not None else None
        for other in list(self._sessions.values()):
            if other is keep or other.call.status is not CallStatus.PROGRESSING:
                continue
            if mix is not None and other.media.conference is mix:
                continue
            if not other.media.holding:
                hold.want_hold(other, True)

    def hold(self, call_id: UUID) -> None:
        """Hold an answered call (re-INVITE sendonly); its status stays progressing."""
        hold.want_hold(self._session(call_id), True)

    def resume(self, call_id: UUID) -> None:
        """Resume a held call (sendrecv), holding the one we talk on: one call talks at a
        time unless conferenced (resuming a conference member resumes them all)."""
        session = self._session(call_id)
        if session.call.status is not CallStatus.PROGRESSING:
            raise EngineError("only an answered call can be resumed")
        self._hold_others(session)
        mix = session.media.conference
        members = [s for s in self._sessions.values()
                   if mix is not None and s.media.conference is mix] or [session]
        for member in members:
            hold.want_hold(member, False)

    def set_mute(self, call_id: UUID, muted: bool) -> None:
        """Our microphone off (or on again) for this call only."""
        session = self._session(call_id)
        if session.call.is_over:
            raise EngineError("the call has ended")
        session.set_muted(muted)

    def transfer(self, call_id: UUID, target: Target) -> None:
        """Blind transfer (REFER): the far end calls ``target``; ours ends when it answers."""
        transfer.start(self._session(call_id), target.uri)

    def complete_transfer(self, call_id: UUID, consult_id: UUID) -> None:
        """Attended transfer: connect the far end of ``call_id`` with that of
        ``consult_id`` (our call to the transfer target), by REFER with Replaces."""
        session, consult = self._session(call_id), self._session(consult_id)
        if session is consult:
            raise EngineError("pick another call to transfer to")
        if consult.call.status is not CallStatus.PROGRESSING:
            raise EngineError("the call to the transfer target is not answered yet")
        transfer.start(session, consult.call.remote.target, consult)

    def conference(self, call_ids: Iterable[UUID] | None = None) -> list[UUID]:
        """Merge answered calls (default: all of them) on our bridge: each party hears
        every other; each call's type becomes conference. Returns the members."""
        chosen = ([self._session(i) for i in call_ids] if call_ids is not None
                  else list(self._sessions.values()))
        sessions = [s for s in chosen if s.call.status is CallStatus.PROGRESSING]
        mix = self._conference
        in_mix = [s for s in self._sessions.values()
                  if mix is not None and s.media.conference is mix]
        if len({*sessions, *in_mix}) < 2:
            raise EngineError("a conference needs at least two answered calls")
        if mix is None or not mix.members:
            mix = self._conference = Conference()
        for session in sessions:
            mix.join(session.media)
            if session.call.type is not CallType.CONFERENCE:
                session.call.type = CallType.CONFERENCE
                session.call.touch()
                session.publish(CallChange.TYPE)
        members = [s for s in self._sessions.values() if s.media.conference is mix]
        for member in members:
            hold.want_hold(member, False)
        return [m.call.id for m in members]

    def join_local_conference(self, call_id: UUID) -> None:
        """One answered call into the local mix, alone or not (sip-service confbridge_join)."""
        session = self._session(call_id)
        if self._conference is None or not self._conference.members:
            self._conference = Conference()
        self._conference.join(session.media)

    def end_conference(self) -> None:
        """Hang up every call in the conference (local, normal)."""
        mix = self._conference
        members = [s for s in self._sessions.values()
                   if mix is not None and s.media.conference is mix]
        if not members:
            raise EngineError("no conference is up")
        for member in members:
            self.end_call(member.call.id)

    def current_call(self, want: str = "talk") -> Call | None:
        """The call a command without a call id acts on: ``talk``: the answered call we
        talk on (else the latest answered one); ``ring``: the first call ringing in;
        ``held``: the latest call we hold; ``any``: talk, else ring, else the latest."""
        sessions = list(self._sessions.values())
        answered = [s for s in sessions if s.call.status is CallStatus.PROGRESSING]
        ringing = [s for s in sessions if s.call.status is CallStatus.RINGING
                   and s.call.direction is CallDirection.INCOMING]
        picks: list[CallSession] = []
        if want in ("talk", "any"):
            picks = [s for s in answered if not s.media.holding] or answered[-1:]
        if want == "held":
            picks = [s for s in answered if s.media.holding][-1:]
        if want == "ring" or (want == "any" and not picks):
            picks = ringing
        if want == "any" and not picks:
            picks = sessions[-1:]
        return picks[0].call.model_copy(deep=True) if picks else None

    def call_state(self, call_id: UUID) -> CallDiagnostics:
        return self._session(call_id).diagnostics

    def end_call(
        self, call_id: UUID, cause: EndCause | None = None, sip_code: int | None = None
    ) -> None:
        """End a live call by our own act, filed under ``cause`` (``sip_code``: our answer
        to a ringing incoming call). No cause: as our hang-up button, BYE after answer,
        CANCEL before, 486 to a call ringing in."""
        session = self._session(call_id)
        if cause is None:
            if session.call.was_answered:
                cause = EndCause.LOCAL_BYE
            elif session.outgoing:
                cause = EndCause.LOCAL_CANCEL
            else:
                cause = EndCause.LOCAL_REJECT
        session.end_locally(cause, sip_code)

    def hangup(self, call_id: UUID) -> None:
        """Our hang-up button: BYE after answer, CANCEL before, decline if ringing in."""
        self.end_call(call_id)

    def reject(self, call_id: UUID, sip_code: int = 486) -> None:
        session = self._session(call_id)
        if session.outgoing or session.call.was_answered:
            raise EngineError("only a ringing incoming call can be declined")
        self.end_call(call_id, EndCause.LOCAL_REJECT, sip_code)

    def attach_policy(self, policy: IncomingPolicy | None = None) -> CallPolicy:
        """Apply an incoming-call policy (the window's, `listen`'s) until its close()."""
        return CallPolicy(self, policy)

    def send_dtmf(self, call_id: UUID, digits: str) -> None:
        """Send DTMF digits (0-9 * # A-D) on an answered call, by the account's method
        (RFC 2833 unless the account says SIP INFO or in-band)."""
        digits = digits.upper()
        if not digits or any(d not in dtmf.DIGITS for d in digits):
            raise EngineError(f"not DTMF digits: {digits!r} (use 0-9, *, #, A-D)")
        session = self._session(call_id)
        if session.pj is None or session.call.status is not CallStatus.PROGRESSING:
            raise EngineError("DTMF can only be sent on an answered call")
        try:
            session.send_dtmf(digits)
        except pj.Error as exc:
            raise EngineError(f"could not send DTMF: {error_text(exc)}") from None
        if self.audio is not None:
            self.audio.play_dtmf(digits)  # the key's tone, for us to hear

    # -- accounts ---------------------------------------------------------------------------

    def add_account_listener(self, listener: AccountListener) -> None:
        self._account_listeners.append(listener)
        self.accounts.add_listener(listener)

    def remove_account_listener(self, listener: AccountListener) -> None:
        self._account_listeners.remove(listener)
        self.accounts.remove_listener(listener)

    def add_account(self, settings: AccountSettings, password: str | None) -> AccountState:
        """Start using an account; registration (if it has a registrar) begins at once."""
        if self._ep is None:
            raise EngineError("the SIP engine is not running")
        state = self.accounts.add(settings, password)
        if self.accounts.registrars():
            self._network.start()
        return state

    def remove_account(self, name: str) -> None:
        self.accounts.remove(name)

    def register(self, name: str) -> None:
        self.accounts.register(name)

    def _first_registrar(self) -> str | None:
        registrars = self.accounts.registrars()
        return registrars[0].domain if registrars and self._ep is not None else None

    def handle_ip_change(self) -> None:
        """The network changed (new address, Wi-Fi switch): re-create transports, re-register."""
        if self._ep is None:
            return
        _log.info("network change: re-registering and updating calls")
        try:
            self._ep.handleIpChange(pj.IpChangeParam())
        except pj.Error as exc:
            _log.warning("network change handling failed: %s", error_text(exc))

    @property
    def endpoint(self) -> pj.Endpoint:
        if self._ep is None:
            raise EngineError("the SIP engine is not running")
        return self._ep

    @property
    def udp_transport_id(self) -> int:
        assert self._transport_id is not None
        return self._transport_id

    def status_text(self, status: int) -> str:
        if self._ep is None:
            return f"status {status}"
        return str(self._ep.utilStrError(status)).split(" (PJ", 1)[0]

    def account_states(self) -> list[AccountState]:
        """The identities calls can go out from, with their registration state."""
        local = AccountState(
            name=BUILTIN_ACCOUNT,
            uri=self.local_address.target,
            registration=RegistrationState.LOCAL,
            is_default=True,
        )
        return [local, *self.accounts.states()]

    def set_max_duration(self, call_id: UUID, seconds: float | None) -> None:
        """Limit talk time; counted from answer (or from now if already answered)."""
        session = self._session(call_id)
        session.max_duration_s = seconds
        if session.call.status is CallStatus.PROGRESSING:
            session.set_timer("max_duration", seconds, session.max_duration_reached)

    def set_recording(self, call_id: UUID, wanted: bool) -> None:
        self._session(call_id).set_recording(wanted)
