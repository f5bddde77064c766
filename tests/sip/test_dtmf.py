"""DTMF by each account's method: RFC 2833 events, SIP INFO, and tones in the audio."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from softphone.engine import Engine
from softphone.model import CallStatus, parse_target
from softphone.model.account import AccountSettings, DtmfMethod
from tests.audio_analysis import read_wav, segment, tone_level_dbfs
from tests.peers.sipp import run_uas

pytestmark = pytest.mark.sip
ROOT = Path(__file__).resolve().parents[2]


class Call:
    """One call from the shared engine through a throwaway account with a DTMF method."""

    def __init__(self, engine: Engine, method: DtmfMethod, uri: str) -> None:
        self.engine = engine
        self.name = f"dtmf-{method.value}"
        engine.add_account(
            AccountSettings(name=self.name, user="dtmf", domain="127.0.0.1", registrar="none",
                            dtmf=method), None)
        self.status: dict[object, CallStatus] = {}
        engine.add_listener(self._on)
        self.call = engine.make_call(parse_target(uri), account=self.name)

    def _on(self, update) -> None:
        self.status[update.call.id] = update.call.status

    def run_until(self, done, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, self.status
            self.engine.poll(10)

    def wait(self, status: CallStatus) -> None:
        self.run_until(lambda: self.status.get(self.call.id) is status)

    def pause(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        self.run_until(lambda: time.monotonic() >= end)

    def close(self) -> None:
        if self.status.get(self.call.id) is not CallStatus.HANGUP:
            self.engine.hangup(self.call.id)
            self.wait(CallStatus.HANGUP)
        self.engine.remove_listener(self._on)
        self.engine.remove_account(self.name)


def _peer(*args: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/peers/pjsua_peer.py"), "--listen",
         "--codec", "PCMU", "--timeout", "30", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready = proc.stdout.readline().split()
    assert ready[:1] == ["READY"], proc.stderr.read() if proc.stderr else ready
    return proc, int(ready[1])


def test_rfc2833_digits_reach_the_far_end(engine: Engine):
    peer, port = _peer()
    call = Call(engine, DtmfMethod.RFC2833, f"sip:peer@127.0.0.1:{port}")
    try:
        call.wait(CallStatus.PROGRESSING)
        call.pause(0.3)
        engine.send_dtmf(call.call.id, "159#")
        call.pause(1.5)
    finally:
        call.close()
    out, _ = peer.communicate(timeout=15)
    result = json.loads(out.splitlines()[-1])
    assert result["dtmf_digits"] == "159#"


def test_sip_info_digits_reach_the_far_end(engine: Engine):
    with run_uas("uas_answer_wait") as sipp:
        call = Call(engine, DtmfMethod.SIP_INFO, sipp.uri())
        try:
            call.wait(CallStatus.PROGRESSING)
            engine.send_dtmf(call.call.id, "5#")
            call.pause(0.8)
        finally:
            call.close()
        call.run_until(lambda: sipp.wait(timeout=0) is not None)
        sipp.assert_success(timeout=1)
        received = sipp.messages()
    infos = [block for block in received.split("INFO sip:")[1:]]
    assert len(infos) == 2, received[-3000:]
    assert "application/dtmf-relay" in infos[0] and "Signal=5" in infos[0]
    assert "Signal=#" in infos[1]


def test_inband_digits_are_tones_the_far_end_records(engine: Engine, tmp_path):
    recording = tmp_path / "far-end.wav"
    peer, port = _peer("--record", str(recording))
    call = Call(engine, DtmfMethod.INBAND, f"sip:peer@127.0.0.1:{port}")
    try:
        call.wait(CallStatus.PROGRESSING)
        call.pause(0.5)
        engine.send_dtmf(call.call.id, "1")
        call.pause(1.0)
    finally:
        call.close()
    out, _ = peer.communicate(timeout=15)
    assert json.loads(out.splitlines()[-1])["dtmf_digits"] == ""  # no RFC 2833 event
    samples, rate = read_wav(recording)
    # The key "1" is 697 Hz + 1209 Hz; find the loudest 100 ms window of the pair.
    windows = [segment(samples, rate, t / 20, t / 20 + 0.1) for t in range(int(len(samples) / rate * 20) - 2)]
    best = max(windows, key=lambda w: tone_level_dbfs(w, rate, 697) + tone_level_dbfs(w, rate, 1209))
    low, high = tone_level_dbfs(best, rate, 697), tone_level_dbfs(best, rate, 1209)
    assert low > -30 and high > -30, (low, high)
    # and it is that pair, not any loud noise: a neighbouring key's tone is far weaker
    assert tone_level_dbfs(best, rate, 1477) < min(low, high) - 20
    assert tone_level_dbfs(best, rate, 852) < min(low, high) - 20
