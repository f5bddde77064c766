"""Unit tests for tests/audio_analysis.py (no pjsua2 needed)."""

from __future__ import annotations

import math
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audio_analysis import (
    SILENCE_DBFS,
    dominant_frequency,
    read_wav,
    rms_dbfs,
    segment,
    tone_level_dbfs,
    wav_duration,
    write_tone_wav,
)


@pytest.mark.parametrize("rate", [8000, 16000])
@pytest.mark.parametrize("freq", [400.0, 800.0, 1000.0])
def test_tone_roundtrip(tmp_path, rate, freq):
    path = write_tone_wav(tmp_path / "tone.wav", freq, 1.0, rate=rate, amplitude=0.5)
    samples, got_rate = read_wav(path)
    assert got_rate == rate
    assert len(samples) == rate
    assert wav_duration(path) == pytest.approx(1.0)
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    assert dominant_frequency(samples, rate) == pytest.approx(freq, abs=2.0)
    expected = 20 * math.log10(0.5 / math.sqrt(2))  # about -9.03 dBFS
    assert rms_dbfs(samples) == pytest.approx(expected, abs=0.1)
    assert tone_level_dbfs(samples, rate, freq) == pytest.approx(expected, abs=0.2)
    # Nothing at an unrelated frequency.
    assert tone_level_dbfs(samples, rate, freq + 300) < expected - 40


def test_tone_in_noise_and_with_other_tone(tmp_path):
    rate = 16000
    t = np.arange(rate) / rate
    rng = np.random.default_rng(1)
    x = 0.3 * np.sin(2 * np.pi * 700 * t) + 0.05 * np.sin(2 * np.pi * 1500 * t)
    x += 0.02 * rng.standard_normal(rate)
    assert dominant_frequency(x, rate) == pytest.approx(700, abs=2.0)
    assert tone_level_dbfs(x, rate, 700) == pytest.approx(20 * math.log10(0.3 / math.sqrt(2)), abs=0.3)
    assert tone_level_dbfs(x, rate, 1500) == pytest.approx(20 * math.log10(0.05 / math.sqrt(2)), abs=0.5)


def test_stereo_is_averaged(tmp_path):
    path = write_tone_wav(tmp_path / "st.wav", 500, 0.5, rate=8000, amplitude=0.25, channels=2)
    samples, rate = read_wav(path)
    assert rate == 8000 and len(samples) == 4000
    assert dominant_frequency(samples, rate) == pytest.approx(500, abs=2.0)


def test_silence_and_empty(tmp_path):
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 8000)
    samples, _ = read_wav(path)
    assert rms_dbfs(samples) == SILENCE_DBFS
    assert dominant_frequency(samples, 8000) == 0.0
    assert rms_dbfs(np.array([])) == SILENCE_DBFS


def test_segment():
    x = np.arange(16000, dtype=float)
    assert len(segment(x, 16000, 0.25, 0.75)) == 8000
    assert segment(x, 16000, -0.5)[0] == 8000
    assert len(segment(x, 16000, 0.9, 5.0)) == 1600
