"""The answering-machine detector on greetings made offline by eSpeak NG, each against its
truth; and the amd action's options as a flow file gives them."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.flows import FlowError, parse_flow
from softphone.flows.amd_detector import FRAME_BYTES, AmdDetector, AmdResult, AmdSettings
from tests.amd_greetings import ALL, Greeting, espeak, read_pcm, write_greeting

needs_espeak = pytest.mark.skipif(espeak() is None,
                                  reason="espeak-ng is not installed (.ci/run)")


def judge(pcm: bytes, settings: AmdSettings | None = None, chunk: int = 5 * FRAME_BYTES):
    detector = AmdDetector(settings)
    for start in range(0, len(pcm), chunk):
        verdict = detector.feed(pcm[start:start + chunk])
        if verdict is not None:
            return verdict
    return None


@needs_espeak
@pytest.mark.parametrize("greeting", ALL, ids=lambda g: g.name)
def test_each_greeting_gets_its_truth(greeting: Greeting, tmp_path_factory) -> None:
    folder = tmp_path_factory.getbasetemp() / "amd-greetings"
    verdict = judge(read_pcm(write_greeting(greeting, folder)))
    assert verdict is not None
    assert verdict.result.value == greeting.truth, str(verdict)
    # Within Asterisk's total analysis time, and never before the audio that decides it.
    assert 0 < verdict.after_ms <= AmdSettings().total_analysis_time


def test_dead_air_is_initial_silence_at_its_limit() -> None:
    verdict = judge(bytes(FRAME_BYTES * 400))
    assert verdict is not None
    assert (verdict.result, verdict.cause) == (AmdResult.MACHINE, "INITIALSILENCE-2500-2500")
    assert verdict.after_ms == 2500


def test_feeding_odd_lengths_is_the_same_as_whole_frames() -> None:
    pcm = bytes(FRAME_BYTES * 200)
    assert judge(pcm, chunk=333) == judge(pcm)


@needs_espeak
def test_nothing_decided_within_the_analysis_time_is_notsure(tmp_path: Path) -> None:
    # Words, then silence too short for "after greeting", then the time runs out.
    hello = read_pcm(write_greeting(Greeting("h", "HUMAN", "Hello?", tail_s=0.0), tmp_path))
    settings = AmdSettings(after_greeting_silence=4000, total_analysis_time=2500)
    verdict = judge(hello + bytes(FRAME_BYTES * 200), settings)
    assert verdict is not None
    assert verdict.result is AmdResult.NOTSURE and verdict.cause.startswith("TOOLONG-")


def test_amd_options_load_with_voipbins_names() -> None:
    flow = parse_flow({"actions": [
        {"type": "amd", "option": {"machine_handle": "hangup", "async": True,
                                   "initial_silence": 2000}}]})
    (step,) = flow.steps
    assert step.options.run_async and step.options.settings().initial_silence == 2000
    # The Call's action shows the option as written (VoIPBIN's "async").
    assert step.action.option == {"machine_handle": "hangup", "async": True,
                                  "initial_silence": 2000}


@pytest.mark.parametrize(("option", "field"), [
    ({"machine_handle": "shout"}, "option.machine_handle"),
    ({"greeting": 5}, "option.greeting"),
    ({"async": "maybe"}, "option.async"),
])
def test_bad_amd_options_name_the_field(option: dict, field: str) -> None:
    with pytest.raises(FlowError, match=rf"action 0 \(amd\): field '{field}'"):
        parse_flow({"actions": [{"type": "amd", "option": option}]}, "f.json")
