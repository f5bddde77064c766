"""What to do with incoming calls, and which calls count as missed: one policy for the window
and the command line (engine/policy.py applies it)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from softphone.model.call import Call
from softphone.model.enums import CallDirection, HangupBy, HangupReason


class IncomingMode(StrEnum):
    ANSWER = "answer"  # after ``answer_after_s`` (the window's auto-answer, `listen`'s default)
    RING = "ring"  # let it ring for the user (or until the ring timeout)
    REJECT = "reject"  # decline at once with ``reject_code`` (do-not-disturb, `listen --reject`)


class IncomingPolicy(BaseModel):
    """Settings for every incoming call, fixed when the call starts ringing."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    mode: IncomingMode = IncomingMode.RING
    answer_after_s: float = Field(default=0.0, ge=0.0)
    reject_code: int = Field(default=486, ge=400, le=699)
    # Stop ringing after this long (480 to the caller: hangup_reason noanswer); None: never.
    ring_timeout_s: float | None = Field(default=None, gt=0.0)
    # Hang up this long after answer (hangup_reason timeout); None: no limit.
    max_duration_s: float | None = Field(default=None, gt=0.0)
    # Hang up this long after the call arrives, whatever its state (decline, or BYE).
    hangup_after_s: float | None = Field(default=None, ge=0.0)
    record: bool = False


def is_missed(call: Call) -> bool:
    """An incoming call nobody here answered or declined: the caller gave up, or it rang out."""
    return (
        call.direction is CallDirection.INCOMING
        and call.is_over
        and not call.was_answered
        and (call.hangup_by is HangupBy.REMOTE or call.hangup_reason is HangupReason.NOANSWER)
    )
