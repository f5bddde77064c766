"""How often the window polls pjsip: fast while something is live, slowly when idle.

pjsua2 runs without threads of its own (DESIGN.md), so the GUI thread's QTimer is what
moves SIP along. A fixed 10 ms poll woke the window 100 times a second for nothing
(issue 16). While a call is up, a registration is under way or one of the engine's timers
is due soon, poll every FAST_MS (badge latency and call set-up as before); otherwise every
IDLE_MS, which bounds how late an incoming INVITE is first seen.
"""

from __future__ import annotations

from typing import Protocol

from softphone.model.account import AccountState, RegistrationState

FAST_MS = 10
IDLE_MS = 50


class _Timers(Protocol):
    def next_due_in(self) -> float | None: ...


class PolledEngine(Protocol):
    @property
    def live_call_count(self) -> int: ...

    @property
    def timers(self) -> _Timers: ...

    def account_states(self) -> list[AccountState]: ...


def next_interval_ms(engine: PolledEngine) -> int:
    """The wait before the next poll, decided after each poll."""
    if engine.live_call_count:
        return FAST_MS
    due = engine.timers.next_due_in()
    if due is not None and due * 1000 < IDLE_MS:
        return max(FAST_MS, int(due * 1000))
    if any(s.registration is RegistrationState.REGISTERING for s in engine.account_states()):
        return FAST_MS
    return IDLE_MS
