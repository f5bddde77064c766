"""The pure mapping from how a call ended to ``hangup_by`` and ``hangup_reason``.

This is DESIGN.md's call-semantics table as code. The engine reports *what happened*
(an :class:`EndEvent`); this module alone decides what it means.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from softphone.model.enums import CallDirection, CallStatus, HangupBy, HangupReason


class EndCause(StrEnum):
    # The far end or the network ended it.
    REMOTE_FINAL_RESPONSE = "remote_final_response"  # their non-2xx final answer to our INVITE
    REMOTE_BYE = "remote_bye"
    REMOTE_CANCEL = "remote_cancel"  # the caller gave up on an incoming call
    NO_RESPONSE = "no_response"  # our INVITE was never answered (timer B)
    TRANSPORT_ERROR = "transport_error"  # could not send at all: DNS, connection refused
    # We ended it, by our own act.
    LOCAL_BYE = "local_bye"
    LOCAL_CANCEL = "local_cancel"
    LOCAL_REJECT = "local_reject"  # we declined an incoming call (or do-not-disturb)
    LOCAL_REFUSED = "local_refused"  # the engine could not take it: busy (486, the call
    # limit) or unusable (488, an SDP offer we cannot use; any other code is failed too)
    DIAL_TIMEOUT = "dial_timeout"
    MAX_DURATION = "max_duration"
    RING_TIMEOUT = "ring_timeout"
    AMD = "amd"
    MASTER_ENDED = "master_ended"  # a chained call whose master call ended (VoIPBIN)


LOCAL_CAUSES = frozenset(
    {
        EndCause.LOCAL_BYE,
        EndCause.LOCAL_CANCEL,
        EndCause.LOCAL_REJECT,
        EndCause.LOCAL_REFUSED,
        EndCause.DIAL_TIMEOUT,
        EndCause.MAX_DURATION,
        EndCause.RING_TIMEOUT,
        EndCause.AMD,
        EndCause.MASTER_ENDED,
    }
)


@dataclass(frozen=True)
class EndEvent:
    cause: EndCause
    direction: CallDirection
    answered: bool
    sip_code: int | None = None


@dataclass(frozen=True)
class Outcome:
    hangup_by: HangupBy
    hangup_reason: HangupReason


class UnmappableEnd(ValueError):
    """An end event that cannot happen (a 2xx 'failure', a CANCEL after answer...)."""


def reason_for_final_response(code: int) -> HangupReason:
    """What a remote non-2xx final response to our INVITE means."""
    if not 300 <= code <= 699:
        raise UnmappableEnd(f"{code} is not a final failure response")
    if code in (486, 600):
        return HangupReason.BUSY
    # 480 and 603 are the destination's own no-answer or refusal; a 487 we did not ask
    # for (no CANCEL of ours) is a proxy giving up on ringing: its no-answer timeout.
    if code in (480, 487, 603):
        return HangupReason.NOANSWER
    # 3xx not followed, 404, 401/403/407 not overcome, 408, 484, 488, 5xx, 604, 606, ...
    return HangupReason.FAILED


def outcome(event: EndEvent) -> Outcome:
    cause = event.cause
    by = HangupBy.LOCAL if cause in LOCAL_CAUSES else HangupBy.REMOTE
    if cause is EndCause.MASTER_ENDED:
        # VoIPBIN hangs up a master's chained calls with reason normal, ringing or not.
        return Outcome(by, HangupReason.NORMAL)
    if event.answered:
        if cause is EndCause.MAX_DURATION:
            return Outcome(by, HangupReason.TIMEOUT)
        if cause is EndCause.AMD:
            return Outcome(by, HangupReason.AMD)
        if cause in (EndCause.LOCAL_BYE, EndCause.REMOTE_BYE, EndCause.TRANSPORT_ERROR,
                     EndCause.NO_RESPONSE):
            # A call that was answered ended normally whoever (or whatever) ended it.
            return Outcome(by, HangupReason.NORMAL)
        raise UnmappableEnd(f"{cause.value} cannot end a call that was answered")

    incoming = event.direction is CallDirection.INCOMING
    match cause:
        case EndCause.REMOTE_FINAL_RESPONSE if not incoming:
            if event.sip_code is None:
                raise UnmappableEnd("a final response needs its SIP code")
            return Outcome(by, reason_for_final_response(event.sip_code))
        case EndCause.NO_RESPONSE | EndCause.TRANSPORT_ERROR:
            return Outcome(by, HangupReason.FAILED)
        case EndCause.LOCAL_REFUSED if incoming and event.sip_code not in (None, 486, 600):
            # Refused for what it is, not because we are busy: an offer we cannot use
            # (488), a request pjsua cannot take. Signalling never reached a phone here.
            return Outcome(by, HangupReason.FAILED)
        case EndCause.REMOTE_CANCEL if incoming:
            return Outcome(by, HangupReason.CANCEL)
        case EndCause.LOCAL_CANCEL | EndCause.LOCAL_BYE if not incoming:
            # Hanging up an unanswered outgoing call is a CANCEL whichever button did it.
            return Outcome(by, HangupReason.CANCEL)
        case EndCause.LOCAL_REJECT | EndCause.LOCAL_REFUSED | EndCause.LOCAL_BYE if incoming:
            return Outcome(by, HangupReason.BUSY)
        case EndCause.DIAL_TIMEOUT if not incoming:
            return Outcome(by, HangupReason.DIALOUT)
        case EndCause.RING_TIMEOUT if incoming:
            return Outcome(by, HangupReason.NOANSWER)
        case EndCause.AMD:
            return Outcome(by, HangupReason.AMD)
    raise UnmappableEnd(
        f"{cause.value} cannot end an unanswered {event.direction.value or 'unknown'} call"
    )


def local_end_status(direction: CallDirection, answered: bool) -> CallStatus:
    """The status a call passes through when we end it: only the originator cancels."""
    if not answered and direction is CallDirection.OUTGOING:
        return CallStatus.CANCELING
    return CallStatus.TERMINATING
