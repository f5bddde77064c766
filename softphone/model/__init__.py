"""The domain model: pydantic only, no SIP library, no Qt.

Its names load on first use (softphone/lazy.py): `softphone.model.enums` alone, say, does not
pay for pydantic (issue 16).
"""

from typing import TYPE_CHECKING

from softphone.lazy import lazy_exports

if TYPE_CHECKING:
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

_EXPORTS = {
    "Action": "softphone.model.call",
    "Address": "softphone.model.call",
    "Call": "softphone.model.call",
    "PERSISTED_CHANGES": "softphone.model.changes",
    "CallChange": "softphone.model.changes",
    "AddressType": "softphone.model.enums",
    "CallDirection": "softphone.model.enums",
    "CallStatus": "softphone.model.enums",
    "CallType": "softphone.model.enums",
    "HangupBy": "softphone.model.enums",
    "HangupReason": "softphone.model.enums",
    "EndCause": "softphone.model.hangup",
    "EndEvent": "softphone.model.hangup",
    "Outcome": "softphone.model.hangup",
    "local_end_status": "softphone.model.hangup",
    "outcome": "softphone.model.hangup",
    "NIL_ID": "softphone.model.ids",
    "IllegalTransition": "softphone.model.status",
    "can_move": "softphone.model.status",
    "Target": "softphone.model.target",
    "TargetError": "softphone.model.target",
    "parse_target": "softphone.model.target",
    "Timestamp": "softphone.model.timestamps",
}

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

__getattr__ = lazy_exports(__name__, _EXPORTS)
