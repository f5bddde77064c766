"""An attended transfer the far end makes: its INVITE with Replaces replaces the right call.

bob and carol are two `softphone listen` processes driven with `softphone ctl`; we are
the engine in this process. bob talks with carol, calls us, then completes an attended
transfer: carol gets a REFER whose Refer-To carries Replaces of bob's call with us, and
her INVITE to us replaces exactly that call.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from softphone.model import CallDirection, CallStatus
from tests.peers.sipp import free_udp_port
from tests.softphone_cli import ROOT, StderrWatcher, clean_env, start_cli

pytestmark = pytest.mark.sip


def _listen(data_dir):
    port = free_udp_port()
    proc = start_cli("listen", "--bind", f"127.0.0.1:{port}", "--audio", "null",
                     data_dir=data_dir)
    StderrWatcher(proc).wait_for("listening on")
    return proc, f"sip:softphone@127.0.0.1:{port}"


def test_invite_with_replaces_replaces_the_right_call(watch, engine, tmp_path):
    def ctl(data_dir, *words: str) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-m", "softphone", "--data-dir", str(data_dir), "ctl", *words],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env=clean_env(None))
        watch.until(lambda: proc.poll() is not None, 30, f"ctl {words}")  # we keep polling
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        return out

    bob_dir, carol_dir = tmp_path / "bob", tmp_path / "carol"
    bob_dir.mkdir()
    carol_dir.mkdir()
    bob, _ = _listen(bob_dir)
    carol, carol_uri = _listen(carol_dir)
    try:
        ctl(bob_dir, "dial", carol_uri)
        watch.until(lambda: json.loads(ctl(bob_dir, "status", "--json"))[0]["call"]["status"]
                    == "progressing", what="bob and carol talking")
        ctl(bob_dir, "dial", engine.local_address.target)
        watch.until(lambda: any(c.status is CallStatus.RINGING for c in watch.calls()),
                    what="bob's call to ring here")
        ours = watch.calls()[0]
        engine.answer(ours.id)
        watch.until_status(ours.id, CallStatus.PROGRESSING)
        calls = json.loads(ctl(bob_dir, "status", "--json"))
        to_carol = next(c["call"]["id"] for c in calls
                        if c["call"]["destination"]["target"] == carol_uri)
        to_us = next(c["call"]["id"] for c in calls
                     if c["call"]["destination"]["target"] == engine.local_address.target)
        ctl(bob_dir, "transfer", "--call", to_carol, "--to-call", to_us)
        watch.until(lambda: len(watch.calls()) >= 2, what="carol's INVITE with Replaces")
        new = watch.calls()[1]
        watch.until_status(new.id, CallStatus.PROGRESSING)
        watch.until_status(ours.id, CallStatus.HANGUP)
        assert new.direction is CallDirection.INCOMING
        old = watch.last(ours.id)
        assert old.call.hangup_reason.value == "normal"
        engine.hangup(new.id)
        watch.until_status(new.id, CallStatus.HANGUP)
        assert "replaces the call with" in (watch.last(new.id).diagnostics.detail or "")
    finally:
        for proc in (bob, carol):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in (bob, carol):
            try:
                proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
