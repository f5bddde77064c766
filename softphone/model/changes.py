"""What a call update changed, so each listener does only the work that change needs.

A quality tick every second must not write the history once per call per second; a status
change must. Listeners test membership (``CallChange.STATUS in update.changes``).
"""

from __future__ import annotations

from enum import StrEnum


class CallChange(StrEnum):
    CREATED = "created"  # the first update of a call
    STATUS = "status"  # status moved (hangup included: the call's end)
    RECORDING = "recording"  # a recording started or stopped
    MEDIA = "media"  # the call's audio came, went, or was rebuilt (re-INVITE)
    HOLD = "hold"  # who holds the call changed
    QUALITY = "quality"  # live quality figures
    ACTION = "action"  # a flow action started
    TYPE = "type"  # the Call's type changed (merged into a conference)
    DIAGNOSTICS = "diagnostics"  # SIP facts beside the Call (codes, User-Agent, details)
    CHAINED = "chained"  # a call was chained to this one (master_call_id, chained_call_ids)


# What the history keeps: every change but the live-only ones (media, hold, quality).
PERSISTED_CHANGES = frozenset(
    {
        CallChange.CREATED,
        CallChange.STATUS,
        CallChange.RECORDING,
        CallChange.ACTION,
        CallChange.TYPE,
        CallChange.DIAGNOSTICS,
        CallChange.CHAINED,
    }
)
