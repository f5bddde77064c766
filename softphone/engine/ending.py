"""How a call's end is read from pjsua's DISCONNECTED event, and the sentence that tells it.

The cause is decided from the event itself (a response we received, a timer, a transport
failure), never from whether a provisional response came first: a phone on a direct path
answers 486 at once, with no 100 or 180 before it (RFC 3261 asks for 100 only when the
answer takes longer than 200 ms).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pjsua2 as pj

from softphone.engine.sipmsg import status_code
from softphone.engine.wire import wire_message
from softphone.model import EndCause


class EndSource(Enum):
    RESPONSE = "response"  # a SIP response from the far end (or a proxy on the way)
    REQUEST = "request"  # a request from the far end: BYE, CANCEL
    TIMER = "timer"  # a transaction timed out: nothing answered
    TRANSPORT = "transport"  # the message could not be sent
    OTHER = "other"  # our own act, or pjsua gave no event


@dataclass(frozen=True)
class EndFacts:
    source: EndSource
    message: str = ""  # the received message, when the end came with one


def read_end(event: pj.SipEvent | None) -> EndFacts:
    """What ended the INVITE session, from the event pjsua gave with DISCONNECTED."""
    if event is None or event.type != pj.PJSIP_EVENT_TSX_STATE:
        return EndFacts(EndSource.OTHER)
    tsx = event.body.tsxState
    if tsx.type == pj.PJSIP_EVENT_RX_MSG:
        message = wire_message(tsx.src.rdata.wholeMsg)
        kind = EndSource.RESPONSE if status_code(message) is not None else EndSource.REQUEST
        return EndFacts(kind, message)
    if tsx.type == pj.PJSIP_EVENT_TIMER:
        return EndFacts(EndSource.TIMER)
    if tsx.type == pj.PJSIP_EVENT_TRANSPORT_ERROR:
        return EndFacts(EndSource.TRANSPORT)
    return EndFacts(EndSource.OTHER)


def end_cause(
    *,
    local_cause: EndCause | None,
    answered: bool,
    outgoing: bool,
    source: EndSource,
    code: int,
    got_response: bool,
) -> EndCause:
    """The engine's reading of a DISCONNECTED: what happened, for model.hangup to name."""
    if local_cause is not None:
        return local_cause
    if answered:
        return EndCause.REMOTE_BYE
    if not outgoing:
        # 487: the caller's CANCEL. Anything else before answer (an ACK that never
        # came, a transport failure) is the network, not the caller's choice.
        return EndCause.REMOTE_CANCEL if code == 487 else EndCause.NO_RESPONSE
    if source is EndSource.RESPONSE and code >= 300:
        return EndCause.REMOTE_FINAL_RESPONSE
    if source is EndSource.TIMER or (source is EndSource.OTHER and code == 408):
        return EndCause.NO_RESPONSE
    if source is EndSource.TRANSPORT:
        return EndCause.TRANSPORT_ERROR
    # No event to go by: a response seen on this INVITE means the far end decided.
    return EndCause.REMOTE_FINAL_RESPONSE if got_response and code >= 300 else (
        EndCause.NO_RESPONSE if code == 408 else EndCause.TRANSPORT_ERROR
    )


def end_detail(cause: EndCause, code: int | None, reason: str | None) -> str:
    sip = f"{code} {reason}".strip() if code else (reason or "")
    return {
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
        EndCause.MASTER_ENDED: "the call it was connected for ended",
    }[cause]
