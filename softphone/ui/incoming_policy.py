"""The window's call settings as the incoming-call policy the engine applies."""

from __future__ import annotations

from softphone.model.policy import IncomingMode, IncomingPolicy
from softphone.store import CallSettings


def window_policy(calls: CallSettings) -> IncomingPolicy:
    """Do-not-disturb declines (486), auto-answer answers after its delay, else it rings.

    Only outgoing calls take the dialing timeout, the maximum duration and record-all
    (make_call), as before: an incoming call gets the ring timeout alone.
    """
    if calls.do_not_disturb:
        mode = IncomingMode.REJECT
    elif calls.auto_answer:
        mode = IncomingMode.ANSWER
    else:
        mode = IncomingMode.RING
    return IncomingPolicy(
        mode=mode,
        answer_after_s=calls.auto_answer_after_s,
        ring_timeout_s=calls.ring_timeout_s,
    )
