"""softphone against linphonec (Debian's linphone-cli): one call each way."""

from __future__ import annotations

import pytest

from tests.peers.linphonec import Linphonec, linphonec_available
from tests.softphone_cli import history_json

pytestmark = [
    pytest.mark.sip, pytest.mark.interop,
    pytest.mark.skipif(not linphonec_available(), reason="linphonec is not installed (.ci/run)"),
]


def only(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


def outcome(call: dict) -> tuple[str, str, str, str]:
    return call["direction"], call["status"], call["hangup_by"], call["hangup_reason"]


def test_call_to_linphonec_answered_and_hung_up_by_us(data_dir, peers, softphone):
    lp = peers(Linphonec())
    sp = softphone("call", lp.uri(), "--json", "--hangup-after", "2")
    result = sp.finish(30)
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert outcome(call) == ("outgoing", "hangup", "local", "normal")
    assert call["tm_progressing"]
    lp.wait_output(r"Call 1 with sip:softphone@127\.0\.0\.1 ended")
    row = only(history_json(data_dir))
    assert (row["id"], *outcome(row)) == (call["id"], *outcome(call))


def test_call_from_linphonec_answered_and_hung_up_by_linphonec(data_dir, peers, softphone):
    sp = softphone("listen", "--calls", "1", "--json")
    lp = peers(Linphonec(user="erin", auto_answer=False))
    lp.send(f"call {sp.uri()}")
    lp.wait_output(r"Call \d+ with .* connected")
    lp.send("terminate")
    result = sp.finish(30)
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert outcome(call) == ("incoming", "hangup", "remote", "normal")
    assert call["source"]["target"].startswith("sip:erin@127.0.0.1"), call["source"]
    assert call["source"]["name"] == "Erin"
    row = only(history_json(data_dir))
    assert (row["id"], *outcome(row)) == (call["id"], *outcome(call))
