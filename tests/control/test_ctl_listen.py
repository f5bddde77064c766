"""`softphone ctl` against a running `softphone listen`, with baresip as the far end."""

from __future__ import annotations

import json
import signal
import time

import pytest

from tests.peers.sipp import free_udp_port
from tests.softphone_cli import StderrWatcher, history_json, run_cli, start_cli

pytestmark = pytest.mark.sip


def ctl(data_dir, *words: str):
    return run_cli("ctl", *words, data_dir=data_dir, timeout=30)


def _status(data_dir) -> list[dict]:
    result = ctl(data_dir, "status", "--json")
    assert result.returncode == 0, result.explain()
    return json.loads(result.stdout)


def _until(check, timeout: float = 15, what: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # another process: nothing to await but its state


@pytest.fixture
def listening(data_dir):
    port = free_udp_port()
    proc = start_cli("listen", "--bind", f"127.0.0.1:{port}", "--audio", "null",
                     "--refuse-transfer", data_dir=data_dir)
    log = StderrWatcher(proc)
    log.wait_for("listening on")
    yield proc, log
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        log.communicate(timeout=20)


def test_nothing_running_is_one_clear_line(data_dir):
    result = ctl(data_dir, "hold")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no softphone is running" in result.stderr


def test_ctl_drives_a_call_in_listen(data_dir, listening, baresips):
    bob = baresips("bob")
    assert ctl(data_dir, "hold").returncode == 1  # no call fits: one line
    dialled = ctl(data_dir, "dial", bob.uri)
    assert dialled.returncode == 0, dialled.explain()
    bob.wait_event("CALL_ESTABLISHED")
    _until(lambda: [c for c in _status(data_dir) if c["call"]["status"] == "progressing"],
           what="the call to be answered")

    assert ctl(data_dir, "hold").returncode == 0
    held = _until(lambda: [c for c in _status(data_dir) if c["held_by_us"]], what="hold")
    assert held[0]["call"]["status"] == "progressing"
    text = ctl(data_dir, "status")
    assert "on hold" in text.stdout, text.explain()
    assert ctl(data_dir, "resume").returncode == 0
    _until(lambda: not _status(data_dir)[0]["held_by_us"], what="resume")

    assert ctl(data_dir, "mute").returncode == 0
    assert _status(data_dir)[0]["muted"]
    bad = ctl(data_dir, "dtmf", "12x")
    assert bad.returncode == 2 and "not DTMF digits" in bad.stderr, bad.explain()
    assert ctl(data_dir, "dtmf", "12#").returncode == 0
    hung = ctl(data_dir, "hangup", "--all")
    assert hung.returncode == 0, hung.explain()
    bob.wait_event("CALL_CLOSED")
    rows = _until(lambda: [r for r in history_json(data_dir) if r["status"] == "hangup"],
                  what="the history row")
    assert (rows[0]["hangup_by"], rows[0]["hangup_reason"]) == ("local", "normal")
    assert rows[0]["direction"] == "outgoing"


def test_refuse_transfer_in_listen(data_dir, listening, baresips):
    bob, carol = baresips("bob"), baresips("carol")
    assert ctl(data_dir, "dial", bob.uri).returncode == 0
    bob.wait_event("CALL_ESTABLISHED")
    bob.command("transfer", carol.uri)
    _until(lambda: "603" in bob.log_tail(), what="our 603 to the REFER")
    assert carol.event_count == 0
