"""Level meters the window polls: the loudness of the latest block, in dBFS."""

from __future__ import annotations

import math

import numpy as np

FLOOR_DBFS = -90.0


def block_dbfs(samples: np.ndarray) -> float:
    """RMS level of int16 or float (full scale 32768) samples; full-scale square = 0 dBFS."""
    if samples.size == 0:
        return FLOOR_DBFS
    x = samples.astype(np.float64, copy=False)
    rms = math.sqrt(float(np.mean(x * x))) / 32768.0
    return max(FLOOR_DBFS, 20.0 * math.log10(rms)) if rms > 0 else FLOOR_DBFS


class LevelMeter:
    """Written by a device thread, read by the GUI: one float, so no lock is needed."""

    def __init__(self) -> None:
        self.dbfs = FLOOR_DBFS

    def update(self, samples: np.ndarray) -> None:
        self.dbfs = block_dbfs(samples)

    def clear(self) -> None:
        self.dbfs = FLOOR_DBFS
