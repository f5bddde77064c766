"""`softphone listen` called by SIPp and by a second pjsua2 process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio_analysis import dominant_frequency, read_wav, rms_dbfs
from tests.peers.sipp import free_udp_port, run_uac
from tests.softphone_cli import StderrWatcher, history_json, start_cli

pytestmark = pytest.mark.sip
ROOT = Path(__file__).resolve().parents[2]


class Listener:
    """A running `softphone listen`, its port learnt from its 'listening on' line."""

    def __init__(self, data_dir: Path, *options: str) -> None:
        self.port = free_udp_port()
        self.proc = start_cli(
            "listen", "--bind", f"127.0.0.1:{self.port}", "--json", *options, data_dir=data_dir
        )
        self.log = StderrWatcher(self.proc)
        line = self.log.wait_for("listening on")
        match = re.search(r"sip:softphone@127\.0\.0\.1:(\d+)", line)
        assert match and int(match.group(1)) == self.port

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.port}"

    def finish(self, timeout: float = 30) -> list[dict]:
        import json

        out = self.proc.communicate(timeout=timeout)[0]
        err = self.log.text()
        assert self.proc.returncode == 0, f"rc={self.proc.returncode}\n{out}\n{err}"
        assert "Traceback" not in err, err
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


CASES = [
    # SIPp scenario, listen options, hangup_by, hangup_reason, answered
    ("uac_bye", [], "remote", "normal", True),
    ("uac_wait_remote_bye", ["--hangup-after", "1"], "local", "normal", True),
    ("uac_wait_remote_bye", ["--max-duration", "1"], "local", "timeout", True),
    ("uac_cancel", ["--no-answer"], "remote", "cancel", False),
    ("uac_expect_reject", ["--reject"], "local", "busy", False),
    ("uac_expect_reject", ["--no-answer", "--hangup-after", "1"], "local", "busy", False),
    ("uac_ring_until_final", ["--no-answer", "--ring-timeout", "1"], "local", "noanswer", False),
]


@pytest.mark.parametrize(
    ("scenario", "options", "by", "reason", "answered"),
    CASES,
    ids=[f"{c[0]}{''.join(c[1])}" for c in CASES],
)
def test_incoming_call_outcome(data_dir, scenario, options, by, reason, answered):
    listener = Listener(data_dir, "--calls", "1", *options)
    try:
        with run_uac(scenario, listener.host_port, service="softphone") as peer:
            calls = listener.finish()
            peer.assert_success(timeout=15)
    finally:
        listener.kill()
    assert len(calls) == 1
    call = calls[0]
    assert call["status"] == "hangup"
    assert call["direction"] == "incoming"
    assert (call["hangup_by"], call["hangup_reason"]) == (by, reason)
    assert call["source"]["type"] == "sip"
    assert call["source"]["target"].startswith("sip:") and "127.0.0.1" in call["source"]["target"]
    # The To URI as the caller addressed us.
    assert call["destination"]["target"].startswith("sip:softphone@127.0.0.1")
    assert call["tm_ringing"] == call["tm_create"]
    assert (call["tm_progressing"] is not None) is answered
    assert history_json(data_dir) == [call]


def test_fifth_incoming_call_is_refused_as_busy_and_kept(data_dir):
    listener = Listener(data_dir, "--calls", "5", "--hangup-after", "3")
    try:
        four = run_uac("uac_wait_remote_bye", listener.host_port, service="softphone",
                       extra_args=["-m", "4", "-l", "4", "-r", "10"])
        with four:
            import time

            time.sleep(1.5)  # let the four calls be answered
            with run_uac("uac_expect_reject", listener.host_port, service="softphone") as fifth:
                fifth.assert_success(timeout=15)
                assert 486 in fifth.received_status_codes()
            calls = listener.finish()
            four.assert_success(timeout=15)
    finally:
        listener.kill()
    outcomes = sorted((c["hangup_by"], c["hangup_reason"], c["tm_progressing"] is None) for c in calls)
    assert outcomes == [("local", "busy", True)] + [("local", "normal", False)] * 4
    assert all(c["direction"] == "incoming" and c["status"] == "hangup" for c in calls)
    assert len(history_json(data_dir)) == 5


def test_call_from_pjsua2_peer_is_recorded_with_its_tone(data_dir):
    listener = Listener(data_dir, "--calls", "1", "--record")
    try:
        peer = subprocess.run(
            [sys.executable, str(ROOT / "tests/peers/pjsua_peer.py"),
             "--call", f"sip:softphone@{listener.host_port}", "--tone", "800",
             "--hangup-after", "3", "--timeout", "30"],
            capture_output=True, text=True, timeout=40,
        )
        assert peer.returncode == 0, peer.stderr[-3000:]
        calls = listener.finish()
    finally:
        listener.kill()
    call = calls[0]
    assert (call["direction"], call["hangup_by"], call["hangup_reason"]) == (
        "incoming", "remote", "normal")
    assert len(call["recording_ids"]) == 1
    assert call["recording_id"] == "00000000-0000-0000-0000-000000000000"  # not recording now
    files = list((data_dir / "recordings").glob(f"*_{call['recording_ids'][0]}.wav"))
    assert len(files) == 1, list((data_dir / "recordings").iterdir())
    assert "_incoming_" in files[0].name
    samples, rate = read_wav(files[0])
    assert len(samples) / rate > 2.0
    assert abs(dominant_frequency(samples, rate) - 800) < 15
    assert rms_dbfs(samples) > -30


@pytest.mark.slow
def test_answered_call_never_acknowledged_is_a_remote_failure(data_dir):
    # Our 200 OK is retransmitted for 32 s (64 x T1) waiting for an ACK that never comes:
    # the caller never really joined, so it is no normal call, and no cancel either.
    listener = Listener(data_dir, "--calls", "1")
    try:
        with run_uac("uac_no_ack", listener.host_port, service="softphone",
                     timeout_s=90) as peer:
            calls = listener.finish(timeout=80)
            peer.wait(timeout=20)
    finally:
        listener.kill()
    call = calls[0]
    assert (call["direction"], call["status"]) == ("incoming", "hangup")
    assert (call["hangup_by"], call["hangup_reason"]) == ("remote", "failed")
    assert call["tm_progressing"] is None
