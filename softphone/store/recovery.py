"""How a call left live by a process that died is ended (DESIGN.md, "Recovery").

Nobody saw the call end, so it is ended as by us at the last moment it was known to be
up (its last ``tm_update``): after answer that is a normal end; before answer an outgoing
call was in effect cancelled by us and an incoming one went unanswered.
"""

from __future__ import annotations

from softphone.model.call import Call
from softphone.model.enums import CallDirection, HangupBy, HangupReason
from softphone.model.timestamps import Timestamp

# The call's details (CallDiagnostics.detail), never inside the VoIPBIN JSON.
INTERRUPTED_DETAIL = "interrupted: the softphone handling this call stopped before it ended"


def interrupted_reason(call: Call) -> HangupReason:
    if call.was_answered:
        return HangupReason.NORMAL
    if call.direction is CallDirection.OUTGOING:
        return HangupReason.CANCEL
    return HangupReason.NOANSWER


def end_interrupted(call: Call) -> Call:
    """A copy of the live ``call``, ended as recovery ends it."""
    ended = call.model_copy(deep=True)
    at = call.tm_update or call.tm_progressing or call.tm_ringing or call.tm_create
    ended.end(HangupBy.LOCAL, interrupted_reason(call), at or Timestamp.now())
    return ended
