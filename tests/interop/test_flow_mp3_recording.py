"""play of an MP3 file heard at the pjsua2 peer, and recording_start's end_of_key stopping
the recording when the caller (a second softphone's flow) presses the key."""

from __future__ import annotations

import json
import math
import struct
import wave

import pytest

from tests.audio_analysis import dominant_frequency, rms_dbfs, segment
from tests.interop.flow_listening import heard_by_caller
from tests.peers.pjsua import PjsuaPeer

pytestmark = [pytest.mark.sip]


def _mp3_tone(path, hz: float, seconds: float, rate: int = 16000) -> None:
    # lameenc (LAME in a wheel, test extra): the machine has no MP3 encoder command.
    import lameenc

    pcm = b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * hz * n / rate)))
                   for n in range(int(rate * seconds)))
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(2)
    path.write_bytes(encoder.encode(pcm) + encoder.flush())


def test_play_mp3_heard_at_the_peer(tmp_path, peers, softphone) -> None:
    _mp3_tone(tmp_path / "tone.mp3", 500, 1.5)
    flow = tmp_path / "mp3.json"
    flow.write_text(json.dumps({"actions": [
        {"type": "answer"},
        {"type": "play", "option": {"stream_urls": ["tone.mp3"]}},  # beside the flow file
        {"type": "sleep", "option": {"duration": 3000}},
    ]}))
    samples, rate = heard_by_caller(tmp_path, peers, softphone, ("--flow", str(flow)), "x", 3)
    tone = segment(samples, rate, 0.3, 1.2)
    assert rms_dbfs(tone) > -35
    assert abs(dominant_frequency(tone, rate) - 500) < 15
    assert rms_dbfs(segment(samples, rate, 2.2, 2.8)) < -60  # played once, then silence


def test_recording_ends_on_its_end_of_key(tmp_path, data_dir, softphone) -> None:
    ivr = tmp_path / "rec.json"
    ivr.write_text(json.dumps({"actions": [
        {"type": "answer"},
        {"type": "recording_start", "option": {"end_of_key": "#"}},
        {"type": "sleep", "option": {"duration": 4000}},
        {"type": "hangup"},
    ]}))
    listener = softphone("listen", "--flow", str(ivr), "--calls", "1", "--json")
    caller_flow = tmp_path / "caller.json"
    caller_flow.write_text(json.dumps({"actions": [
        {"type": "sleep", "option": {"duration": 1000}},
        {"type": "digits_send", "option": {"digits": "#"}},
        {"type": "sleep", "option": {"duration": 5000}},
    ]}))
    caller = softphone("call", listener.uri("rec"), "--flow", str(caller_flow), "--json")
    heard = listener.finish(40)
    caller.finish(40)
    assert heard.returncode == 0, heard.explain()
    (call,) = heard.calls
    assert call["action"]["type"] == "hangup"
    recordings = sorted(data_dir.rglob("*.wav"))
    assert len(recordings) == 1, recordings
    with wave.open(str(recordings[0]), "rb") as reader:
        seconds = reader.getnframes() / reader.getframerate()
    # Stopped by the # about 1 s in, not by the hangup at 4 s.
    assert 0.5 < seconds < 2.5, seconds


@pytest.mark.parametrize(("tone", "shortest", "longest"), [(None, 0.6, 2.5), (700, 3.5, 5.0)])
def test_recording_ends_on_its_end_of_silence(tmp_path, data_dir, peers, softphone,
                                              tone, shortest, longest) -> None:
    # The pjsua2 peer sends silence (no tone): 1 s of it stops the recording; with its tone
    # the far end is never silent, and the recording lasts until the hangup at 4 s.
    flow = tmp_path / "rec.json"
    flow.write_text(json.dumps({"actions": [
        {"type": "answer"},
        {"type": "recording_start", "option": {"end_of_silence": 1}},
        {"type": "sleep", "option": {"duration": 4000}},
        {"type": "hangup"},
    ]}))
    sp = softphone("listen", "--flow", str(flow), "--calls", "1", "--json")
    extra = ["--tone", str(tone)] if tone else []
    peers(PjsuaPeer("--call", sp.uri("x"), "--codec", "PCMU", *extra))
    result = sp.finish(40)
    assert result.returncode == 0, result.explain()
    recordings = sorted(data_dir.rglob("*.wav"))
    assert len(recordings) == 1, recordings
    with wave.open(str(recordings[0]), "rb") as reader:
        seconds = reader.getnframes() / reader.getframerate()
    assert shortest < seconds < longest, seconds
