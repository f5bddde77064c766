"""The worker line protocol (softphone.model.worker) that engine worker processes speak."""

from __future__ import annotations

import pytest

from softphone.model.worker import CallEnded, Ready, WorkerProtocolError, parse_line


def test_ready_line_round_trips_and_stays_plain_text():
    assert Ready(port=5062).line() == "READY 5062"
    assert parse_line("READY 5062\n") == Ready(port=5062)


def test_call_ended_round_trips():
    ended = CallEnded(call_index=1, role="callee", last_status_code=200, last_reason="OK",
                      connect_duration_s=2.5, total_duration_s=3.0,
                      remote_uri="<sip:a@127.0.0.1>", codec="PCMU/8000", dtmf_digits="12#")
    assert parse_line(ended.line()) == ended


@pytest.mark.parametrize("line", [
    "READY", "READY x", "READY 0", "READY 70000", "hello", "{}",
    '{"event": "disconnected", "call_index": 1}',
    '{"event": "other", "call_index": 1, "role": "caller", "last_status_code": 200,'
    ' "last_reason": "OK", "connect_duration_s": 0, "total_duration_s": 0, "remote_uri": ""}',
])
def test_anything_else_is_a_protocol_error(line):
    with pytest.raises(WorkerProtocolError):
        parse_line(line)
