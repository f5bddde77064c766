"""The device side's signal processing, without any device: what a user would hear."""

from __future__ import annotations

import numpy as np
import pytest

from softphone.audio.jitter import JitterBuffer
from softphone.audio.levels import block_dbfs
from softphone.audio.resample import HALF_TAPS, MAX_PHASE_RUNS, Resampler
from softphone.audio.tones import DTMF_FREQS, RINGBACK_HZ, ToneMixer, dtmf_cadence
from tests.audio_analysis import dominant_frequency, rms_dbfs, tone_level_dbfs


def _sine(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    return np.round(amplitude * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def _stream(resampler: Resampler, signal: np.ndarray, chunk: int) -> np.ndarray:
    parts = [resampler.process(signal[i: i + chunk]) for i in range(0, signal.size, chunk)]
    return np.concatenate(parts) / 32768.0


@pytest.mark.parametrize(("rate_in", "rate_out", "chunk"), [
    (48000, 16000, 441), (16000, 48000, 160), (44100, 16000, 512), (16000, 44100, 320),
])
def test_resampler_keeps_pitch_and_level(rate_in: int, rate_out: int, chunk: int) -> None:
    out = _stream(Resampler(rate_in, rate_out), _sine(1000, rate_in, 2.0), chunk)
    # Every input sample accounted for, but the filter's half-width still held back.
    held = HALF_TAPS * max(1.0, rate_out / rate_in) + 2
    assert 0 <= 2.0 * rate_out - out.size <= held
    body = out[rate_out // 4: -rate_out // 4]
    assert dominant_frequency(body, rate_out) == pytest.approx(1000, abs=1)
    assert tone_level_dbfs(body, rate_out, 1000) == pytest.approx(-9.03, abs=0.3)


def test_downsampling_does_not_fold_high_frequencies_into_the_voice_band() -> None:
    # 12 kHz at 48 kHz would alias to 4 kHz at 16 kHz without the low-pass filter.
    out = _stream(Resampler(48000, 16000), _sine(12000, 48000, 1.0), 480)
    assert rms_dbfs(out[4000:-4000]) < -50


@pytest.mark.parametrize(("rate_in", "rate_out"), [
    (48000, 16000), (16000, 48000), (8000, 48000), (48000, 8000), (32000, 16000),
])
def test_row_by_row_filtering_gives_the_same_samples_as_the_general_path(
        rate_in: int, rate_out: int) -> None:
    # The fast path (np.correlate per filter row, issue 16's audio CPU) against the gather
    # of every tap window, chunk sizes as the devices deliver them and odder ones.
    rng = np.random.default_rng(rate_in + rate_out)
    fast = Resampler(rate_in, rate_out)
    general = Resampler(rate_in, rate_out)
    general._runs = MAX_PHASE_RUNS + 1  # what a 44.1 kHz card takes
    assert fast._runs <= MAX_PHASE_RUNS
    for _ in range(150):
        chunk = (rng.standard_normal(int(rng.integers(1, 1200))) * 3000).astype(np.int16)
        a, b = fast.process(chunk), general.process(chunk)
        assert a.shape == b.shape
        assert np.allclose(a, b, rtol=0, atol=1e-6)


def test_jitter_buffer_fills_then_plays_in_order() -> None:
    jb = JitterBuffer(16000, target_ms=40, max_ms=120)
    jb.write(np.arange(320, dtype=np.int16))
    assert not jb.read(320).any()  # still filling up to 40 ms
    jb.write(np.arange(320, 960, dtype=np.int16))
    assert list(jb.read(320)[:3]) == [0, 1, 2]
    assert jb.underruns == 0


def test_jitter_buffer_counts_underruns_and_bounds_latency() -> None:
    jb = JitterBuffer(16000, target_ms=40, max_ms=120)
    jb.write(np.ones(640, dtype=np.int16))
    jb.read(320)
    jb.read(320)
    jb.read(320)  # the producer fell behind...
    jb.write(np.ones(16000 // 1000 * 200, dtype=np.int16))  # ...and catches up: a burst
    assert jb.underruns == 1
    assert jb.fill <= 16000 * 120 // 1000
    assert jb.drops == 1


def test_audio_that_ends_or_pauses_is_no_underrun() -> None:
    now = [0.0]
    jb = JitterBuffer(16000, target_ms=20, max_ms=80, clock=lambda: now[0])
    jb.write(np.ones(320, dtype=np.int16))
    jb.read(320)
    jb.read(320)  # the call's audio ended here
    assert jb.underruns == 0
    now[0] += 5.0  # held for five seconds, then resumed
    jb.write(np.ones(320, dtype=np.int16))
    assert jb.underruns == 0
    jb.read(320)
    jb.read(320)
    now[0] += 0.02  # one frame late: the listener heard a gap
    jb.write(np.ones(320, dtype=np.int16))
    assert jb.underruns == 1


def test_ringback_is_425_hz_one_second_in_five() -> None:
    tones = ToneMixer(16000)
    tones.set_ringback(True)
    x = np.concatenate([tones.render(320) for _ in range(250)]) / 32768.0  # 5 s
    assert dominant_frequency(x[:16000], 16000) == pytest.approx(RINGBACK_HZ, abs=1)
    assert rms_dbfs(x[:16000]) > -20
    assert rms_dbfs(x[17000:]) < -100  # then four seconds of silence
    tones.set_ringback(False)
    assert tones.render(320) is None


def test_dtmf_feedback_plays_both_frequencies_of_the_key() -> None:
    x = dtmf_cadence("5", 16000).render(1600) / 32768.0
    low, high = DTMF_FREQS["5"]
    assert tone_level_dbfs(x, 16000, low) > -25
    assert tone_level_dbfs(x, 16000, high) > -25


def test_block_level_matches_full_scale_reference() -> None:
    assert block_dbfs(_sine(1000, 16000, 0.5, 1.0)) == pytest.approx(-3.01, abs=0.1)
    assert block_dbfs(np.zeros(160, dtype=np.int16)) == -90.0
