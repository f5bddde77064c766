"""`softphone call --flow` and `listen --flow` against real peers: the pjsua2 peer and SIPp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.peers.pjsua import PjsuaPeer
from tests.peers.sipp import SippPeer, sipp_available
from tests.softphone_cli import history_json

pytestmark = [pytest.mark.sip]


def write_flow(tmp_path: Path, actions: list[dict]) -> str:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps({"name": "test", "actions": actions}))
    return str(path)


def test_call_flow_sends_digits_the_peer_receives(tmp_path, data_dir, peers, softphone) -> None:
    peer = peers(PjsuaPeer("--listen", "--codec", "PCMU"))
    flow = write_flow(tmp_path, [
        {"type": "sleep", "option": {"duration": 300}},
        {"type": "digits_send", "option": {"digits": "159#", "duration": 100, "interval": 60}},
        {"type": "sleep", "option": {"duration": 500}},
    ])  # then the flow runs out of actions: we hang up
    sp = softphone("call", peer.uri(), "--flow", flow, "--json")
    result = sp.finish(40)
    assert result.returncode == 0, result.explain()
    (call,) = result.calls
    assert call["type"] == "flow"
    assert call["action"]["type"] == "sleep"
    assert (call["hangup_by"], call["hangup_reason"]) == ("local", "normal")
    assert peer.next_call().dtmf_digits == "159#"
    (stored,) = history_json(data_dir)  # history keeps the last action
    assert (stored["type"], stored["action"]["type"]) == ("flow", "sleep")
    assert stored["action"]["tm_execute"] == call["action"]["tm_execute"]


@pytest.mark.skipif(not sipp_available(), reason="sipp is not installed (.ci/run)")
def test_listen_flow_answers_with_its_answer_action(tmp_path, peers, softphone) -> None:
    flow = write_flow(tmp_path, [{"type": "sleep", "option": {"duration": 200}},
                                 {"type": "answer"}, {"type": "stop"}])
    sp = softphone("listen", "--flow", flow, "--calls", "1", "--json")
    sipp = peers(SippPeer("uac", builtin=True, remote=sp.host_port, service="x",
                          extra_args=["-d", "500"]))
    result = sp.finish(40)
    sipp.assert_success(timeout=20)
    (call,) = result.calls
    assert (call["type"], call["action"]["type"]) == ("flow", "stop")
    assert (call["hangup_by"], call["hangup_reason"]) == ("remote", "normal")


def test_bad_flow_file_is_one_line_exit_2(tmp_path, softphone) -> None:
    flow = write_flow(tmp_path, [{"type": "sleep", "option": {"duration": "soon"}}])
    sp = softphone("call", "sip:nobody@127.0.0.1:9", "--flow", flow)
    result = sp.finish(20, allow_errors="")
    assert result.returncode == 2
    assert "action 0 (sleep): field 'option.duration'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("sent", "last"), [("42", "hangup"), ("41", "stop")])
def test_digits_receive_and_branch_take_the_path_of_the_digits_sent(
        tmp_path, peers, softphone, sent: str, last: str) -> None:
    # Two real pjsua2 engines: the caller's flow presses digits, the listener's collects
    # them and branches on them (42 hangs up, anything else stops the flow).
    ivr = tmp_path / "ivr.json"
    ivr.write_text(json.dumps({"actions": [
        {"type": "answer"},
        {"type": "digits_receive", "option": {"duration": 5000, "length": 2}},
        {"type": "branch", "option": {"target_ids": {"42": "yes"}, "default_target_id": "no"}},
        {"id": "yes", "type": "hangup"},
        {"id": "no", "type": "stop"},
    ]}))
    listener = softphone("listen", "--flow", str(ivr), "--calls", "1", "--json")
    caller_flow = tmp_path / "caller.json"
    caller_flow.write_text(json.dumps({"actions": [
        {"type": "sleep", "option": {"duration": 500}},
        {"type": "digits_send", "option": {"digits": sent}},
        {"type": "sleep", "option": {"duration": 2000}},
    ]}))
    caller = softphone("call", listener.uri("ivr"), "--flow", str(caller_flow), "--json")
    heard = listener.finish(40)
    caller.finish(40)
    (call,) = heard.calls
    assert call["action"]["type"] == last
    assert call["hangup_by"] == ("local" if last == "hangup" else "remote")
