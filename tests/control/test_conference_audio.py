"""What each party hears, measured: a held party hears nothing of our talk, in a
conference each party hears the other and us, and mute silences only our microphone.

Our microphone is a 700 Hz tone (tests/control/conference_driver.py); party A sends
500 Hz, party B 1200 Hz (two pjsua2 peers recording what they receive)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.audio_analysis import read_wav, segment, tone_level_dbfs
from tests.softphone_cli import ROOT

pytestmark = pytest.mark.sip
HEARD_DB = -45.0  # a tone at pjmedia's default level measures about -20 dBFS after PCMU
SILENT_DB = -60.0
MARGIN_S = 0.4


def _peer(tone: int, record: Path) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests/peers/pjsua_peer.py"), "--listen", "--codec",
         "PCMU", "--timeout", "60", "--tone", str(tone), "--record", str(record)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready = proc.stdout.readline().split()
    assert ready[:1] == ["READY"], proc.stderr.read() if proc.stderr else ready
    return proc, int(ready[1])


def test_hold_conference_and_mute_as_each_party_hears_them(tmp_path):
    rec_a, rec_b = tmp_path / "a.wav", tmp_path / "b.wav"
    peer_a, port_a = _peer(500, rec_a)
    peer_b, port_b = _peer(1200, rec_b)
    try:
        driver = subprocess.run(
            [sys.executable, "-m", "tests.control.conference_driver",
             f"sip:a@127.0.0.1:{port_a}", f"sip:b@127.0.0.1:{port_b}",
             str(tmp_path / "recordings")],
            capture_output=True, text=True, timeout=90, cwd=ROOT)
        assert driver.returncode == 0, driver.stderr[-3000:]
        report = json.loads(driver.stdout.strip().splitlines()[-1])
        for peer in (peer_a, peer_b):
            peer.communicate(timeout=20)
    finally:
        for peer in (peer_a, peer_b):
            if peer.poll() is None:
                peer.kill()
                peer.communicate()
    assert report["types"] == ["conference", "conference"]
    assert report["ends"] == [["local", "normal"], ["local", "normal"]]

    def level(path: Path, answered: float, name: str, hz: int) -> float:
        samples, rate = read_wav(path)
        start, end = report["phases"][name]
        part = segment(samples, rate, start - answered + MARGIN_S, end - answered - MARGIN_S)
        return tone_level_dbfs(part, rate, hz)

    t_a, t_b = report["answered"]
    heard = {
        (who, phase, hz): level(path, t, phase, hz)
        for who, path, t in (("a", rec_a, t_a), ("b", rec_b, t_b))
        for phase in report["phases"] if not (who == "b" and phase in ("a_alone",))
        for hz in (500, 700, 1200)
    }
    print(json.dumps({f"{k[0]} {k[1]} {k[2]}": round(v, 1) for k, v in heard.items()}))
    assert heard["a", "a_alone", 700] > HEARD_DB  # A hears us
    assert heard["a", "a_held", 700] < SILENT_DB  # held: nothing of our talk with B
    assert heard["a", "a_held", 1200] < SILENT_DB
    assert heard["b", "a_held", 700] > HEARD_DB
    assert heard["a", "conference", 700] > HEARD_DB  # each party hears us...
    assert heard["a", "conference", 1200] > HEARD_DB  # ...and the other party
    assert heard["b", "conference", 700] > HEARD_DB
    assert heard["b", "conference", 500] > HEARD_DB
    assert heard["a", "a_muted", 700] < SILENT_DB  # muted for A: our microphone only
    assert heard["a", "a_muted", 1200] > HEARD_DB
    assert heard["b", "a_muted", 700] > HEARD_DB
    assert heard["b", "a_muted", 500] > HEARD_DB

    [mix] = list((tmp_path / "recordings").glob("*.wav"))
    samples, rate = read_wav(mix)
    part = segment(samples, rate, MARGIN_S, -MARGIN_S)
    for hz in (500, 700, 1200):  # both parties and us
        assert tone_level_dbfs(part, rate, hz) > HEARD_DB, hz
