"""Call-progress sounds made locally: ringtone, ringback, DTMF key feedback.

Each is a cadence of segments (frequencies, duration) rendered block by block at a device's
rate, so a tone keeps going smoothly whatever block sizes the sound card asks for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

# Sine amplitudes as fractions of full scale; a pair of sines is each given half.
TONE_AMPLITUDE = 0.25

DTMF_FREQS: dict[str, tuple[float, float]] = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}
DTMF_ON_S = 0.1
DTMF_GAP_S = 0.06

# ITU-T E.180 ringback as most of Europe and Asia hear it: 425 Hz, 1 s on, 4 s off.
RINGBACK_HZ = 425.0
RINGBACK = ((1.0, (RINGBACK_HZ,)), (4.0, ()))
# A two-note ring (C5 + E5), twice, then a pause: clearly not a call-progress tone.
RINGTONE_HZ = (523.25, 659.25)
RINGTONE = ((0.4, RINGTONE_HZ), (0.2, ()), (0.4, RINGTONE_HZ), (2.0, ()))


@dataclass(frozen=True)
class Segment:
    seconds: float
    freqs: tuple[float, ...]


class Cadence:
    """Renders its segments in order, looped or once."""

    def __init__(
        self,
        segments: tuple[tuple[float, tuple[float, ...]], ...],
        rate: int,
        *,
        loop: bool = True,
        amplitude: float = TONE_AMPLITUDE,
    ) -> None:
        self.segments = [Segment(s, f) for s, f in segments]
        self.rate = rate
        self.loop = loop
        self.amplitude = amplitude
        self._index = 0
        self._offset = 0  # samples into the current segment
        self.done = not self.segments

    def render(self, count: int) -> np.ndarray:
        out = np.zeros(count)
        filled = 0
        while filled < count and not self.done:
            seg = self.segments[self._index]
            length = max(1, round(seg.seconds * self.rate))
            take = min(count - filled, length - self._offset)
            if seg.freqs:
                t = (self._offset + np.arange(take)) / self.rate
                amp = self.amplitude / len(seg.freqs)
                for f in seg.freqs:
                    out[filled: filled + take] += amp * np.sin(2 * np.pi * f * t)
            filled += take
            self._offset += take
            if self._offset >= length:
                self._offset = 0
                self._index += 1
                if self._index >= len(self.segments):
                    self._index = 0
                    self.done = not self.loop
        return out * 32767.0


def dtmf_cadence(digits: str, rate: int) -> Cadence:
    segments: list[tuple[float, tuple[float, ...]]] = []
    for digit in digits.upper():
        if digit in DTMF_FREQS:
            segments += [(DTMF_ON_S, DTMF_FREQS[digit]), (DTMF_GAP_S, ())]
    return Cadence(tuple(segments), rate, loop=False)


class ToneMixer:
    """The cues mixed into our speaker: ringback (looping) and queued DTMF feedback.

    Switched from the engine's thread, rendered on a sound card's thread: a lock guards it.
    """

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self._lock = threading.Lock()
        self._ringback: Cadence | None = None
        self._dtmf: list[Cadence] = []

    def set_ringback(self, on: bool) -> None:
        with self._lock:
            if on and self._ringback is None:
                self._ringback = Cadence(RINGBACK, self.rate)
            elif not on:
                self._ringback = None

    def play_dtmf(self, digits: str) -> None:
        with self._lock:
            self._dtmf.append(dtmf_cadence(digits, self.rate))

    @property
    def active(self) -> bool:
        return self._ringback is not None or bool(self._dtmf)

    def render(self, count: int) -> np.ndarray | None:
        """Float samples (full scale 32767) to add, or None when silent."""
        with self._lock:
            if self._ringback is None and not self._dtmf:
                return None
            out = np.zeros(count)
            if self._ringback is not None:
                out += self._ringback.render(count)
            if self._dtmf:
                out += self._dtmf[0].render(count)
                if self._dtmf[0].done:
                    self._dtmf.pop(0)
            return out
