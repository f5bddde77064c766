"""Deadlines checked from the engine's poll: no threads, so callbacks run on the caller's thread."""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

_COMPACT_MIN = 64


@dataclass(order=True)
class _Entry:
    due: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


def _cancelled() -> None:
    pass


class TimerHandle:
    def __init__(self, entry: _Entry) -> None:
        self._entry = entry

    def cancel(self) -> None:
        self._entry.cancelled = True
        # The entry waits in the heap until its due time (a ring timeout, a maximum call
        # duration: up to hours): it must not keep its callback, and the call session that
        # callback holds, alive meanwhile.
        self._entry.callback = _cancelled

    @property
    def active(self) -> bool:
        return not self._entry.cancelled


class Timers:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._heap: list[_Entry] = []
        self._seq = itertools.count()
        self._compact_at = _COMPACT_MIN

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> TimerHandle:
        entry = _Entry(self._clock() + max(0.0, delay_s), next(self._seq), callback)
        heapq.heappush(self._heap, entry)
        if len(self._heap) >= self._compact_at:
            # Cancelled entries leave the heap only from its top; behind a live timer due
            # sooner (the network check every few seconds) they would pile up for as long
            # as their own delay. Drop them when the heap has doubled: amortised O(1).
            self._heap = [e for e in self._heap if not e.cancelled]
            heapq.heapify(self._heap)
            self._compact_at = max(_COMPACT_MIN, 2 * len(self._heap))
        return TimerHandle(entry)

    def run_due(self) -> int:
        """Run every callback that is due; returns how many ran."""
        ran = 0
        now = self._clock()
        while self._heap and self._heap[0].due <= now:
            entry = heapq.heappop(self._heap)
            if entry.cancelled:
                continue
            entry.cancelled = True
            entry.callback()
            ran += 1
        return ran

    def next_due_in(self) -> float | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        if not self._heap:
            return None
        return max(0.0, self._heap[0].due - self._clock())
