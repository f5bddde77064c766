"""One call: the pjsua2 Call object and the VoIPBIN-shaped Call it keeps up to date.

A session knows its call and nothing of the engine beyond :class:`SessionHost`; everything
it sends into or takes out of the call's audio goes through its media graph (CallMedia).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol
from uuid import uuid4

import pjsua2 as pj

from softphone.engine import transfer as transfers
from softphone.engine.dtmf import send as send_dtmf
from softphone.engine.ending import EndSource, end_cause, end_detail, read_end
from softphone.engine.errors import EngineError
from softphone.engine.media import BridgeEnds, CallMedia
from softphone.engine.pjcall import LIVE_CALLS, PjCall, guarded, log_exception
from softphone.engine.quality import QualityMeter
from softphone.engine.receive_meter import ReceiveMeter
from softphone.engine.recorder import recording_path
from softphone.engine.sipmsg import HEADER_LIMIT, call_id_text, header, status_code
from softphone.engine.timers import TimerHandle
from softphone.engine.transport import error_text
from softphone.engine.wire import wire_message, wire_text
from softphone.model import (
    Call,
    CallChange,
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
from softphone.model.quality import QualitySummary

__all__ = ["LIVE_CALLS", "CallSession", "PjCall", "SessionHost", "guarded", "log_exception"]

_log = logging.getLogger(__name__)

# Provisional responses that mean "the phone is ringing"; 183 alone leaves us dialing.
_RINGING_CODES = frozenset({180, 181, 182})
QUALITY_INTERVAL_S = 1.0


class SessionHost(BridgeEnds, Protocol):
    """What a call session needs of the engine: no more."""

    @property
    def recordings_dir(self) -> Path: ...

    def publish(self, session: CallSession, changes: Iterable[CallChange]) -> None: ...

    def retire(self, session: CallSession) -> None: ...

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> TimerHandle: ...

    def note_local_end(self) -> None: ...

    def transfer_requested(
        self, session: CallSession, prm: pj.OnCallTransferRequestParam
    ) -> None: ...

    def call_replaced(self, session: CallSession, prm: pj.OnCallReplacedParam) -> None: ...


class CallSession:
    def __init__(
        self,
        host: SessionHost,
        call: Call,
        *,
        record: bool = False,
        max_duration_s: float | None = None,
    ) -> None:
        self.host = host
        self.call = call
        self.pj: PjCall | None = None
        self.record_wanted = record
        self.max_duration_s = max_duration_s
        self.local_cause: EndCause | None = None
        self.srtp_required = False
        self.dtmf_method = DtmfMethod.RFC2833
        self.diagnostics = CallDiagnostics()
        self.got_response = False
        self.media = CallMedia(host)
        # How the call came to be, when not by a plain dial ("transferred by sip:...").
        self.origin: str | None = None
        self.timers: dict[str, TimerHandle] = {}
        self._invite_sent_at = time.monotonic()
        self._answering = False
        self._quality_meter = QualityMeter()
        self.hold_sent = False  # the hold state our last re-INVITE asked for
        self.transfer: transfers.Transfer | None = None  # a transfer we are making

    # -- helpers ---------------------------------------------------------------------

    @property
    def outgoing(self) -> bool:
        return self.call.direction is CallDirection.OUTGOING

    @property
    def media_active(self) -> bool:
        return self.media.state.active

    def publish(self, *changes: CallChange) -> None:
        self.host.publish(self, changes)

    def set_diag(self, **changes: Any) -> None:
        self._diag(**changes)

    def _diag(self, **changes: Any) -> None:
        self.diagnostics = self.diagnostics.model_copy(update=changes)

    def _move(self, status: CallStatus) -> bool:
        if not can_move(self.call.status, status):
            return False
        self.call.move_to(status)
        self.publish(CallChange.STATUS)
        return True

    def set_timer(self, name: str, delay_s: float | None, callback: Callable[[], None]) -> None:
        if delay_s is None:
            return
        self.cancel_timer(name)
        self.timers[name] = self.host.call_later(delay_s, callback)

    def cancel_timer(self, name: str) -> None:
        handle = self.timers.pop(name, None)
        if handle is not None:
            handle.cancel()

    def _note_response(self, message: str) -> None:
        """A response to our INVITE: post-dial delay (RFC 6076) and the far end's agent."""
        code = status_code(message)
        if code is None:
            return
        self.got_response = True
        if code > 100 and self.diagnostics.post_dial_delay_ms is None and self.outgoing:
            pdd = round((time.monotonic() - self._invite_sent_at) * 1000)
            self._diag(post_dial_delay_ms=pdd)
        agent = header(message, "User-Agent", "Server")
        if agent and self.diagnostics.user_agent is None:
            self._diag(user_agent=agent)

    # -- pjsua2 callbacks ------------------------------------------------------------

    def on_tsx(self, prm: pj.OnCallTsxStateParam) -> None:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        tsx_event = event.body.tsxState
        if tsx_event.type != pj.PJSIP_EVENT_RX_MSG:
            return
        message = wire_message(tsx_event.src.rdata.wholeMsg)
        if tsx_event.tsx.method == "INVITE" and status_code(message) is not None:
            self._note_response(message)
        elif self.diagnostics.user_agent is None:
            # Many phones name themselves only in their requests (pjsua: no Server header
            # in responses): their BYE, re-INVITE or INFO says who they are.
            agent = header(message, "User-Agent", "Server")
            if agent:
                self._diag(user_agent=agent)

    def on_state(self, prm: pj.OnCallStateParam) -> None:
        if self.pj is None or self.call.is_over:
            return
        info = self.pj.getInfo()
        if not self.diagnostics.call_id_header:
            self._diag(call_id_header=call_id_text(info.callIdString))
        state = info.state
        if state == pj.PJSIP_INV_STATE_EARLY and self.outgoing:
            if info.lastStatusCode in _RINGING_CODES and self.call.status is CallStatus.DIALING:
                self._move(CallStatus.RINGING)
        elif state == pj.PJSIP_INV_STATE_CONFIRMED:
            self._answered()
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED:
            facts = read_end(prm.e)
            code = int(info.lastStatusCode)
            if facts.source is EndSource.RESPONSE and self.outgoing:
                # pjsua may report the end before the transaction callback that carries
                # the response (a final answer with no provisional before it).
                self._note_response(facts.message)
                code = status_code(facts.message) or code
            if self._answering and self.local_cause is None:
                # Ended inside our own answer(): pjsua could not use their offer and
                # answered 488 itself. We refused the call, it did not fail remotely.
                self.local_cause = EndCause.LOCAL_REFUSED
                self.origin = "their media offer is unusable"
                self._move(CallStatus.TERMINATING)
            cause = end_cause(
                local_cause=self.local_cause,
                answered=self.call.was_answered,
                outgoing=self.outgoing,
                source=facts.source,
                code=code,
                got_response=self.got_response,
            )
            self.finish(cause, code, wire_text(info.lastReason, HEADER_LIMIT))

    def on_media(self) -> None:
        if self.pj is None or self.call.is_over:
            return
        before = self.media.state
        if getattr(self.host, "meter_received", False) and self.media.meter is None:
            self.media.meter = ReceiveMeter.created()
        after = self.media.rebuild(self.pj)
        self._sync_recording()
        # Every call here is a media change: a re-INVITE may have recreated the stream even
        # when nothing a user sees differs (listeners that send into it wait for this).
        changes = [CallChange.MEDIA]
        if (after.held_by_us, after.held_by_them) != (before.held_by_us, before.held_by_them):
            self._diag(held_by_us=after.held_by_us, held_by_them=after.held_by_them)
            changes.append(CallChange.HOLD)
        self.publish(*changes)  # early media also replaces the ringback tone at once

    def on_transfer_request(self, prm: pj.OnCallTransferRequestParam) -> None:
        self.host.transfer_requested(self, prm)

    def on_replaced(self, prm: pj.OnCallReplacedParam) -> None:
        self.host.call_replaced(self, prm)

    def on_transfer_status(self, prm: pj.OnCallTransferStatusParam) -> None:
        transfers.progress(self, prm)

    def on_dtmf(self, digit: str) -> None:
        """A digit the far end sent (RFC 2833 or SIP INFO): shown live, kept in details."""
        digit = wire_text(digit, 4)[:1].upper()
        if not digit or self.call.is_over:
            return
        self._diag(dtmf_received=self.diagnostics.dtmf_received + digit)
        self.publish(CallChange.DIAGNOSTICS)

    def set_muted(self, muted: bool) -> None:
        self.media.muted = muted
        self.media.reconnect()
        self._diag(muted=muted)
        self.publish(CallChange.HOLD)

    # -- moments -----------------------------------------------------------------------

    def _answered(self) -> None:
        if self.call.status not in (CallStatus.DIALING, CallStatus.RINGING):
            return  # answered after we started ending it: our end still applies
        self.cancel_timer("dial")
        self.cancel_timer("ring")
        if self.media.meter is not None:
            self.media.meter.restart()  # the share is of the answered call: not early media
        self._move(CallStatus.PROGRESSING)
        self.set_timer("max_duration", self.max_duration_s, self.max_duration_reached)
        self._sync_recording()
        self.set_timer("quality", QUALITY_INTERVAL_S, self._measure_quality)

    def _measure_quality(self) -> None:
        """Each second of an answered call: a sample, the running summary, an update that
        says only QUALITY changed (the history does not write it each second)."""
        if self.pj is None or self.call.status is not CallStatus.PROGRESSING:
            return
        self.set_timer("quality", QUALITY_INTERVAL_S, self._measure_quality)
        state = self.media.state
        if self.media.index < 0 or state.held_by_us or state.held_by_them:
            return  # no stream yet, or on hold: silence is not quality
        try:
            sample = self._quality_meter.sample(self.pj, self.media.index)
        except pj.Error:
            return  # the stream is being recreated (re-INVITE): next second
        summary = self.diagnostics.quality
        summary = summary.add(sample) if summary is not None else QualitySummary.first(sample)
        self._diag(quality=summary, quality_now=sample)
        self.publish(CallChange.QUALITY)

    def finish(self, cause: EndCause, code: int | None, reason: str | None) -> None:
        """End the Call: work out who and why, stamp hangup, publish, release pjsua2."""
        if self.call.is_over:
            return
        for name in list(self.timers):
            self.cancel_timer(name)
        self._close_recording(publish=False)
        self.media.close()
        if self.media.heard_pct is not None and hasattr(self.host, "heard_pct"):
            self.host.heard_pct[self.call.id] = self.media.heard_pct
        event = EndEvent(cause, self.call.direction, self.call.was_answered, code)
        try:
            result = outcome(event)
        except UnmappableEnd:
            log_exception(f"no mapping for {event}; filing the call as failed")
            by = HangupBy.LOCAL if self.local_cause else HangupBy.REMOTE
            result = Outcome(by, HangupReason.FAILED)
        detail = end_detail(cause, code, reason)
        if self.srtp_required and code == 488 and not self.call.was_answered:
            detail = ("the far end refused the media (488): it does not offer SRTP, "
                      "which this account requires")
        if self.origin:
            detail = f"{self.origin}; {detail}"
        if self.diagnostics.dtmf_received:
            detail = f"{detail}; DTMF received: {self.diagnostics.dtmf_received}"
        self.transfer = None
        self._diag(sip_code=code, sip_reason=reason or None, detail=detail, quality_now=None,
                   held_by_us=False, held_by_them=False, muted=False)
        self.call.end(result.hangup_by, result.hangup_reason)
        self.publish(CallChange.STATUS, CallChange.DIAGNOSTICS)
        self.host.retire(self)

    # -- our acts ----------------------------------------------------------------------

    def end_locally(self, cause: EndCause, sip_code: int | None = None) -> None:
        """Hang up, cancel or reject, whichever the call's state calls for."""
        if self.call.is_over or self.local_cause is not None:
            return
        self.local_cause = cause
        self.host.note_local_end()
        answered = self.call.was_answered
        self._close_recording(publish=False)
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
            self.finish(cause, sip_code if not answered else None, None)

    def refuse_offer(self, reason: str) -> None:
        """Their SDP offer cannot be used (IPv6 to an IPv4 transport, a bad address, no
        common codec): we refuse the call with 488. One log line, no traceback."""
        _log.warning("incoming call from %s refused: its media offer is unusable (%s)",
                     self.call.remote.target, reason)
        self.origin = f"their media offer is unusable: {reason}"
        self.end_locally(EndCause.LOCAL_REFUSED, 488)

    def dial_timeout_reached(self) -> None:
        if self.call.status in (CallStatus.DIALING, CallStatus.RINGING):
            self.end_locally(EndCause.DIAL_TIMEOUT)

    def ring_timeout_reached(self) -> None:
        if self.call.status is CallStatus.RINGING:
            self.end_locally(EndCause.RING_TIMEOUT, 480)

    def max_duration_reached(self) -> None:
        if self.call.status is CallStatus.PROGRESSING:
            self.end_locally(EndCause.MAX_DURATION)

    def send_dtmf(self, digits: str, duration_ms: int | None = None) -> None:
        assert self.pj is not None
        if self.dtmf_method is DtmfMethod.INBAND:
            try:
                self.media.play_inband_dtmf(digits)
            except RuntimeError as exc:
                raise EngineError(str(exc)) from None
        else:
            send_dtmf(self.pj, digits, self.dtmf_method, duration_ms)

    def answer(self) -> None:
        if self.pj is None or self.call.status is not CallStatus.RINGING or self.outgoing:
            raise ValueError("only a ringing incoming call can be answered")
        self._respond(200)

    def send_ringing(self) -> bool:
        """Our 180 to a new incoming call; False when pjsua could not use their offer
        (then the call is refused, 488)."""
        try:
            self._respond(180)
        except EngineError:
            return False
        return True

    def _respond(self, code: int) -> None:
        """Answer the INVITE with ``code``. pjsua creates the media here: an offer it
        cannot use (IPv6 to our IPv4 transport, a bad address) raises, and pjsua may end
        the call inside the same call (on_state sees _answering)."""
        assert self.pj is not None
        param = pj.CallOpParam()
        param.statusCode = code
        self._answering = True
        try:
            self.pj.answer(param)
        except pj.Error as exc:
            reason = error_text(exc)
            del exc  # no traceback may keep the pjsua2 Call alive
            if self.call.is_over:  # pjsua already answered 488 and ended it (on_state)
                _log.warning("incoming call from %s refused: its media offer is unusable "
                             "(%s)", self.call.remote.target, reason)
            elif self._still_offered():
                self.refuse_offer(reason)
            raise EngineError(f"could not answer: {reason}") from None
        finally:
            self._answering = False

    def _still_offered(self) -> bool:
        """Whether the INVITE is still waiting for our final answer (not already answered
        by pjsua itself, as an INVITE with Replaces is)."""
        try:
            state = self.pj.getInfo().state if self.pj is not None else None
        except pj.Error:
            return False
        return state in (pj.PJSIP_INV_STATE_INCOMING, pj.PJSIP_INV_STATE_EARLY)

    def answered_by_pjsua(self) -> None:
        """pjsua answered this call itself (an INVITE with Replaces): it is progressing,
        never ringing for a policy to answer or decline."""
        self._answered()

    # -- recording -----------------------------------------------------------------------

    def _sync_recording(self) -> None:
        # A call is recorded only while it is progressing, and only once media flows.
        if (
            self.record_wanted
            and self.media.recording is None
            and self.media.state.on_bridge
            and self.call.status is CallStatus.PROGRESSING
        ):
            self._start_recording()

    def _start_recording(self) -> None:
        recording_id = uuid4()
        path = recording_path(self.host.recordings_dir, recording_id,
                              self.call.direction.value, self.call.remote.target)
        try:
            self.media.start_recording(recording_id, path)
        except (pj.Error, OSError, RuntimeError) as exc:
            message = error_text(exc) if isinstance(exc, pj.Error) else str(exc)
            _log.error("cannot record to %s: %s", path, message)
            self.record_wanted = False
            return
        self.call.recording_id = recording_id
        self.call.recording_ids = [*self.call.recording_ids, recording_id]
        self.call.touch()
        self.publish(CallChange.RECORDING)

    def set_recording(self, wanted: bool) -> None:
        self.record_wanted = wanted
        if wanted:
            self._sync_recording()
        else:
            self._close_recording(publish=True)

    def _close_recording(self, *, publish: bool) -> None:
        if self.media.stop_recording() is None:
            return
        self.call.recording_id = NIL_ID
        if publish:
            self.call.touch()
            self.publish(CallChange.RECORDING)
