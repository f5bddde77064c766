"""Running a softphone call against the pjsua2 peer while PulseAudio plays and listens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.audio.pulse_server import PulseServer
from tests.softphone_cli import ROOT, clean_env

PEER = ROOT / "tests" / "peers" / "pjsua_peer.py"


def start_peer(*args: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, str(PEER), "--listen", "--timeout", "60", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("READY"), f"peer did not start: {line!r}"
    return proc, int(line.split()[1])


def start_softphone(pulse: PulseServer, data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "softphone", "--data-dir", str(data_dir), "-v", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=clean_env(pulse.env), stdin=subprocess.DEVNULL,
    )


def start_driver(pulse: PulseServer, *args: str) -> subprocess.Popen[str]:
    """tests/audio/engine_driver.py: the engine with real devices, as the window drives it."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.audio.engine_driver", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=clean_env(pulse.env), stdin=subprocess.DEVNULL,
    )


def active_part(samples: np.ndarray, rate: int, margin_s: float = 0.3) -> np.ndarray:
    """The stretch where something sounds (blocks above -45 dBFS), trimmed at both ends:
    a monitor recording also holds the silence before the call and after it."""
    block = rate // 10
    n = samples.size // block
    if n == 0:
        return samples[:0]
    rms = np.sqrt(np.mean(samples[: n * block].reshape(n, block) ** 2, axis=1))
    loud = np.nonzero(rms > 10 ** (-45 / 20))[0]
    if loud.size == 0:
        return samples[:0]
    margin = round(margin_s * rate)
    start, end = loud[0] * block + margin, (loud[-1] + 1) * block - margin
    return samples[start:end] if end > start else samples[:0]
