"""Deadlines checked from the engine's poll: no threads, so callbacks run on the caller's thread."""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(order=True)
class _Entry:
    due: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class TimerHandle:
    def __init__(self, entry: _Entry) -> None:
        self._entry = entry

    def cancel(self) -> None:
        self._entry.cancelled = True

    @property
    def active(self) -> bool:
        return not self._entry.cancelled


class Timers:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._heap: list[_Entry] = []
        self._seq = itertools.count()

    def call_later(self, delay_s: float, callback: Callable[[], None]) -> TimerHandle:
        entry = _Entry(self._clock() + max(0.0, delay_s), next(self._seq), callback)
        heapq.heappush(self._heap, entry)
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
