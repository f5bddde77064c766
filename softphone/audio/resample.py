"""Streaming sample-rate conversion (a 48 kHz sound card, a 16 kHz conference bridge).

Windowed-sinc interpolation at exact rational positions, so no drift accumulates and any
pair of rates works (44.1 kHz too). The low-pass cut-off sits below the lower Nyquist
frequency: going down from 48 kHz, nothing above 8 kHz folds back into the voice band.
"""

from __future__ import annotations

import math

import numpy as np

HALF_TAPS = 16
# Rates whose output positions cycle through at most this many filter rows (16 <-> 48 kHz:
# 1 and 3) are filtered row by row with np.correlate, in C; others (44.1 kHz: 441 rows)
# gather every tap window at once. Same samples either way (tests/audio/test_dsp.py).
MAX_PHASE_RUNS = 8


class Resampler:
    def __init__(self, in_rate: int, out_rate: int, half_taps: int = HALF_TAPS) -> None:
        g = math.gcd(in_rate, out_rate)
        self.in_rate = in_rate
        self.out_rate = out_rate
        self._step = in_rate // g  # input position advance per output, in 1/_den units
        self._den = out_rate // g
        self._half = half_taps
        self._cutoff = min(1.0, out_rate / in_rate) * 0.92
        self._offsets = np.arange(-half_taps + 1, half_taps + 1)
        # Output positions fall on only ``_den`` distinct fractions of an input sample (3
        # for 16 <-> 48 kHz, 441 for 44.1 kHz): their filter rows are computed once here.
        self._table = self._weights(np.arange(self._den) / self._den)
        # Outputs k, k + runs, k + 2 * runs, ... share a filter row, their windows ``stride``
        # input samples apart.
        self._runs = self._den // math.gcd(self._step, self._den)
        self._stride = self._step * self._runs // self._den
        # Zeros before the first sample, so the first outputs have their left taps.
        self._buf = np.zeros(half_taps, dtype=np.float64)
        self._pos = half_taps * self._den  # position of the next output, in 1/_den units

    def _weights(self, frac: np.ndarray) -> np.ndarray:
        """Blackman-windowed sinc rows, normalised so a constant passes at unit gain."""
        half = self._half
        dist = frac[:, None] - self._offsets[None, :]
        window = 0.42 + 0.5 * np.cos(np.pi * dist / half) + 0.08 * np.cos(2 * np.pi * dist / half)
        weights: np.ndarray = np.sinc(self._cutoff * dist) * window
        weights /= weights.sum(axis=1, keepdims=True)
        return weights

    @property
    def passthrough(self) -> bool:
        return self.in_rate == self.out_rate

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Convert a chunk (any length, int16 or float); returns float64 samples."""
        x = samples.astype(np.float64, copy=False)
        if self.passthrough:
            return x
        buf = np.concatenate((self._buf, x))
        half, den, step = self._half, self._den, self._step
        limit = (buf.size - half) * den  # outputs need taps up to index floor(pos) + half
        count = 0 if self._pos >= limit else (limit - 1 - self._pos) // step + 1
        out = np.zeros(0)
        if count and self._runs <= MAX_PHASE_RUNS:
            out = self._by_rows(buf, count)
            self._pos += step * count
        elif count:
            pos = self._pos + step * np.arange(count, dtype=np.int64)
            base = pos // den
            idx = base[:, None] + self._offsets[None, :]
            out = np.einsum("ij,ij->i", buf[idx], self._table[pos - base * den])
            self._pos += step * count
        keep_from = max(0, self._pos // den - half + 1)
        self._buf = buf[keep_from:]
        self._pos -= keep_from * den
        return out

    def _by_rows(self, buf: np.ndarray, count: int) -> np.ndarray:
        """The next ``count`` outputs, one filter row at a time (see MAX_PHASE_RUNS)."""
        out = np.empty(count)
        runs, stride, taps = self._runs, self._stride, 2 * self._half
        for r in range(min(runs, count)):
            pos = self._pos + self._step * r
            base = pos // self._den
            n = (count - r + runs - 1) // runs
            start = base - self._half + 1
            window = buf[start:start + (n - 1) * stride + taps]
            out[r::runs] = np.correlate(window, self._table[pos - base * self._den],
                                        "valid")[::stride][:n]
        return out
