"""One call: the pjsua2 Call object and the VoIPBIN-shaped Call it keeps up to date."""

from __future__ import annotations

import logging
import time
import traceback
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import pjsua2 as pj

from softphone.engine.dtmf import InbandDtmf
from softphone.engine.dtmf import send as send_dtmf
from softphone.engine.recorder import Recording, recording_path
from softphone.engine.sipmsg import header, status_code
from softphone.engine.timers import TimerHandle
from softphone.model import (
    Call,
    CallDirection,
    CallStatus,
    EndCause,
    EndEvent,
    HangupBy,
    HangupReason,
    Outcome,
    can_move,
    local_end_status,
    outcome,
)
from softphone.model.account import DtmfMethod
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.hangup import UnmappableEnd
from softphone.model.ids import NIL_ID

if TYPE_CHECKING:
    from softphone.engine.engine import Engine

_log = logging.getLogger(__name__)

# Provisional responses that mean "the phone is ringing"; 183 alone leaves us dialing.
_RINGING_CODES = frozenset({180, 181, 182})


def log_exception(message: str) -> None:
    """Log the current exception as text: a kept traceback would keep pjsua2 objects (and
    their frames) alive past their time, and one freed after libDestroy aborts."""
    _log.error("%s:\n%s", message, traceback.format_exc())


def guarded(fn: Callable[..., None], *args: Any) -> None:
    """Run a callback body; an exception must never travel back into pjsua2's C++."""
    try:
        fn(*args)
    except Exception:
        log_exception("error while handling a SIP event")


# Every PjCall still alive: at shutdown any left (held by a stray reference: a traceback,
# a loop variable) are disowned, so their later collection cannot abort the process.
LIVE_CALLS: weakref.WeakSet[PjCall] = weakref.WeakSet()


class PjCall(pj.Call):  # type: ignore[misc]
    """pjsua2's Call, forwarding its callbacks to a session it does not keep alive."""

    def __init__(self, account: pj.Account, session: CallSession, call_id: int) -> None:
        super().__init__(account, call_id)
        LIVE_CALLS.add(self)
        # A weak reference: a cycle through a SWIG object could let the garbage collector
        # free it after libDestroy, which aborts the process (DESIGN.md).
        self._session = weakref.ref(session)

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_state)

    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_tsx, prm)

    def onCallRedirected(self, prm: pj.OnCallRedirectedParam) -> int:
        # Not followed: the 3xx is then reported as the final response (a failed call),
        # where pjsua's default would turn it into a 487 that reads like a cancel.
        return int(pj.PJSIP_REDIRECT_REJECT)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_media)


