"""How calls read in the window: durations, parties, times (pure functions, no widgets)."""

from __future__ import annotations

from softphone.model import Address, Call, CallDirection, CallStatus, Timestamp

DIRECTION_ARROWS = {CallDirection.OUTGOING: "↗", CallDirection.INCOMING: "↙"}


def clock(seconds: float | None) -> str:
    """``0:07``, ``12:34``, ``1:02:03``; an en dash when there is no duration."""
    if seconds is None:
        return "\u2013"  # an en dash
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def local_time(stamp: Timestamp | None) -> str:
    if stamp is None:
        return ""
    return stamp.to_datetime().astimezone().strftime("%Y-%m-%d %H:%M:%S")


def party(address: Address) -> str:
    """A display name with its URI or number, or the URI alone."""
    if address.name and address.name != address.target:
        return f"{address.name} <{address.target}>"
    return address.target or "unknown"


def direction_word(direction: CallDirection) -> str:
    return direction.value.capitalize() if direction.value else "Unknown"


def direction_label(direction: CallDirection) -> str:
    return f"{DIRECTION_ARROWS.get(direction, '•')} {direction_word(direction)}"


def redial_target(call: Call) -> str:
    return call.remote.target


def outcome_text(call: Call) -> str:
    """``hangup by remote: busy`` — who ended the call and why, in the seed's words."""
    by = call.hangup_by.value or "unknown"
    reason = call.hangup_reason.value or "unknown"
    return f"hangup by {by}: {reason}"


def plain_status(call: Call) -> str:
    """The status in everyday words, shown beside VoIPBIN's (``progressing`` · talking)."""
    status = call.status
    if status is CallStatus.DIALING:
        return "calling…"
    if status is CallStatus.RINGING:
        return "ringing here" if call.direction is CallDirection.INCOMING else "ringing there"
    if status is CallStatus.PROGRESSING:
        return "talking"
    if status is CallStatus.TERMINATING:
        return "hanging up…"
    if status is CallStatus.CANCELING:
        return "cancelling…"
    return "ended"

