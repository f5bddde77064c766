"""A jitter buffer between two clocks: pjmedia's 20 ms ticks and a sound card's callbacks.

The two clocks drift apart (a few samples per second) and deliver in different chunk
sizes. The buffer holds about ``target_ms`` of audio: it refills to that level after
running dry (an underrun: silence is played), and drops the oldest audio when it grows past
``max_ms`` (a drop), so the latency it adds stays bounded whichever clock runs faster.

Running dry counts as an underrun only when audio comes again soon after (a gap in the
sound): when the call's audio simply ends, or pauses for a hold, nothing was lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

# Audio that resumes within this long of the buffer running dry was interrupted.
RESUMED_WITHIN_S = 0.2


class JitterBuffer:
    def __init__(self, rate: int, target_ms: int = 40, max_ms: int = 120,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.target = rate * target_ms // 1000
        self.max = rate * max_ms // 1000
        self._data = np.zeros(0, dtype=np.int16)
        self._lock = threading.Lock()
        self._filling = True  # at start and after an underrun: wait for ``target``
        self.underruns = 0
        self.drops = 0
        self._clock = clock
        self._dry_at: float | None = None  # when it last ran dry, until audio comes again

    @property
    def fill(self) -> int:
        return int(self._data.size)

    def write(self, samples: np.ndarray) -> None:
        with self._lock:
            if self._dry_at is not None:
                if self._clock() - self._dry_at <= RESUMED_WITHIN_S:
                    self.underruns += 1
                self._dry_at = None
            data = np.concatenate((self._data, samples.astype(np.int16, copy=False)))
            if data.size > self.max:
                data = data[data.size - self.target:]
                self.drops += 1
            self._data = data

    def read(self, count: int) -> np.ndarray:
        """Exactly ``count`` samples; silence while (re)filling."""
        with self._lock:
            if self._filling:
                if self._data.size < self.target:
                    return np.zeros(count, dtype=np.int16)
                self._filling = False
            if self._data.size < count:
                self._dry_at = self._clock()
                self._filling = True
                out = np.zeros(count, dtype=np.int16)
                out[: self._data.size] = self._data
                self._data = self._data[:0]
                return out
            out, self._data = self._data[:count], self._data[count:]
            return out

    def reset(self) -> None:
        """Forget buffered audio (a device changed): start filling again, uncounted."""
        with self._lock:
            self._data = self._data[:0]
            self._filling = True
            self._dry_at = None
