"""Keeping --rate: calls start no closer together than 1/rate seconds (a carrier must
never be flooded), and never more than --concurrency are up at once."""

from __future__ import annotations

import time
from collections.abc import Callable


class Pacer:
    """Evenly spaced starts; ``rate`` None or 0 means as fast as slots free up."""

    def __init__(self, rate: float | None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._next = float("-inf")

    def wait_s(self) -> float:
        """Seconds until the next call may start (0 when it may start now)."""
        return max(0.0, self._next - self._clock())

    def take(self) -> bool:
        """Start a call now if the rate allows it (and count it)."""
        now = self._clock()
        if now < self._next:
            return False
        # Spaced from this start, with no credit saved up: after a pause (every slot
        # busy) the calls do not burst above --rate to catch up.
        self._next = now + self.interval
        return True
