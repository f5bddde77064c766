"""The incoming-call policy, applied on the engine side for the window and the command line.

One object listens to call updates and acts through the engine's own timers: answer after
a delay, decline (do-not-disturb), let ring until a ring timeout, limit the talk time,
record, hang up after a while; and it counts missed calls. Flows will run here later.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID

from softphone.engine.errors import EngineError
from softphone.engine.timers import TimerHandle
from softphone.model import Call, CallDirection, CallStatus, EndCause
from softphone.model.policy import IncomingMode, IncomingPolicy, is_missed

_log = logging.getLogger(__name__)


class _Update(Protocol):
    @property
    def call(self) -> Call: ...


class PolicyEngine(Protocol):
    """What the policy needs from the engine, and no more (flows will use the same)."""

    def add_listener(self, listener: Callable[[_Update], None]) -> None: ...

    def remove_listener(self, listener: Callable[[_Update], None]) -> None: ...

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> TimerHandle: ...

    def answer(self, call_id: UUID) -> None: ...

    def end_call(
        self, call_id: UUID, cause: EndCause | None = None, sip_code: int | None = None
    ) -> None: ...

    def set_max_duration(self, call_id: UUID, seconds: float | None) -> None: ...

    def set_recording(self, call_id: UUID, wanted: bool) -> None: ...


MissedListener = Callable[[int], None]


class MissedCalls:
    """How many calls were missed since the user last looked (the window resets it)."""

    def __init__(self) -> None:
        self.count = 0
        self._listeners: list[MissedListener] = []

    def add_listener(self, listener: MissedListener) -> None:
        self._listeners.append(listener)

    def reset(self) -> None:
        self._set(0)

    def _set(self, count: int) -> None:
        self.count = count
        for listener in list(self._listeners):
            listener(count)

    def note(self) -> None:
        self._set(self.count + 1)


@dataclass
class _Ringing:
    """An incoming call the policy acts on, with the policy as it stood when it arrived."""

    call: Call
    policy: IncomingPolicy
    timers: dict[str, TimerHandle] = field(default_factory=dict)


class CallPolicy:
    """Applies an :class:`IncomingPolicy` to every incoming call of one engine."""

    def __init__(self, engine: PolicyEngine, policy: IncomingPolicy | None = None) -> None:
        self._engine = engine
        self.policy = policy or IncomingPolicy()
        self.missed = MissedCalls()
        self._calls: dict[UUID, _Ringing] = {}
        self._listener = self._on_update
        engine.add_listener(self._listener)

    def configure(self, policy: IncomingPolicy) -> None:
        """From the next incoming call on (a ringing call keeps what it started with)."""
        self.policy = policy

    def close(self) -> None:
        """Stop acting on calls (the window is going); timers already set are cancelled."""
        with contextlib.suppress(ValueError):  # already closed
            self._engine.remove_listener(self._listener)
        for tracked in self._calls.values():
            for handle in tracked.timers.values():
                handle.cancel()
        self._calls.clear()

    # -- the calls -------------------------------------------------------------------------

    def _on_update(self, update: _Update) -> None:
        call = update.call
        if call.direction is not CallDirection.INCOMING:
            return
        tracked = self._calls.get(call.id)
        if tracked is None:
            if call.status is CallStatus.RINGING:
                self._arrived(call)
            return
        tracked.call = call
        if call.is_over:
            self._forget(call.id)
            if is_missed(call):
                self.missed.note()
        elif call.status is not CallStatus.RINGING:
            # Answered or being ended: what was waiting for the ringing is moot.
            for name in ("answer", "reject", "ring_timeout"):
                self._cancel(tracked, name)

    def _arrived(self, call: Call) -> None:
        policy = self.policy
        tracked = _Ringing(call, policy)
        self._calls[call.id] = tracked
        call_id = call.id
        # Inside the engine's incoming-call callback here: every act waits for a timer.
        if policy.max_duration_s is not None:
            self._quietly(self._engine.set_max_duration, call_id, policy.max_duration_s)
        if policy.record:
            self._quietly(self._engine.set_recording, call_id, True)  # once it is progressing
        if policy.hangup_after_s is not None:
            self._later(tracked, "hangup", policy.hangup_after_s, self._hang_up)
        if policy.mode is IncomingMode.REJECT:
            self._later(tracked, "reject", 0, self._reject)
        elif policy.mode is IncomingMode.ANSWER:
            self._later(tracked, "answer", policy.answer_after_s, self._answer)
        if policy.ring_timeout_s is not None:
            self._later(tracked, "ring_timeout", policy.ring_timeout_s, self._ring_timeout)

    def _answer(self, call_id: UUID) -> None:
        if self._ringing(call_id):
            self._quietly(self._engine.answer, call_id)

    def _reject(self, call_id: UUID) -> None:
        tracked = self._calls.get(call_id)
        if tracked is not None and self._ringing(call_id):
            code = tracked.policy.reject_code
            self._quietly(self._engine.end_call, call_id, EndCause.LOCAL_REJECT, code)

    def _ring_timeout(self, call_id: UUID) -> None:
        if self._ringing(call_id):
            self._quietly(self._engine.end_call, call_id, EndCause.RING_TIMEOUT, 480)

    def _hang_up(self, call_id: UUID) -> None:
        if call_id in self._calls:
            # As the user's hang-up: decline while ringing, BYE after answer.
            self._quietly(self._engine.end_call, call_id)

    # -- helpers ---------------------------------------------------------------------------

    def _ringing(self, call_id: UUID) -> bool:
        tracked = self._calls.get(call_id)
        return tracked is not None and tracked.call.status is CallStatus.RINGING

    def _later(
        self, tracked: _Ringing, name: str, delay_s: float, act: Callable[[UUID], None]
    ) -> None:
        call_id = tracked.call.id  # the timer keeps an id, never a call session alive
        tracked.timers[name] = self._engine.call_later(delay_s, lambda: act(call_id))

    def _cancel(self, tracked: _Ringing, name: str) -> None:
        handle = tracked.timers.pop(name, None)
        if handle is not None:
            handle.cancel()

    def _forget(self, call_id: UUID) -> None:
        tracked = self._calls.pop(call_id, None)
        if tracked is not None:
            for handle in tracked.timers.values():
                handle.cancel()

    @staticmethod
    def _quietly(act: Callable[..., None], *args: object) -> None:
        # The call ended between our decision and the act (the caller gave up first).
        try:
            act(*args)
        except (EngineError, ValueError) as exc:
            _log.debug("incoming-call policy: %s", exc)
