"""Audio a flow sends, measured at the pjsua2 peer: the play service's sample (tones),
talk (eSpeak NG speech), and the echo service sending the peer's own tone back."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.audio_analysis import dominant_frequency, rms_dbfs, segment
from tests.interop.flow_listening import heard_by_caller

pytestmark = [pytest.mark.sip]


def test_play_service_sample_heard_at_the_peer(tmp_path, peers, softphone) -> None:
    samples, rate = heard_by_caller(tmp_path, peers, softphone, ("--sip-services",), "play", 3.5)
    # The sample: 440 Hz, 660 Hz, 880 Hz, one second each, from answer.
    assert abs(dominant_frequency(segment(samples, rate, 0.3, 0.8), rate) - 440) < 15
    assert abs(dominant_frequency(segment(samples, rate, 1.3, 1.8), rate) - 660) < 15
    assert abs(dominant_frequency(segment(samples, rate, 2.3, 2.8), rate) - 880) < 15


def test_echo_service_sends_the_peers_tone_back(tmp_path, peers, softphone) -> None:
    samples, rate = heard_by_caller(tmp_path, peers, softphone, ("--sip-services",), "echo", 2.5,
                                    "--tone", "700")
    heard = segment(samples, rate, 1.0, 2.0)
    assert rms_dbfs(heard) > -35
    assert abs(dominant_frequency(heard, rate) - 700) < 15


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="eSpeak NG is not installed")
def test_talk_speech_heard_at_the_peer(tmp_path, peers, softphone) -> None:
    flow = tmp_path / "talk.json"
    flow.write_text(json.dumps({"actions": [
        {"type": "answer"},
        {"type": "talk", "option": {"text": "Hello, this is a test of the softphone."}},
        {"type": "sleep", "option": {"duration": 3000}},
    ]}))
    samples, rate = heard_by_caller(tmp_path, peers, softphone, ("--flow", str(flow)), "x", 4)
    assert rms_dbfs(segment(samples, rate, 0.2, 2.0)) > -40  # speech
    assert rms_dbfs(segment(samples, rate, 3.5, 4.0)) < -60  # silence after it
