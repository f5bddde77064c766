"""Clean ends: Ctrl+C or SIGTERM in any call state, and pjsua2 objects that outlive calls."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.peers.sipp import run_uas
from tests.softphone_cli import StderrWatcher, clean_env, history_json, start_cli

pytestmark = pytest.mark.sip
ROOT = Path(__file__).resolve().parents[2]




@pytest.mark.parametrize(
    ("scenario", "status", "signum", "reason"),
    [
        ("uas_answer_wait", "progressing", signal.SIGTERM, "normal"),
        ("uas_answer_wait", "progressing", signal.SIGINT, "normal"),
        ("uas_ring_until_cancel", "ringing", signal.SIGTERM, "cancel"),
    ],
)
def test_signal_ends_the_call_cleanly(data_dir, scenario, status, signum, reason):
    with run_uas(scenario) as peer:
        # Without --json the progress lines on stderr tell us the status.
        proc = start_cli("call", peer.uri(), "--bind", "127.0.0.1:0", data_dir=data_dir)
        log = StderrWatcher(proc)
        try:
            log.wait_for(f": {status}\n")
            proc.send_signal(signum)
            out = log.communicate(timeout=15)
            err = log.text()
        finally:
            if proc.poll() is None:
                proc.kill()
        peer.assert_success(timeout=10)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Assertion" not in err
    assert f"hangup_by=local  hangup_reason={reason}" in out
    stored = history_json(data_dir)
    assert [(c["status"], c["hangup_by"], c["hangup_reason"]) for c in stored] == [
        ("hangup", "local", reason)
    ]


def test_listen_interrupted_while_calls_ring_and_talk(data_dir):
    """Ctrl+C with one call answered and one ringing: both end, both land in history."""
    from tests.peers.sipp import free_udp_port, run_uac

    port = free_udp_port()
    proc = start_cli("listen", "--bind", f"127.0.0.1:{port}", "--json", "--answer-after", "30",
                     data_dir=data_dir)
    try:
        log = StderrWatcher(proc)
        log.wait_for("listening on")
        with run_uac("uac_ring_until_final", f"127.0.0.1:{port}", service="softphone") as ringing:
            time.sleep(1.0)
            proc.send_signal(signal.SIGINT)
            out = log.communicate(timeout=15)
            err = log.text()
            ringing.assert_success(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    calls = [json.loads(line) for line in out.splitlines()]
    assert [(c["direction"], c["hangup_by"], c["hangup_reason"]) for c in calls] == [
        ("incoming", "local", "busy")
    ]
    assert history_json(data_dir) == calls


def test_stray_reference_to_a_call_object_does_not_abort_at_exit(tmp_path):
    # pjproject issues 3856/3616/4143: a Call freed after libDestroy aborts the process.
    script = tmp_path / "stray.py"
    script.write_text(textwrap.dedent("""
        import sys, time
        from softphone.engine import BindAddress, Engine, EngineConfig
        from softphone.engine.session import LIVE_CALLS
        from softphone.model import parse_target
        from tests.peers.sipp import run_uas

        engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0)))
        engine.start()
        with run_uas("uas_486") as peer:
            engine.make_call(parse_target(peer.uri()))
            stray = list(LIVE_CALLS)  # held past shutdown, freed at interpreter exit
            deadline = time.monotonic() + 10
            while engine.active_calls and time.monotonic() < deadline:
                engine.poll(20)
        engine.shutdown()
        print("stray objects:", len(stray))
    """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT, env=clean_env({"PYTHONPATH": str(ROOT)}))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "stray objects: 1" in proc.stdout
