"""`softphone test` with flows (issue 14): --flow on each answered call, the list's flow
column, a flow that does not load, amd:* expectations. Against the pjsua2 peer (it counts
the digits our flow sends) and SIPp's built-in UAS."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.peers.pjsua import PjsuaPeer
from tests.peers.sipp import SippPeer, free_udp_port
from tests.softphone_cli import run_cli

pytestmark = pytest.mark.sip

NO_VERDICT = "no AMD verdict (the flow ran no amd action)"
SLEEP_THEN_DIGITS = [
    {"type": "sleep", "option": {"duration": 300}},
    {"type": "digits_send", "option": {"digits": "159#", "duration": 100, "interval": 60}},
    {"type": "sleep", "option": {"duration": 500}},
]


def _flow(path: Path, actions: list[dict]) -> Path:
    path.write_text(json.dumps({"name": path.stem, "actions": actions}))
    return path


def _list(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["target", "label", "expect", "flow"])
        writer.writeheader()
        for row in rows:
            writer.writerow({"label": "", "expect": "", "flow": "", **row})
    return path


def _results(stdout: str) -> list[dict]:
    return sorted((json.loads(line) for line in stdout.splitlines() if line.strip()),
                  key=lambda r: r["job"])


def test_flow_sends_digits_the_peer_receives_and_its_last_action_is_reported(
        data_dir, tmp_path):
    flow = _flow(tmp_path / "digits.json", SLEEP_THEN_DIGITS)
    peer = PjsuaPeer("--listen", "--codec", "PCMU", "--calls", "1").start()
    try:
        listing = _list(tmp_path / "numbers.csv", [{"target": peer.uri(), "expect": "answered"}])
        result = run_cli("test", str(listing), "--flow", str(flow), "--json",
                         data_dir=data_dir, timeout=60)
        assert peer.next_call().dtmf_digits == "159#"
    finally:
        peer.stop()
    assert result.returncode == 0, result.explain()
    (got,) = _results(result.stdout)
    assert (got["outcome"], got["passed"], got["action"]) == ("answered", True, "sleep")
    assert got["hangup_by"] == "local"  # the flow ran out of actions: we hung up
    assert got["flow"] == str(flow.resolve())


@pytest.mark.interop
def test_the_flow_column_overrides_flow_for_its_row_against_sipp_uas(data_dir, tmp_path):
    (tmp_path / "flows").mkdir()
    _flow(tmp_path / "flows" / "hangup.json",
          [{"type": "sleep", "option": {"duration": 200}}, {"type": "hangup"}])
    default = _flow(tmp_path / "wait.json", [{"type": "sleep", "option": {"duration": 1500}}])
    uas = SippPeer("uas", builtin=True, extra_args=["-m", "2"], port=free_udp_port()).start()
    try:
        listing = _list(tmp_path / "numbers.csv", [
            {"target": uas.uri(), "label": "own", "flow": "flows/hangup.json"},  # relative
            {"target": uas.uri(), "label": "default"},
        ])
        result = run_cli("test", str(listing), "--flow", str(default), "--json",
                         "--concurrency", "1", data_dir=data_dir, timeout=60)
        uas.assert_success(timeout=15)
    finally:
        uas.stop()
    assert result.returncode == 0, result.explain()
    own, fallback = _results(result.stdout)
    assert (own["label"], own["action"], own["outcome"]) == ("own", "hangup", "answered")
    assert own["flow"] == str((tmp_path / "flows" / "hangup.json").resolve())
    assert (fallback["label"], fallback["action"]) == ("default", "sleep")
    assert fallback["flow"] == str(default.resolve())
    assert own["talk_s"] < fallback["talk_s"]  # each ran its own flow


def test_a_flow_that_does_not_load_is_refused_before_any_call(data_dir, tmp_path):
    _flow(tmp_path / "bad.json", [{"type": "sleep", "option": {"duration": "soon"}}])
    listing = _list(tmp_path / "numbers.csv", [
        {"target": "sip:a@127.0.0.1:9"},
        {"target": "sip:b@127.0.0.1:9", "flow": "bad.json"},
    ])
    result = run_cli("test", str(listing), data_dir=data_dir, allow_errors="")
    assert result.returncode == 2, result.explain()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "numbers.csv, row 3, column flow:" in lines[0]
    assert "action 0 (sleep): field 'option.duration'" in lines[0]
    assert "testing" not in result.stderr  # no call was placed


def test_a_missing_flow_option_is_refused_in_one_line(data_dir, tmp_path):
    result = run_cli("test", "-", "--flow", str(tmp_path / "nope.json"), data_dir=data_dir,
                     input="sip:a@127.0.0.1:9\n", allow_errors="")
    assert result.returncode == 2, result.explain()
    assert result.stderr.strip().startswith("softphone: error: --flow:")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.interop
def test_amd_expectations_without_a_verdict_fail_and_a_flow_verdict_is_judged(
        data_dir, tmp_path):
    plain = _flow(tmp_path / "plain.json", [{"type": "sleep", "option": {"duration": 200}}])
    # A flow that leaves a verdict where VoIPBIN's amd action does (voipbin.amd.result).
    _flow(tmp_path / "verdict.json", [
        {"type": "variable_set", "option": {"key": "voipbin.amd.result", "value": "HUMAN"}},
        {"type": "sleep", "option": {"duration": 200}},
    ])
    uas = SippPeer("uas", builtin=True, extra_args=["-m", "3"], port=free_udp_port()).start()
    try:
        listing = _list(tmp_path / "numbers.csv", [
            {"target": uas.uri(), "expect": "amd:machine"},
            {"target": uas.uri(), "expect": "amd:human", "flow": "verdict.json"},
            {"target": uas.uri(), "expect": "amd:machine", "flow": "verdict.json"},
        ])
        result = run_cli("test", str(listing), "--flow", str(plain), "--json",
                         "--concurrency", "1", data_dir=data_dir, timeout=60)
        uas.assert_success(timeout=15)
    finally:
        uas.stop()
    assert result.returncode == 1, result.explain()  # an expectation failed
    none, human, wrong = _results(result.stdout)
    assert (none["passed"], none["amd"]) == (False, "")
    assert NO_VERDICT in none["verdict"]
    assert (human["passed"], human["amd"], human["verdict"]) == (True, "human", "amd human")
    assert (wrong["passed"], wrong["verdict"]) == (False, "expected amd:machine, got amd:human")


def test_amd_expectation_without_any_flow_is_refused(data_dir, tmp_path):
    listing = _list(tmp_path / "numbers.csv", [{"target": "sip:a@127.0.0.1:9",
                                                "expect": "amd:machine"}])
    result = run_cli("test", str(listing), data_dir=data_dir, allow_errors="")
    assert result.returncode == 2, result.explain()
    assert "numbers.csv, row 2, column expect: amd:machine needs a flow" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.interop
def test_real_amd_verdicts_on_generated_greetings_pass_their_expectations(data_dir, tmp_path):
    from tests.amd_greetings import espeak, write_greeting
    from tests.interop.test_flow_amd import HELLO, VOICEMAIL

    if espeak() is None:
        pytest.skip("espeak-ng is not installed (.ci/run)")
    amd = _flow(tmp_path / "amd.json", [
        {"type": "amd", "option": {"machine_handle": "hangup"}},
        {"type": "sleep", "option": {"duration": 200}},
    ])
    person = PjsuaPeer("--listen", "--codec", "PCMU", "--calls", "1", "--play",
                       str(write_greeting(HELLO, tmp_path))).start()
    machine = PjsuaPeer("--listen", "--codec", "PCMU", "--calls", "1", "--play",
                        str(write_greeting(VOICEMAIL, tmp_path))).start()
    try:
        listing = _list(tmp_path / "numbers.csv", [
            {"target": person.uri(), "label": "person", "expect": "amd:human"},
            {"target": machine.uri(), "label": "machine", "expect": "amd:machine"},
        ])
        result = run_cli("test", str(listing), "--flow", str(amd), "--json",
                         data_dir=data_dir, timeout=60)
    finally:
        person.stop()
        machine.stop()
    assert result.returncode == 0, result.explain()  # both expectations held
    human, robot = _results(result.stdout)
    assert (human["amd"], human["passed"], human["hangup_reason"]) == ("human", True, "normal")
    assert (robot["amd"], robot["passed"], robot["hangup_reason"]) == ("machine", True, "amd")
    assert robot["hangup_by"] == "local"


def test_calls_a_flow_connects_land_in_history_with_the_run_but_are_no_number(
        data_dir, tmp_path):
    """The number's flow dials a second pjsua2 peer (connect): both calls are in history,
    tagged with the run, the second chained to the first; the report has one row."""
    import re

    from softphone.store import History, HistoryScope

    second = PjsuaPeer("--listen", "--codec", "PCMU", "--hangup-after", "1").start()
    number = PjsuaPeer("--listen", "--codec", "PCMU").start()
    try:
        flow = _flow(tmp_path / "connect.json", [
            {"type": "connect", "option": {"destinations": [{"target": second.uri()}]}},
            {"type": "hangup"},
        ])
        listing = _list(tmp_path / "numbers.csv", [{"target": number.uri(),
                                                    "expect": "answered"}])
        result = run_cli("test", str(listing), "--flow", str(flow), "--json",
                         data_dir=data_dir, timeout=60)
        assert second.next_call().connect_duration_s >= 0.9  # bridged, then it hung up
    finally:
        second.stop()
        number.stop()
    assert result.returncode == 0, result.explain()
    (got,) = _results(result.stdout)
    assert (got["outcome"], got["passed"], got["action"]) == ("answered", True, "hangup")
    run_id = re.search(r"as test run (run-\S+)", result.stderr).group(1)
    with History.open(data_dir / "history.sqlite3") as history:
        calls = {e.call.id: e.call for e in history.list(scope=HistoryScope(test_run=run_id))}
    assert len(calls) == 2
    master = calls[next(i for i in calls if str(i) == got["call_id"])]
    (chained,) = (c for c in calls.values() if c.id != master.id)
    assert chained.master_call_id == master.id and master.chained_call_ids == [chained.id]
    assert (chained.hangup_by.value, chained.hangup_reason.value) == ("remote", "normal")