class CallSession:
    def __init__(
        self,
        engine: Engine,
        call: Call,
        *,
        record: bool = False,
        max_duration_s: float | None = None,
    ) -> None:
        self.engine = engine
        self.call = call
        self.pj: PjCall | None = None
        self.record_wanted = record
        self.max_duration_s = max_duration_s
        self.local_cause: EndCause | None = None
        self.srtp_required = False
        self.dtmf_method = DtmfMethod.RFC2833
        self.inband: InbandDtmf | None = None
        self.diagnostics = CallDiagnostics()
        self.got_response = False
        self.media_active = False
        self.recording: Recording | None = None
        self.timers: dict[str, TimerHandle] = {}
        self._invite_sent_at = time.monotonic()

    # -- helpers ---------------------------------------------------------------------

    @property
    def outgoing(self) -> bool:
        return self.call.direction is CallDirection.OUTGOING

    def _diag(self, **changes: Any) -> None:
        self.diagnostics = self.diagnostics.model_copy(update=changes)

    def _move(self, status: CallStatus) -> bool:
        if not can_move(self.call.status, status):
            return False
        self.call.move_to(status)
        self.engine.publish(self)
        return True

    def set_timer(self, name: str, delay_s: float | None, callback: Callable[[], None]) -> None:
        if delay_s is None:
            return
        self.cancel_timer(name)
        self.timers[name] = self.engine.timers.call_later(delay_s, lambda: guarded(callback))

    def cancel_timer(self, name: str) -> None:
        handle = self.timers.pop(name, None)
        if handle is not None:
            handle.cancel()

    # -- pjsua2 callbacks ------------------------------------------------------------

    def on_tsx(self, prm: pj.OnCallTsxStateParam) -> None:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        tsx_event = event.body.tsxState
        if tsx_event.type != pj.PJSIP_EVENT_RX_MSG:
            return
        message = tsx_event.src.rdata.wholeMsg
        code = status_code(message)
        if code is None:
            return  # a request from the far end (BYE, CANCEL, re-INVITE)
        if tsx_event.tsx.method == "INVITE":
            self.got_response = True
            if code > 100 and self.diagnostics.post_dial_delay_ms is None and self.outgoing:
                pdd = round((time.monotonic() - self._invite_sent_at) * 1000)
                self._diag(post_dial_delay_ms=pdd)
            agent = header(message, "User-Agent", "Server")
            if agent and self.diagnostics.user_agent is None:
                self._diag(user_agent=agent)

    def on_state(self) -> None:
        if self.pj is None or self.call.is_over:
            return
        info = self.pj.getInfo()
        if not self.diagnostics.call_id_header:
            self._diag(call_id_header=info.callIdString)
        state = info.state
        if state == pj.PJSIP_INV_STATE_EARLY and self.outgoing:
            if info.lastStatusCode in _RINGING_CODES and self.call.status is CallStatus.DIALING:
                self._move(CallStatus.RINGING)
        elif state == pj.PJSIP_INV_STATE_CONFIRMED:
            self._answered()
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self._disconnected(info.lastStatusCode, info.lastReason)

    def on_media(self) -> None:
        if self.pj is None:
            return
        info = self.pj.getInfo()
        self.media_active = any(
            m.type == pj.PJMEDIA_TYPE_AUDIO and m.status == pj.PJSUA_CALL_MEDIA_ACTIVE
            for m in info.media
        )
        if self.media_active:
            # Our microphone (the device port, else the null device) reaches the far end,
            # and the far end reaches our speaker: early media (183) included.
            try:
                call_media = self.pj.getAudioMedia(-1)
                self.engine.capture_media().startTransmit(call_media)
                speaker = self.engine.playback_media()
                if speaker is not None:
                    call_media.startTransmit(speaker)
            except pj.Error as exc:
                _log.warning("could not connect the call to our audio: %s", exc.reason)
        self.engine.refresh_audio_cues()  # early media replaces the ringback tone
        self._sync_recording()

    # -- moments -----------------------------------------------------------------------

    def _answered(self) -> None:
        if self.call.status not in (CallStatus.DIALING, CallStatus.RINGING):
            return  # answered after we started ending it: our end still applies
        self.cancel_timer("dial")
        self.cancel_timer("ring")
        self._move(CallStatus.PROGRESSING)
        self.set_timer("max_duration", self.max_duration_s, self.max_duration_reached)
        self._sync_recording()

    def _disconnected(self, code: int, reason: str) -> None:
        answered = self.call.was_answered
        cause: EndCause
        if self.local_cause is not None:
            cause = self.local_cause
        elif answered:
            cause = EndCause.REMOTE_BYE
        elif not self.outgoing:
            # 487: the caller's CANCEL. Anything else before answer (an ACK that never
            # came, a transport failure) is the network, not the caller's choice.
            cause = EndCause.REMOTE_CANCEL if code == 487 else EndCause.NO_RESPONSE
        elif self.got_response:
            cause = EndCause.REMOTE_FINAL_RESPONSE
        elif code == 408:
            cause = EndCause.NO_RESPONSE
        else:
            cause = EndCause.TRANSPORT_ERROR
        self.finish(cause, code, reason)

    def finish(self, cause: EndCause, code: int | None, reason: str | None) -> None:
        """End the Call: work out who and why, stamp hangup, publish, release pjsua2."""
        if self.call.is_over:
            return
        for name in list(self.timers):
            self.cancel_timer(name)
        self.stop_recording(publish=False)
        if self.inband is not None:
            self.inband.close()
            self.inband = None
        event = EndEvent(cause, self.call.direction, self.call.was_answered, code)
        try:
            result = outcome(event)
        except UnmappableEnd:
            log_exception(f"no mapping for {event}; filing the call as failed")
            by = HangupBy.LOCAL if self.local_cause else HangupBy.REMOTE
            result = Outcome(by, HangupReason.FAILED)
        detail = _detail(cause, code, reason)
        if self.srtp_required and code == 488 and not self.call.was_answered:
            detail = ("the far end refused the media (488): it does not offer SRTP, "
                      "which this account requires")
        self._diag(sip_code=code, sip_reason=reason or None, detail=detail)
        self.call.end(result.hangup_by, result.hangup_reason)
        self.engine.publish(self)
        self.engine.retire(self)

    # -- our acts ----------------------------------------------------------------------

    def end_locally(self, cause: EndCause, sip_code: int | None = None) -> None:
        """Hang up, cancel or reject, whichever the call's state calls for."""
        if self.call.is_over or self.local_cause is not None:
            return
        self.local_cause = cause
        self.engine.note_local_end()
        answered = self.call.was_answered
        self.stop_recording(publish=False)
        self._move(local_end_status(self.call.direction, answered))
        param = pj.CallOpParam()
        if not answered and not self.outgoing:
            param.statusCode = sip_code or 486
        try:
            if self.pj is not None:
                self.pj.hangup(param)
        except pj.Error as exc:
            # The call is already gone in pjsua (a race with the far end): finish it here.
            _log.info("hangup of %s: %s", self.call.id, exc.reason)
            self.finish(cause, None, None)

    def dial_timeout_reached(self) -> None:
        if self.call.status in (CallStatus.DIALING, CallStatus.RINGING):
            self.end_locally(EndCause.DIAL_TIMEOUT)

    def ring_timeout_reached(self) -> None:
        if self.call.status is CallStatus.RINGING:
            self.end_locally(EndCause.RING_TIMEOUT, 480)

    def max_duration_reached(self) -> None:
        if self.call.status is CallStatus.PROGRESSING:
            self.end_locally(EndCause.MAX_DURATION)

    def send_dtmf(self, digits: str) -> None:
        assert self.pj is not None
        if self.dtmf_method is DtmfMethod.INBAND:
            if self.inband is None:
                self.inband = InbandDtmf(self.pj.getAudioMedia(-1))
            self.inband.play(digits)
        else:
            send_dtmf(self.pj, digits, self.dtmf_method)

    def answer(self) -> None:
        if self.pj is None or self.call.status is not CallStatus.RINGING or self.outgoing:
            raise ValueError("only a ringing incoming call can be answered")
        param = pj.CallOpParam()
        param.statusCode = 200
        self.pj.answer(param)

    # -- recording -----------------------------------------------------------------------

    def _sync_recording(self) -> None:
        # A call is recorded only while it is progressing, and only once media flows.
        if (
            self.record_wanted
            and self.recording is None
            and self.media_active
            and self.call.status is CallStatus.PROGRESSING
        ):
            self._start_recording()

    def _start_recording(self) -> None:
        assert self.pj is not None
        folder = self.engine.recordings_dir
        recording_id = uuid4()
        remote = self.call.remote.target
        path = recording_path(folder, recording_id, self.call.direction.value, remote)
        try:
            recording = Recording(recording_id, path)
            recording.add_source(self.pj.getAudioMedia(-1))
            recording.add_source(self.engine.capture_media())
        except (pj.Error, OSError) as exc:
            message = exc.reason if isinstance(exc, pj.Error) else str(exc)
            _log.error("cannot record to %s: %s", path, message)
            self.record_wanted = False
            return
        self.recording = recording
        self.call.recording_id = recording_id
        self.call.recording_ids = [*self.call.recording_ids, recording_id]
        self.call.touch()
        self.engine.publish(self)

    def set_recording(self, wanted: bool) -> None:
        self.record_wanted = wanted
        if wanted:
            self._sync_recording()
        else:
            self.stop_recording(publish=True)

    def stop_recording(self, *, publish: bool) -> None:
        if self.recording is None:
            return
        self.recording.close()
        self.recording = None
        self.call.recording_id = NIL_ID
        if publish:
            self.call.touch()
            self.engine.publish(self)


def _detail(cause: EndCause, code: int | None, reason: str | None) -> str:
    sip = f"{code} {reason}".strip() if code else (reason or "")
    text = {
        EndCause.REMOTE_FINAL_RESPONSE: f"the far end answered {sip}",
        EndCause.REMOTE_BYE: "the far end hung up",
        EndCause.REMOTE_CANCEL: "the caller cancelled before answer",
        EndCause.NO_RESPONSE: "no response to the INVITE",
        EndCause.TRANSPORT_ERROR: f"the INVITE could not be sent ({sip})" if sip else
        "the INVITE could not be sent",
        EndCause.LOCAL_BYE: "we hung up",
        EndCause.LOCAL_CANCEL: "we cancelled before answer",
        EndCause.LOCAL_REJECT: "we declined the call",
        EndCause.LOCAL_REFUSED: f"we refused the call ({sip})" if sip else "we refused the call",
        EndCause.DIAL_TIMEOUT: "our dialing timeout ran out",
        EndCause.MAX_DURATION: "our maximum call duration ran out",
        EndCause.RING_TIMEOUT: "our ring timeout ran out",
        EndCause.AMD: "answering-machine detection hung up",
    }[cause]
    return text


