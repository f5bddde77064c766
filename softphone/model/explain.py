"""One plain sentence for every way a call can end, and what to try where it helps.

For people who do not read SIP: built from what the Call says (who hung up, why, its
times) and the final SIP code beside it. VoIPBIN's own words stay shown next to it.
"""

from __future__ import annotations

import math

from softphone.model.call import Call
from softphone.model.enums import CallDirection, HangupBy, HangupReason
from softphone.model.ids import NIL_ID

# What a final SIP code means for the caller, and what to try (RFC 3261 21, as seen by
# a support engineer). Codes not listed fall back to their class.
_CODE_MEANINGS: dict[int, str] = {
    400: "the far end could not read our request (400 Bad Request)",
    401: "the server refused the password or auth user (401): check the account's "
         "user, auth user and password",
    403: "the server does not allow this call from this account (403 Forbidden)",
    404: "that number or user does not exist at the server (404 Not Found): check "
         "the number and the domain",
    405: "the far end does not take calls (405 Method Not Allowed)",
    407: "the proxy refused the password or auth user (407): check the account's "
         "user, auth user and password",
    408: "nothing answered at that address (408 Request Timeout): check host, port, "
         "transport and firewall",
    410: "that number or user is gone from the server (410 Gone)",
    413: "the far end refused our request as too large (413)",
    415: "the far end does not understand our call description (415)",
    416: "the far end does not take that kind of address (416 Unsupported URI Scheme)",
    420: "the far end needs a SIP feature we do not offer (420 Bad Extension)",
    480: "the callee is not reachable now: not registered, or do-not-disturb "
         "(480 Temporarily Unavailable)",
    481: "the far end has no record of this call (481)",
    482: "the call went round in a loop between servers (482 Loop Detected)",
    483: "the call passed through too many servers (483 Too Many Hops)",
    484: "that number is incomplete (484 Address Incomplete): check the number",
    485: "that address is ambiguous at the server (485 Ambiguous)",
    486: "the callee is busy (486 Busy Here)",
    487: "the server stopped ringing the callee, nobody answered (487)",
    488: "no common audio codec or media address (488 Not Acceptable Here): we offer "
         "G.722, PCMU, PCMA, speex, GSM and iLBC",
    491: "both sides changed the call at once (491 Request Pending)",
    500: "the server failed while handling the call (500 Server Internal Error)",
    501: "the server does not support this kind of call (501 Not Implemented)",
    502: "a server on the way got a bad answer from the next one (502 Bad Gateway)",
    503: "the server or its route is out of service (503 Service Unavailable): try "
         "again later, or ask the provider",
    504: "a server on the way got no answer from the next one (504 Server Time-out)",
    513: "our request was too large for the server (513 Message Too Large)",
    580: "the call's conditions could not be met (580 Precondition Failure)",
    600: "the callee is busy everywhere (600 Busy Everywhere)",
    603: "the callee declined the call (603 Decline)",
    604: "that number or user does not exist anywhere (604 Does Not Exist Anywhere)",
    606: "the callee cannot take this kind of call (606 Not Acceptable)",
}


def sip_code_meaning(code: int) -> str:
    if code in _CODE_MEANINGS:
        return _CODE_MEANINGS[code]
    if 300 <= code < 400:
        return (f"the far end sent the call elsewhere ({code} redirect); softphone does "
                "not follow redirects: call the new address yourself")
    if 400 <= code < 500:
        return f"the far end refused the call ({code})"
    if 500 <= code < 600:
        return f"a server failed while handling the call ({code})"
    if 600 <= code < 700:
        return f"the callee refused the call everywhere ({code})"
    return f"the call ended with SIP code {code}"


def _seconds(value: float) -> str:
    if round(value) <= 90:
        return f"{value:.0f} s"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s"


def plain_outcome(call: Call, sip_code: int | None = None) -> str:
    """One sentence a non-expert understands; empty while the call is live."""
    if not call.is_over:
        return ""
    incoming = call.direction is CallDirection.INCOMING
    by_us = call.hangup_by is HangupBy.LOCAL
    reason = call.hangup_reason
    talk = call.talk_seconds()
    rang = None
    if call.tm_hangup is not None and call.tm_ringing is not None:
        rang = (call.tm_hangup.to_datetime() - call.tm_ringing.to_datetime()).total_seconds()
    if reason is HangupReason.NORMAL and call.tm_progressing is None:
        if call.master_call_id != NIL_ID:
            # VoIPBIN's chained rule: a call dialled for another one (a flow's connect)
            # ends as normal when that one ends, even while it still rang.
            return ("We hung up before it was answered: the call it was dialled for "
                    "had ended.")
        return "The call ended before it was answered."  # VoIPBIN files some so
    if reason is HangupReason.NORMAL:
        who = "you hung up" if by_us else (
            "the caller hung up" if incoming else "the callee hung up")
        # Whole seconds down, as the card's talk clock counts (0:45 beside "after 45 s").
        length = f" after {_seconds(math.floor(talk))}" if talk is not None else ""
        return f"The call was answered and ended normally{length}: {who}."
    if reason is HangupReason.TIMEOUT:
        length = f" of {_seconds(talk)}" if talk is not None else ""
        return f"Our maximum call duration{length} ran out, so we hung up."
    if reason is HangupReason.AMD:
        return "Answering-machine detection heard a machine and hung up."
    if reason is HangupReason.DIALOUT:
        after = f" within {_seconds(rang)}" if rang is not None and rang > 0 else ""
        return f"Nobody answered{after}: our dialing timeout ran out and we cancelled."
    if reason is HangupReason.CANCEL:
        if incoming:
            return "The caller hung up before the call was answered (a missed call)."
        return "You hung up before the call was answered."
    if incoming:
        if reason is HangupReason.NOANSWER and by_us:
            after = f" after {_seconds(rang)}" if rang is not None else ""
            return f"Nobody answered: it rang out{after}."
        if reason is HangupReason.BUSY and by_us:
            if sip_code in (None, 486, 600, 603):
                return "You declined the call (or do-not-disturb was on)."
            return f"We refused the call: {sip_code_meaning(sip_code)}."
        if reason is HangupReason.FAILED and by_us:
            if sip_code == 488:
                return ("We refused the call: its audio offer cannot be used (no common "
                        "codec, or an address we cannot reach).")
            if sip_code:
                return f"We refused the call: {sip_code_meaning(sip_code)}."
            return "We could not take the call."
        return "The call was lost before it was answered: the caller's side never " \
               "confirmed our answer."
    if sip_code:
        return f"The call did not connect: {sip_code_meaning(sip_code)}."
    return ("The call did not connect: nothing answered at that address, or it could not "
            "be reached: check host, port, transport and firewall.")
