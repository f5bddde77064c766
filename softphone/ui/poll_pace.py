"""How often the window polls pjsip: fast while something is live, seldom when idle.

pjsua2 runs without threads of its own (DESIGN.md), so the GUI thread's QTimer is what
moves SIP along. A fixed 10 ms poll woke the window 100 times a second for nothing
(issue 16). While a call is up, a registration is under way or one of the engine's timers
is due soon, poll every FAST_MS (badge latency and call set-up as before). Otherwise every
IDLE_MS, which bounds how late an incoming INVITE is first seen; or, when the window
watches the SIP socket itself (app.py: a QSocketNotifier wakes it the moment a message
arrives) and no SIP message has passed for RECENT_S, every ASLEEP_MS, for pjsip's own
slow timers (registration refresh, the end of finished transactions).
"""

from __future__ import annotations

import time
from typing import Protocol

from softphone.model.account import AccountState, RegistrationState

FAST_MS = 10
IDLE_MS = 50
ASLEEP_MS = 1000
# After the last SIP message: retransmissions, ACKs and late answers are still likely.
RECENT_S = 5.0


class _Timers(Protocol):
    def next_due_in(self) -> float | None: ...


class PolledEngine(Protocol):
    @property
    def live_call_count(self) -> int: ...

    @property
    def timers(self) -> _Timers: ...

    @property
    def last_sip_message_at(self) -> float: ...

    def account_states(self) -> list[AccountState]: ...


def next_interval_ms(engine: PolledEngine, socket_watched: bool = False) -> int:
    """The wait before the next poll, decided after each poll."""
    if engine.live_call_count:
        return FAST_MS
    if any(s.registration is RegistrationState.REGISTERING for s in engine.account_states()):
        return FAST_MS
    idle = IDLE_MS
    if socket_watched and time.monotonic() - engine.last_sip_message_at >= RECENT_S:
        idle = ASLEEP_MS
    due = engine.timers.next_due_in()
    if due is not None and due * 1000 < idle:
        return max(FAST_MS, int(due * 1000))
    return idle
