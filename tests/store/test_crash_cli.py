"""`softphone call --record` killed mid-call (kill -9), against a real pjsua2 peer sending
a tone: the next `softphone history` shows the call ended (local, normal, at its last
update, "interrupted" in its details) and the WAV plays the tone up to the crash. While
the call is still up, the same command leaves it alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from softphone.store import History
from tests.audio_analysis import dominant_frequency, read_wav, rms_dbfs
from tests.peers.sipp import free_udp_port, run_uac, run_uas
from tests.softphone_cli import StderrWatcher, history_json, run_cli, start_cli

pytestmark = pytest.mark.sip
ROOT = Path(__file__).resolve().parents[2]
TONE_HZ = 800
WAV_HEADER = 44
RATE = 16000  # pjsua2's conference bridge rate, as the recorder writes it


def _peer() -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/peers/pjsua_peer.py"), "--listen", "--codec", "PCMU",
         "--tone", str(TONE_HZ), "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready = proc.stdout.readline().split()
    assert ready[:1] == ["READY"], proc.stderr.read() if proc.stderr else ready
    return proc, int(ready[1])


def _wait_for_audio(folder: Path, seconds: float, timeout: float = 20) -> Path:
    """The recording, once ``seconds`` of audio are on disk (the writer flushes in blocks)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for wav in folder.glob("*.wav"):
            if wav.stat().st_size >= WAV_HEADER + seconds * RATE * 2:
                return wav
        time.sleep(0.05)
    raise AssertionError(f"no recording with {seconds} s of audio in {folder}: "
                         f"{[(p.name, p.stat().st_size) for p in folder.glob('*')]}")


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def test_killed_recorded_call_is_ended_and_its_recording_plays(data_dir: Path) -> None:
    peer, port = _peer()
    try:
        call = start_cli("call", f"sip:peer@127.0.0.1:{port}", "--record", "--audio", "null",
                         "--bind", "127.0.0.1:0", data_dir=data_dir)
        try:
            StderrWatcher(call).wait_for("progressing", timeout=20)
            wav = _wait_for_audio(data_dir / "recordings", 2.0)
            # The call is up: `history` (a reader that recovers) leaves it as it is.
            (up,) = history_json(data_dir)
            assert up["status"] == "progressing" and up["hangup_by"] == ""
        finally:
            _kill(call)
    finally:
        peer.terminate()
        peer.communicate(timeout=30)
    with pytest.raises((wave.Error, EOFError)):
        wave.open(str(wav)).close()  # what the crash left: no player reads it
    last = up["tm_update"]

    result = run_cli("history", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.explain()
    assert "Traceback" not in result.stderr
    (ended,) = json.loads(result.stdout)
    assert ended["id"] == up["id"]
    assert (ended["status"], ended["hangup_by"], ended["hangup_reason"]) == (
        "hangup", "local", "normal")
    assert ended["tm_hangup"] == last and ended["tm_update"] == last
    assert ended["recording_ids"] == up["recording_ids"]
    assert "interrupted" not in result.stdout  # the VoIPBIN JSON is untouched by the note
    with History.open(data_dir / "history.sqlite3", recover=False) as h:
        entry = h.get(up["id"])
        assert entry is not None and entry.detail is not None and "interrupted" in entry.detail

    with wave.open(str(wav)) as w:
        assert w.getnframes() >= 2 * RATE
    samples, rate = read_wav(wav)
    assert abs(dominant_frequency(samples[rate // 2:], rate) - TONE_HZ) < 15
    assert rms_dbfs(samples[rate // 2:]) > -30


@pytest.mark.parametrize(("scenario", "command", "reason"), [
    ("uas_ring_until_cancel", "call", "cancel"),
    ("uac_ring_until_final", "listen", "noanswer"),
], ids=["outgoing-ringing", "incoming-ringing"])
def test_killed_unanswered_call_is_ended(data_dir: Path, scenario: str, command: str,
                                         reason: str) -> None:
    if command == "call":
        peer = run_uas(scenario)
        proc = start_cli("call", peer.uri(), "--audio", "null", "--bind", "127.0.0.1:0",
                         data_dir=data_dir)
        log = StderrWatcher(proc)
    else:
        listen_port = free_udp_port()
        proc = start_cli("listen", "--no-answer", "--audio", "null", "--bind",
                         f"127.0.0.1:{listen_port}", data_dir=data_dir)
        log = StderrWatcher(proc)
        log.wait_for("listening on")
        peer = run_uac(scenario, f"127.0.0.1:{listen_port}", service="softphone")
    with peer:
        try:
            log.wait_for("ringing", timeout=20)
        finally:
            _kill(proc)
    (ended,) = history_json(data_dir)
    assert (ended["status"], ended["hangup_by"], ended["hangup_reason"]) == (
        "hangup", "local", reason)
    assert ended["tm_progressing"] is None
