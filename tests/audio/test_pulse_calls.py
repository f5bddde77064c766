"""Calls through a real sound server: what the far end hears from our microphone, what our
speaker plays from the far end, what a recording holds, and a device unplugged mid-call.

The far end is the pjsua2 peer (it records what it receives and plays a tone); our
microphone is a PulseAudio virtual source fed with a known tone; our speaker is a null sink
whose monitor the test records.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.audio.call_audio import active_part, start_driver, start_peer, start_softphone
from tests.audio.pulse_server import PulseServer
from tests.audio_analysis import dominant_frequency, read_wav, segment, tone_level_dbfs
from tests.softphone_cli import history_json

pytestmark = pytest.mark.sip

MIC_HZ = 1000.0
MIC_AMPLITUDE = 0.5  # a sine at half scale: -9.03 dBFS
MIC_DBFS = -9.03
PEER_HZ = 700.0
# pjmedia's ToneGenerator at its default volume (amplitude 12288 of 32767): -11.5 dBFS.
PEER_DBFS = -11.5


def _call(pulse: PulseServer, tmp_path: Path, *extra: str, seconds: float = 4.0
          ) -> tuple[str, Path, Path]:
    return _call_peer(pulse, tmp_path, lambda uri: start_softphone(
        pulse, tmp_path / "data", "call", uri, "--bind", "127.0.0.1:0",
        "--hangup-after", str(seconds), *extra))


def _call_peer(pulse: PulseServer, tmp_path: Path,
               start: Callable[[str], subprocess.Popen[str]]) -> tuple[str, Path, Path]:
    """Our tone in the microphone, the peer's tone back, our speaker recorded: ``start``
    calls the peer's URI; returns its stderr and the peer's and the speaker's WAVs."""
    pulse.play_tone("micfeed", MIC_HZ, MIC_AMPLITUDE, 60)
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    peer, port = start_peer("--tone", str(PEER_HZ), "--record", str(tmp_path / "peer.wav"))
    phone = start(f"sip:peer@127.0.0.1:{port}")
    _out, err = phone.communicate(timeout=60)
    peer.wait(timeout=20)
    time.sleep(0.3)
    speaker.terminate()
    speaker.wait(timeout=10)
    assert phone.returncode == 0, err[-3000:]
    return err, tmp_path / "peer.wav", tmp_path / "speaker.wav"


def _assert_heard_both_ways(peer_wav: Path, speaker_wav: Path, from_s: float) -> None:
    heard, rate = read_wav(peer_wav)  # what the far end received from our microphone
    heard = segment(heard, rate, from_s, -0.5)
    assert dominant_frequency(heard, rate) == pytest.approx(MIC_HZ, abs=2)
    assert tone_level_dbfs(heard, rate, MIC_HZ) == pytest.approx(MIC_DBFS, abs=2.0)

    played, rate = read_wav(speaker_wav)  # what our speaker played
    played = active_part(played, rate)
    assert played.size >= rate * 1.5, "the speaker stayed silent"
    assert dominant_frequency(played, rate) == pytest.approx(PEER_HZ, abs=2)
    assert tone_level_dbfs(played, rate, PEER_HZ) == pytest.approx(PEER_DBFS, abs=2.0)


def test_microphone_reaches_the_far_end_and_the_far_end_our_speaker(
    pulse: PulseServer, tmp_path: Path
) -> None:
    err, peer_wav, speaker_wav = _call(pulse, tmp_path, "--record")
    assert "microphone: system default" in err and "speaker: system default" in err
    _assert_heard_both_ways(peer_wav, speaker_wav, from_s=1.0)

    # The recording holds both directions, mixed as heard: our voice and theirs.
    recordings = sorted((tmp_path / "data").rglob("*.wav"))
    assert len(recordings) == 1
    mixed, rate = read_wav(recordings[0])
    mixed = segment(mixed, rate, 1.0, -0.5)
    assert tone_level_dbfs(mixed, rate, MIC_HZ) == pytest.approx(MIC_DBFS, abs=2.0)
    assert tone_level_dbfs(mixed, rate, PEER_HZ) == pytest.approx(PEER_DBFS, abs=2.0)


def test_audio_null_uses_no_device(pulse: PulseServer, tmp_path: Path) -> None:
    err, peer_wav, speaker_wav = _call(pulse, tmp_path, "--audio", "null", seconds=2.0)
    assert "microphone:" not in err
    heard, rate = read_wav(peer_wav)
    assert tone_level_dbfs(segment(heard, rate, 0.5, -0.2), rate, MIC_HZ) < -60
    played, rate = read_wav(speaker_wav)
    assert active_part(played, rate).size == 0


def test_unplugged_devices_fall_back_to_the_default_and_the_call_survives(
    pulse: PulseServer, tmp_path: Path
) -> None:
    headset = pulse.load("module-null-sink", "sink_name=headset", "rate=48000", "channels=1",
                         "sink_properties=device.description=Headset")
    headset_mic = pulse.load("module-remap-source", "source_name=headset_mic",
                             "master=micfeed.monitor",
                             "source_properties=device.description=Headset_Mic")
    pulse.play_tone("micfeed", MIC_HZ, MIC_AMPLITUDE, 60)
    speaker = pulse.record("speaker.monitor", tmp_path / "speaker.wav")
    peer, port = start_peer("--tone", str(PEER_HZ), "--record", str(tmp_path / "peer.wav"))
    data = tmp_path / "data"
    phone = start_softphone(pulse, data, "call", f"sip:peer@127.0.0.1:{port}",
                            "--bind", "127.0.0.1:0", "--hangup-after", "9",
                            "--mic", "Headset_Mic", "--speaker", "Headset")
    time.sleep(3.5)  # the call is up and the headset in use
    pulse.unload(headset)
    pulse.unload(headset_mic)
    _out, err = phone.communicate(timeout=60)
    peer.wait(timeout=20)
    time.sleep(0.3)
    speaker.terminate()
    speaker.wait(timeout=10)
    assert phone.returncode == 0, err[-3000:]
    assert "speaker: Headset (chosen" in err and "microphone: Headset_Mic (chosen" in err
    assert "falling back to the system default" in err, err[-3000:]

    [call] = history_json(data)
    assert (call["hangup_by"], call["hangup_reason"]) == ("local", "normal")  # our timer
    # After the unplug our speaker output moved to the default sink...
    played, rate = read_wav(tmp_path / "speaker.wav")
    played = active_part(played, rate)
    assert played.size > rate * 1.5, "nothing reached the default speaker after the unplug"
    assert dominant_frequency(played, rate) == pytest.approx(PEER_HZ, abs=2)
    # ...and the far end kept hearing us, now through the default microphone.
    heard, rate = read_wav(tmp_path / "peer.wav")
    tail = segment(heard, rate, -2.0, -0.3)
    assert tone_level_dbfs(tail, rate, MIC_HZ) == pytest.approx(MIC_DBFS, abs=3.0)


def test_devices_opened_during_a_call_carry_it_both_ways(pulse: PulseServer,
                                                         tmp_path: Path) -> None:
    # The window opens its devices just after its first paint (issue 16), and a link
    # dialled at start may already be up by then: the call moves onto them.
    _err, peer_wav, speaker_wav = _call_peer(pulse, tmp_path, lambda uri: start_driver(
        pulse, "call", uri, "--devices-later", "--hangup-after", "4"))
    _assert_heard_both_ways(peer_wav, speaker_wav, from_s=1.5)  # attached 0.3 s after answer
