"""`softphone call` ends when its own calls end: an incoming call that arrives meanwhile
is declined as the command ends, never waited for (a script would hang)."""

from __future__ import annotations

import time

import pytest

from tests.peers.pjsua import PjsuaPeer
from tests.peers.sipp import free_udp_port, run_uac
from tests.softphone_cli import StderrWatcher, history_json, start_cli

pytestmark = [pytest.mark.sip, pytest.mark.interop]


def test_call_does_not_wait_for_an_incoming_call(peers, data_dir):
    callee = peers(PjsuaPeer("--listen", "--codec", "PCMU"))
    port = free_udp_port()
    proc = start_cli("call", callee.uri(), "--audio", "null", "--bind", f"127.0.0.1:{port}",
                     "--hangup-after", "3", data_dir=data_dir)
    log = StderrWatcher(proc)
    try:
        log.wait_for("progressing", timeout=15)
        with run_uac("uac_ring_until_final", f"127.0.0.1:{port}", service="softphone"):
            started = time.monotonic()
            proc.wait(timeout=20)
            assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == 0, log.text()
    rows = {(r["direction"], r["hangup_by"], r["hangup_reason"]) for r in history_json(data_dir)}
    assert ("outgoing", "local", "normal") in rows
    assert ("incoming", "local", "busy") in rows  # declined as `call` ended
