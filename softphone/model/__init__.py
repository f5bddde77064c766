"""The domain model: pydantic only, no SIP library, no Qt."""

from softphone.model.call import Action, Address, Call
from softphone.model.changes import PERSISTED_CHANGES, CallChange
from softphone.model.enums import (
    AddressType,
    CallDirection,
    CallStatus,
    CallType,
    HangupBy,
    HangupReason,
)
from softphone.model.hangup import EndCause, EndEvent, Outcome, local_end_status, outcome
from softphone.model.ids import NIL_ID
from softphone.model.status import IllegalTransition, can_move
from softphone.model.target import Target, TargetError, parse_target
from softphone.model.timestamps import Timestamp

__all__ = [
    "NIL_ID",
    "PERSISTED_CHANGES",
    "Action",
    "Address",
    "AddressType",
    "Call",
    "CallChange",
    "CallDirection",
    "CallStatus",
    "CallType",
    "EndCause",
    "EndEvent",
    "HangupBy",
    "HangupReason",
    "IllegalTransition",
    "Outcome",
    "Target",
    "TargetError",
    "Timestamp",
    "can_move",
    "local_end_status",
    "outcome",
    "parse_target",
]
