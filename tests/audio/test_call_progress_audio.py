"""Call-progress sounds through a real sound server, measured where the user hears them
(a PulseAudio null sink's monitor): early media (183) while the call stays dialing, the
425 Hz ringback after a 180 without media, the DTMF key tones, and the ringtone on a
separate ring device.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from softphone.audio.tones import DTMF_FREQS, RINGBACK_HZ, RINGTONE_HZ, TONE_AMPLITUDE
from tests.audio.call_audio import active_part, start_driver, start_peer, start_softphone
from tests.audio.pulse_server import PulseServer
from tests.audio_analysis import dominant_frequency, read_wav, rms_dbfs, tone_level_dbfs
from tests.peers.sipp import run_uas, sipp_available
from tests.softphone_cli import ROOT, history_json

pytestmark = pytest.mark.sip

PEER_HZ = 700.0
PEER_DBFS = -11.5  # pjmedia's ToneGenerator at its default volume
# Our cues: one sine at TONE_AMPLITUDE, or two sines at half of it each.
SINGLE_TONE_DBFS = 20 * np.log10(TONE_AMPLITUDE / np.sqrt(2))  # -15.1 dBFS
PAIR_TONE_DBFS = 20 * np.log10(TONE_AMPLITUDE / 2 / np.sqrt(2))  # -21.1 dBFS each
ABSENT_DBFS = -55.0


def _stop(proc: subprocess.Popen[bytes]) -> None:
    time.sleep(0.3)  # the last blocks reach the monitor
    proc.terminate()
    proc.wait(timeout=10)


def _statuses(stderr: str) -> list[str]:
    """The statuses `softphone call` reported, in order (its "  outgoing URI: status")."""
    return [line.rsplit(": ", 1)[1].strip() for line in stderr.splitlines()
            if line.startswith("  outgoing ")]


def loud_runs(samples: np.ndarray, rate: int, threshold_dbfs: float = -45.0,
              block_s: float = 0.01, dropout_s: float = 0.0) -> list[tuple[int, int]]:
    """(start, end) sample indexes of each stretch of 10 ms blocks above the threshold.

    Stretches apart by at most ``dropout_s`` are one: a device underrun on a loaded machine
    (10 ms of silence inside a tone) is the audio benchmark's figure, not a cadence break.
    """
    block = round(rate * block_s)
    n = samples.size // block
    rms = np.sqrt(np.mean(samples[: n * block].reshape(n, block) ** 2, axis=1))
    loud = rms > 10 ** (threshold_dbfs / 20)
    runs: list[tuple[int, int]] = []
    start = None
    for i, on in enumerate([*loud, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if runs and start * block - runs[-1][1] <= dropout_s * rate:
                runs[-1] = (runs[-1][0], i * block)
            else:
                runs.append((start * block, i * block))
            start = None
    return runs


# -- early media and ringback, through `softphone call --audio system` -------------------

def test_early_media_is_heard_while_the_call_stays_dialing(
    pulse: PulseServer, tmp_path: Path
) -> None:
    # The far end answers 183 with SDP, plays its tone (an announcement) for 3 s, then
    # refuses the call: everything we heard was heard while the call was dialing.
    pulse.keep_awake("speaker")
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    peer, port = start_peer("--tone", str(PEER_HZ), "--early-media", "--answer-after", "3",
                            "--reject", "480")
    data = tmp_path / "data"
    phone = start_softphone(pulse, data, "call", f"sip:peer@127.0.0.1:{port}",
                            "--bind", "127.0.0.1:0")
    _out, err = phone.communicate(timeout=60)
    peer.wait(timeout=20)
    _stop(speaker)
    assert phone.returncode == 0, err[-3000:]

    # The Call never left dialing: no 180, no answer (DESIGN.md: a 183 alone leaves it
    # dialing, while its early media plays).
    assert _statuses(err) == ["dialing"], err[-3000:]
    [call] = history_json(data)
    assert call["status"] == "hangup"
    assert (call["hangup_by"], call["hangup_reason"]) == ("remote", "noanswer")
    assert call["tm_ringing"] is None and call["tm_progressing"] is None

    played, rate = read_wav(tmp_path / "speaker.wav")
    heard = active_part(played, rate)
    assert heard.size >= rate * 2.0, "the early media was not played"
    assert dominant_frequency(heard, rate) == pytest.approx(PEER_HZ, abs=2)
    assert tone_level_dbfs(heard, rate, PEER_HZ) == pytest.approx(PEER_DBFS, abs=2.0)
    # ...and no ringback over it: ringback is for a 180 without early media.
    assert tone_level_dbfs(played, rate, RINGBACK_HZ) < ABSENT_DBFS


def test_early_media_then_answer_plays_on_without_ringback(
    pulse: PulseServer, tmp_path: Path
) -> None:
    pulse.keep_awake("speaker")
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    peer, port = start_peer("--tone", str(PEER_HZ), "--early-media", "--answer-after", "3")
    data = tmp_path / "data"
    phone = start_softphone(pulse, data, "call", f"sip:peer@127.0.0.1:{port}",
                            "--bind", "127.0.0.1:0", "--hangup-after", "5")
    _out, err = phone.communicate(timeout=60)
    peer.wait(timeout=20)
    _stop(speaker)
    assert phone.returncode == 0, err[-3000:]

    assert _statuses(err) == ["dialing", "progressing", "terminating"], err[-3000:]
    [call] = history_json(data)
    assert call["tm_ringing"] is None
    assert (call["hangup_by"], call["hangup_reason"]) == ("local", "normal")

    played, rate = read_wav(tmp_path / "speaker.wav")
    heard = active_part(played, rate, margin_s=0.1)
    # Answered 3 s into a 5 s call: more than 2 s of tone means it played before answer.
    # (The monitor runs in real time: keep_awake.)
    sounding = sum(end - start for start, end in loud_runs(played, rate)) / rate
    assert sounding >= 3.5, f"only {sounding:.1f} s of tone heard"
    assert dominant_frequency(heard, rate) == pytest.approx(PEER_HZ, abs=2)
    assert tone_level_dbfs(heard, rate, PEER_HZ) == pytest.approx(PEER_DBFS, abs=2.0)
    assert tone_level_dbfs(played, rate, RINGBACK_HZ) < ABSENT_DBFS


@pytest.mark.skipif(not sipp_available(), reason="SIPp (sip-tester) is not installed")
def test_ringback_after_180_without_media(pulse: PulseServer, tmp_path: Path) -> None:
    pulse.keep_awake("speaker")
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    data = tmp_path / "data"
    with run_uas("uas_ring_until_cancel") as peer:  # 180 without SDP, until our CANCEL
        phone = start_softphone(pulse, data, "call", peer.uri(), "--bind", "127.0.0.1:0",
                                "--hangup-after", "3")
        _out, err = phone.communicate(timeout=60)
        peer.assert_success(timeout=10)
    _stop(speaker)
    assert phone.returncode == 0, err[-3000:]
    assert _statuses(err) == ["dialing", "ringing", "canceling"], err[-3000:]
    [call] = history_json(data)
    assert (call["hangup_by"], call["hangup_reason"]) == ("local", "cancel")

    played, rate = read_wav(tmp_path / "speaker.wav")
    runs = loud_runs(played, rate)
    # ITU-T E.180: 1 s of 425 Hz, then 4 s of silence (we cancel 3 s in).
    assert len(runs) == 1, runs
    start, end = runs[0]
    assert (end - start) / rate == pytest.approx(1.0, abs=0.1)
    body = played[start + rate // 10: end - rate // 10]
    assert dominant_frequency(body, rate) == pytest.approx(RINGBACK_HZ, abs=1)
    assert tone_level_dbfs(body, rate, RINGBACK_HZ) == pytest.approx(SINGLE_TONE_DBFS, abs=1.0)


# -- DTMF and the ring device, through the engine as the window drives it ----------------

def _events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def _peer_result(peer: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = peer.communicate(timeout=20)
    [event] = _events(out)
    return event


def test_dtmf_keys_play_their_two_tones_locally_and_reach_the_far_end(
    pulse: PulseServer, tmp_path: Path
) -> None:
    digits = "159#"
    pulse.keep_awake("speaker")
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    peer, port = start_peer()  # sends silence: our speaker holds only our own key tones
    driver = start_driver(pulse, "call", f"sip:peer@127.0.0.1:{port}", "--dtmf", digits,
                           "--dtmf-after", "1", "--hangup-after", "2.5")
    out, err = driver.communicate(timeout=60)
    received = _peer_result(peer)
    _stop(speaker)
    assert driver.returncode == 0, err[-3000:]
    assert any(e["event"] == "dtmf" for e in _events(out)), out
    assert received["dtmf_digits"] == digits  # RFC 2833 events, as the far end decoded them

    played, rate = read_wav(tmp_path / "speaker.wav")
    runs = loud_runs(played, rate)
    assert len(runs) == len(digits), runs
    others = {f for pair in DTMF_FREQS.values() for f in pair}
    for digit, (start, end) in zip(digits, runs, strict=True):
        assert (end - start) / rate == pytest.approx(0.1, abs=0.02)
        burst = played[start:end]
        low, high = DTMF_FREQS[digit]
        for freq in (low, high):
            assert tone_level_dbfs(burst, rate, freq) == pytest.approx(PAIR_TONE_DBFS, abs=1.5), (
                digit, freq)
        for freq in others - {low, high}:
            assert tone_level_dbfs(burst, rate, freq) < PAIR_TONE_DBFS - 20, (digit, freq)


def test_ringtone_plays_on_the_ring_device_and_the_call_on_the_speaker(
    pulse: PulseServer, tmp_path: Path
) -> None:
    pulse.load("module-null-sink", "sink_name=ringsink", "rate=48000", "channels=1",
               "sink_properties=device.description=Ring_Sink")
    pulse.keep_awake("speaker")
    pulse.keep_awake("ringsink")
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    ringer = pulse.record("ringsink.monitor", tmp_path / "ring.wav")
    driver = start_driver(pulse, "listen", "--ring-device", "Ring_Sink",
                           "--answer-after", "4", "--hangup-after", "2.5")
    assert driver.stdout is not None
    line = driver.stdout.readline()
    assert line.startswith("READY"), line
    peer = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/peers/pjsua_peer.py"), "--call",
         f"sip:softphone@127.0.0.1:{line.split()[1]}", "--tone", str(PEER_HZ),
         "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )
    out, err = driver.communicate(timeout=60)
    received = _peer_result(peer)
    _stop(speaker)
    _stop(ringer)
    assert driver.returncode == 0, err[-3000:]
    assert "ringer: Ring_Sink (chosen" in err, err[-3000:]
    assert received["connect_duration_s"] == pytest.approx(2.5, abs=0.5)
    events = _events(out)
    assert [e["status"] for e in events if e["event"] == "status"] == [
        "ringing", "progressing", "terminating", "hangup"]

    rung, rate = read_wav(tmp_path / "ring.wav")
    ring_runs = loud_runs(rung, rate, dropout_s=0.03)
    assert ring_runs, "the ring device stayed silent"
    # Two notes together, 0.4 s on, 0.2 s off, 0.4 s on, then 2 s of rest: answered after
    # 5 s, in the middle of the second rest (at 4 s the answer cut the second cycle's tone).
    body = np.concatenate([rung[s + rate // 20: e - rate // 20] for s, e in ring_runs])
    for freq in RINGTONE_HZ:
        assert tone_level_dbfs(body, rate, freq) == pytest.approx(PAIR_TONE_DBFS, abs=1.5)
    assert all((e - s) / rate == pytest.approx(0.4, abs=0.05) for s, e in ring_runs), ring_runs

    played, rate = read_wav(tmp_path / "speaker.wav")
    speaker_start = loud_runs(played, rate)[0][0]
    # Both monitors run in real time from (nearly) the same moment: while B rang, A was
    # silent (not even the ringtone's notes faintly), and B's last ring ended before the
    # call's audio began on A.
    ringing_on_a = played[:speaker_start]
    assert ringing_on_a.size >= rate * 3.0
    assert rms_dbfs(ringing_on_a) < -70
    assert ring_runs[-1][1] <= speaker_start + rate * 0.1
    assert all(e <= ringing_on_a.size for _, e in ring_runs)
    assert rms_dbfs(rung[speaker_start:]) < -70  # and B stayed silent through the call
    heard = active_part(played, rate)
    assert heard.size >= rate * 1.5, "the answered call was not heard on the speaker"
    assert dominant_frequency(heard, rate) == pytest.approx(PEER_HZ, abs=2)
    assert tone_level_dbfs(heard, rate, PEER_HZ) == pytest.approx(PEER_DBFS, abs=2.0)


def test_the_windows_test_call_plays_our_microphone_back_through_the_echo_service(
    pulse: PulseServer, tmp_path: Path
) -> None:
    # Flows > Test call: our own listener answers with the echo service, so what the
    # microphone takes in comes out of the speaker, once, a round trip later.
    pulse.play_tone("micfeed", 1000.0, 0.5, 60)
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    driver = start_driver(pulse, "test-call", "--hangup-after", "4")
    out, err = driver.communicate(timeout=60)
    _stop(speaker)
    assert driver.returncode == 0, err[-3000:]
    (ended,) = [e for e in _events(out) if e["event"] == "hangup"]
    assert (ended["call"]["hangup_by"], ended["call"]["hangup_reason"]) == ("local", "normal")
    played, rate = read_wav(tmp_path / "speaker.wav")
    runs = loud_runs(played, rate, dropout_s=0.03)
    assert runs, "the speaker stayed silent"
    start, end = max(runs, key=lambda r: r[1] - r[0])
    assert (end - start) / rate > 2.0  # the echo sounds for most of the 4 s call
    body = played[start + rate // 5: end - rate // 5]
    assert dominant_frequency(body, rate) == pytest.approx(1000.0, abs=2)
    # Our microphone comes back once, at its own level (half scale: -9 dBFS), not doubled
    # by a second path through the echo leg's own device connections.
    assert tone_level_dbfs(body, rate, 1000.0) == pytest.approx(-9.03, abs=2.0)
