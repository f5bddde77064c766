"""WAV helpers for audio checks in the test suite.

Levels are in dBFS relative to a full-scale *square* wave (RMS of 1.0 = 0 dBFS), so a
full-scale sine measures about -3.01 dBFS and a sine of amplitude 0.5 about -9.03 dBFS.
Silence is floored at ``SILENCE_DBFS`` (-200 dB) instead of ``-inf`` so results stay finite.
"""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np

SILENCE_DBFS = -200.0

__all__ = [
    "SILENCE_DBFS",
    "dominant_frequency",
    "peak_dbfs",
    "read_wav",
    "rms_dbfs",
    "segment",
    "tone_level_dbfs",
    "wav_duration",
    "write_tone_wav",
]


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a PCM WAV file; return (float64 samples in [-1, 1], sample rate).

    Mono is returned as is; multi-channel audio is averaged to mono. 8-, 16-, 24- and 32-bit
    integer PCM are accepted (pjsua2's recorder writes 16-bit mono).
    """
    with wave.open(str(path), "rb") as w:
        channels = w.getnchannels()
        width = w.getsampwidth()
        rate = w.getframerate()
        raw = w.readframes(w.getnframes())
    if width == 1:  # unsigned 8-bit
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    elif width == 2:
        data = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v & 0x800000, v - 0x1000000, v)
        data = v.astype(np.float64) / 8388608.0
    elif width == 4:
        data = np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0
    else:
        raise ValueError(f"{path}: unsupported sample width {width}")
    if channels > 1:
        data = data[: len(data) - len(data) % channels].reshape(-1, channels).mean(axis=1)
    return data, rate


def wav_duration(path: str | Path) -> float:
    """Duration of a WAV file in seconds (from its header)."""
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


def segment(samples: np.ndarray, rate: int, start_s: float = 0.0, end_s: float | None = None) -> np.ndarray:
    """Slice ``samples`` between two times in seconds (``end_s`` None = to the end; negative
    values count from the end)."""
    n = len(samples)

    def idx(t: float) -> int:
        i = round(t * rate)
        return max(0, min(n, n + i if i < 0 else i))

    return samples[idx(start_s): (n if end_s is None else idx(end_s))]


def _db(value: float) -> float:
    if value <= 0.0 or not math.isfinite(value):
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 20.0 * math.log10(value))


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS (full-scale square wave = 0 dBFS). Empty or silent input gives
    ``SILENCE_DBFS``."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return SILENCE_DBFS
    return _db(float(np.sqrt(np.mean(x * x))))


def peak_dbfs(samples: np.ndarray) -> float:
    """Peak absolute sample value in dBFS."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return SILENCE_DBFS
    return _db(float(np.max(np.abs(x))))


def dominant_frequency(samples: np.ndarray, rate: int, fmin: float = 20.0, fmax: float | None = None) -> float:
    """Frequency (Hz) of the strongest spectral peak between ``fmin`` and ``fmax``.

    Hann window, zero-padding to a fine FFT grid, then parabolic interpolation on the
    log-magnitude around the peak: well under 1 Hz of error for a clean 1 s tone.
    Returns 0.0 for empty or silent input.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.size < 4:
        return 0.0
    x = x - x.mean()
    if not np.any(x):
        return 0.0
    n = x.size
    nfft = 1 << max(math.ceil(math.log2(n)) + 2, 16)  # at least 4x zero padding
    spec = np.abs(np.fft.rfft(x * np.hanning(n), nfft))
    freqs = np.fft.rfftfreq(nfft, 1.0 / rate)
    hi = rate / 2.0 if fmax is None else min(fmax, rate / 2.0)
    band = np.nonzero((freqs >= fmin) & (freqs <= hi))[0]
    if band.size == 0:
        return 0.0
    k = int(band[np.argmax(spec[band])])
    if 0 < k < len(spec) - 1:
        a, b, c = (math.log(max(v, 1e-300)) for v in spec[k - 1: k + 2])
        denom = a - 2.0 * b + c
        delta = 0.5 * (a - c) / denom if denom != 0 else 0.0
        return float((k + delta) * rate / nfft)
    return float(freqs[k])


def tone_level_dbfs(samples: np.ndarray, rate: int, freq: float, bandwidth: float = 20.0) -> float:
    """RMS level (dBFS) of the signal's content within ``freq ± bandwidth/2`` Hz.

    Uses a Hann-windowed FFT and Parseval's theorem, so a pure sine of amplitude A measures
    20*log10(A/sqrt(2)) whatever else is in the signal. The band is widened to at least
    ±2 FFT bins (the Hann main lobe) for short inputs.
    """
    x = np.asarray(samples, dtype=np.float64)
    n = x.size
    if n < 4:
        return SILENCE_DBFS
    x = x - x.mean()
    w = np.hanning(n)
    spec = np.fft.rfft(x * w)
    power = np.abs(spec) ** 2
    power[1:] *= 2.0  # one-sided spectrum (Nyquist bin double counted: negligible here)
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    half = max(bandwidth / 2.0, 2.0 * rate / n)
    sel = (freqs >= freq - half) & (freqs <= freq + half)
    band_power = float(power[sel].sum()) / (n * float(np.sum(w * w)))
    return _db(math.sqrt(band_power))


def write_tone_wav(
    path: str | Path,
    freq: float,
    seconds: float,
    rate: int = 16000,
    amplitude: float = 0.5,
    channels: int = 1,
) -> Path:
    """Write a 16-bit PCM sine tone WAV (amplitude as a fraction of full scale)."""
    n = round(seconds * rate)
    t = np.arange(n, dtype=np.float64) / rate
    x = amplitude * np.sin(2.0 * np.pi * freq * t)
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    if channels > 1:
        pcm = np.repeat(pcm[:, None], channels, axis=1).reshape(-1)
    path = Path(path)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path
