"""The connect action: `softphone listen --flow` answers a pjsua2 caller, dials a second
pjsua2 peer chained to that call and bridges the two. Each peer plays its own tone and
records what it hears: each must hear the other's tone. VoIPBIN's chained rules: the
chained call hanging up leaves the master up (its flow goes on); the master hanging up
ends the chained call, by us."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audio_analysis import dominant_frequency, read_wav, rms_dbfs, segment
from tests.peers.pjsua import PjsuaPeer

pytestmark = [pytest.mark.sip]


def connect_flow(tmp_path: Path, destination: str) -> str:
    path = tmp_path / "connect.json"
    path.write_text(json.dumps({"name": "connect", "actions": [
        {"type": "answer"},
        {"type": "connect", "option": {"destinations": [{"type": "sip",
                                                          "target": destination}]}},
        {"type": "beep"},  # after the bridged call ended: the master's flow goes on
        {"type": "sleep", "option": {"duration": 500}},
        {"type": "hangup"},
    ]}))
    return str(path)


def run_bridge(tmp_path: Path, peers, softphone, *, callee_hangs_up: float | None,
               caller_hangs_up: float) -> tuple[dict, dict, Path, Path]:
    heard_by_callee = tmp_path / "callee.wav"
    heard_by_caller = tmp_path / "caller.wav"
    callee_args = ["--listen", "--codec", "PCMU", "--tone", "880",
                   "--record", str(heard_by_callee)]
    if callee_hangs_up is not None:
        callee_args += ["--hangup-after", str(callee_hangs_up)]
    callee = peers(PjsuaPeer(*callee_args))
    sp = softphone("listen", "--flow", connect_flow(tmp_path, callee.uri()), "--calls", "1",
                   "--json")
    peers(PjsuaPeer("--call", sp.uri("bridge"), "--codec", "PCMU", "--tone", "440",
                    "--record", str(heard_by_caller), "--hangup-after", str(caller_hangs_up)))
    result = sp.finish(60)
    assert result.returncode == 0, result.explain()
    by_direction = {c["direction"]: c for c in result.calls}
    assert len(result.calls) == 2 and set(by_direction) == {"incoming", "outgoing"}
    master, chained = by_direction["incoming"], by_direction["outgoing"]
    assert master["chained_call_ids"] == [chained["id"]]
    assert chained["master_call_id"] == master["id"]
    assert master["type"] == "flow"
    return master, chained, heard_by_caller, heard_by_callee


def assert_hears(path: Path, start_s: float, end_s: float, hz: float) -> None:
    samples, rate = read_wav(path)
    part = segment(samples, rate, start_s, end_s)
    assert rms_dbfs(part) > -35, f"{path.name}: silence from {start_s} to {end_s} s"
    assert abs(dominant_frequency(part, rate) - hz) < 15


def test_bridge_carries_each_tone_and_the_chained_hangup_leaves_the_master_up(
        tmp_path, peers, softphone) -> None:
    master, chained, caller_wav, callee_wav = run_bridge(
        tmp_path, peers, softphone, callee_hangs_up=3.0, caller_hangs_up=20.0)
    # The callee answers at once: the caller hears it well before its 3 s are up.
    assert_hears(caller_wav, 1.5, 2.5, 880)
    assert_hears(callee_wav, 1.0, 2.5, 440)
    assert (chained["hangup_by"], chained["hangup_reason"]) == ("remote", "normal")
    # The master's flow went on (beep, sleep) and hung up: by us, long before 20 s.
    assert (master["hangup_by"], master["hangup_reason"]) == ("local", "normal")
    assert master["action"]["type"] == "hangup"


def test_the_masters_hangup_ends_the_chained_call_by_us(tmp_path, peers, softphone) -> None:
    master, chained, caller_wav, _ = run_bridge(
        tmp_path, peers, softphone, callee_hangs_up=None, caller_hangs_up=3.0)
    assert_hears(caller_wav, 1.5, 2.5, 880)
    assert (master["hangup_by"], master["hangup_reason"]) == ("remote", "normal")
    assert (chained["hangup_by"], chained["hangup_reason"]) == ("local", "normal")
    assert master["action"]["type"] == "connect"


def test_no_destination_answers_and_the_flow_takes_the_noanswer_path(
        tmp_path, peers, softphone) -> None:
    busy = peers(PjsuaPeer("--listen", "--reject", "486"))
    flow = tmp_path / "fallback.json"
    flow.write_text(json.dumps({"actions": [
        {"type": "answer"},
        {"type": "connect", "option": {"destinations": [{"target": busy.uri()}]}},
        {"type": "branch", "option": {"variable": "voipbin.connect.result",
                                      "target_ids": {"noanswer": "sorry"},
                                      "default_target_id": "end"}},
        {"id": "sorry", "type": "digits_send", "option": {"digits": "7"}},
        {"id": "end", "type": "sleep", "option": {"duration": 500}},
    ]}))
    sp = softphone("listen", "--flow", str(flow), "--calls", "1", "--json")
    caller = peers(PjsuaPeer("--call", sp.uri("x"), "--codec", "PCMU", "--hangup-after", "15"))
    result = sp.finish(40)
    assert result.returncode == 0, result.explain()
    by_direction = {c["direction"]: c for c in result.calls}
    chained = by_direction["outgoing"]
    assert (chained["hangup_by"], chained["hangup_reason"]) == ("remote", "busy")
    assert by_direction["incoming"]["hangup_by"] == "local"  # the flow ran out: we hung up
    assert caller.next_call().dtmf_digits == "7"


def test_the_masters_hangup_while_the_chained_call_rings_cancels_it_as_normal(
        tmp_path, peers, softphone) -> None:
    # VoIPBIN hangs up a master's chained calls with reason normal, answered or not.
    callee = peers(PjsuaPeer("--listen", "--answer-after", "30"))
    sp = softphone("listen", "--flow", connect_flow(tmp_path, callee.uri()), "--calls", "1",
                   "--json")
    peers(PjsuaPeer("--call", sp.uri("bridge"), "--codec", "PCMU", "--hangup-after", "2"))
    result = sp.finish(40)
    assert result.returncode == 0, result.explain()
    by_direction = {c["direction"]: c for c in result.calls}
    master, chained = by_direction["incoming"], by_direction["outgoing"]
    assert chained["master_call_id"] == master["id"]
    assert (master["hangup_by"], master["hangup_reason"]) == ("remote", "normal")
    assert (chained["hangup_by"], chained["hangup_reason"]) == ("local", "normal")
    never = chained["tm_progressing"]  # it never got past ringing
    assert not never or never.startswith("9999-01-01"), never
    # The callee saw our CANCEL: 487 on a call it never answered, long before its 30 s.
    seen = callee.next_call(timeout=10)
    assert (seen.last_status_code, seen.connect_duration_s) == (487, 0)
