"""The Call, shaped exactly like the VoIPBIN Call (shared/reference/voipbin-call-object.txt)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from softphone.model.enums import (
    AddressType,
    CallDirection,
    CallStatus,
    CallType,
    HangupBy,
    HangupReason,
)
from softphone.model.ids import NIL_ID, CallId, IdList
from softphone.model.status import check_move
from softphone.model.timestamps import OptionalTimestamp, Timestamp

# Reading VoIPBIN JSON: today's API adds fields (customer_id, owner_*, ...) that a softphone
# does not use, so unknown keys are ignored rather than refused.
# defer_build: the schema is built on first use, so a command that never makes a Call
# (`history --json` on an empty folder, `--version`) does not pay for it (issue 16).
_CONFIG = ConfigDict(extra="ignore", validate_assignment=True, use_enum_values=False,
                     defer_build=True)


def _none_to_empty_str(value: Any) -> Any:
    return "" if value is None else value


Text = Annotated[str, BeforeValidator(_none_to_empty_str)]


def _blank_object(value: Any) -> Any:
    return {} if value is None else value


class Address(BaseModel):
    model_config = _CONFIG

    type: AddressType = AddressType.NONE
    target: Text = ""
    target_name: Text = ""
    name: Text = ""
    detail: Text = ""


class Action(BaseModel):
    model_config = _CONFIG

    id: CallId = NIL_ID
    next_id: CallId = NIL_ID
    # VoIPBIN keeps adding action types; a softphone runs none of them, so any
    # lower-case identifier is accepted and only malformed values are refused.
    type: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]*$", max_length=64)] = ""
    option: Annotated[dict[str, Any], BeforeValidator(_blank_object)] = Field(
        default_factory=dict
    )
    tm_execute: OptionalTimestamp = None


class Call(BaseModel):
    model_config = _CONFIG

    id: CallId = NIL_ID
    flow_id: CallId = NIL_ID
    type: CallType = CallType.NONE
    master_call_id: CallId = NIL_ID
    chained_call_ids: IdList = Field(default_factory=list)
    recording_id: CallId = NIL_ID
    recording_ids: IdList = Field(default_factory=list)
    source: Annotated[Address, BeforeValidator(_blank_object)] = Field(default_factory=Address)
    destination: Annotated[Address, BeforeValidator(_blank_object)] = Field(
        default_factory=Address
    )
    status: CallStatus = CallStatus.DIALING
    action: Annotated[Action, BeforeValidator(_blank_object)] = Field(default_factory=Action)
    direction: CallDirection = CallDirection.NONE
    hangup_by: HangupBy = HangupBy.NONE
    hangup_reason: HangupReason = HangupReason.NONE
    tm_create: OptionalTimestamp = None
    tm_update: OptionalTimestamp = None
    tm_progressing: OptionalTimestamp = None
    tm_ringing: OptionalTimestamp = None
    tm_hangup: OptionalTimestamp = None

    # -- the state machine -------------------------------------------------------------

    def move_to(self, status: CallStatus, at: Timestamp | None = None) -> None:
        """Change status through an allowed move, stamping the matching ``tm_*``."""
        check_move(self.status, status)
        at = at or Timestamp.now()
        self.status = status
        if status is CallStatus.RINGING and self.tm_ringing is None:
            self.tm_ringing = at
        elif status is CallStatus.PROGRESSING:
            self.tm_progressing = at
        elif status is CallStatus.HANGUP:
            self.tm_hangup = at
        self.tm_update = at

    def end(
        self, hangup_by: HangupBy, reason: HangupReason, at: Timestamp | None = None
    ) -> None:
        """Move to hangup, recording who ended the call and why."""
        at = at or Timestamp.now()
        check_move(self.status, CallStatus.HANGUP)
        self.hangup_by = hangup_by
        self.hangup_reason = reason
        self.recording_id = NIL_ID
        self.move_to(CallStatus.HANGUP, at)

    def touch(self, at: Timestamp | None = None) -> None:
        self.tm_update = at or Timestamp.now()

    # -- derived views -----------------------------------------------------------------

    @property
    def is_over(self) -> bool:
        return self.status is CallStatus.HANGUP

    @property
    def was_answered(self) -> bool:
        return self.tm_progressing is not None

    @property
    def remote(self) -> Address:
        return self.destination if self.direction is CallDirection.OUTGOING else self.source

    def talk_seconds(self) -> float | None:
        if self.tm_progressing is None:
            return None
        end = self.tm_hangup or Timestamp.now()
        return max(0.0, end.seconds_since(self.tm_progressing))
