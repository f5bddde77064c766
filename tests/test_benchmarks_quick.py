"""Each issue-16 benchmark runs once with --quick (CI keeps them working, not their figures):
it must exit 0 and print its figure lines with numbers that parse."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NUMBER = r"(-?\d+(?:\.\d+)?)"


def run_bench(*argv: str, timeout: float = 60) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / argv[0]), *argv[1:],
                           "--quick"], capture_output=True, text=True, timeout=timeout,
                          env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"{argv[0]} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
    return proc.stdout


def figures(pattern: str, text: str) -> list[float]:
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"no line matching {pattern!r} in:\n{text}"
    return [float(g) for g in match.groups()]


def test_cold_start() -> None:
    out = run_bench("bench_cold_start.py")
    for task in ("python -c pass", r"--version", r"history --json \(empty\)",
                 "window: first paint", "window: exit"):
        _first, median, best = figures(
            rf"^{task}\s+python -m softphone\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}$", out)
        assert 0 < best <= median
    assert figures(rf"^\s+--version\s+{NUMBER}x$", out)[0] > 0


def test_idle() -> None:
    out = run_bench("bench_idle.py")
    cpu, wakeups = figures(rf"^\s+softphone window\s+{NUMBER}\s+{NUMBER}$", out)
    assert cpu >= 0 and wakeups > 0  # a polled window wakes up: 0 means nothing was read
    figures(rf"^\s+bare Qt window\s+{NUMBER}\s+{NUMBER}$", out)


def test_call_setup() -> None:
    out = run_bench("bench_call_setup.py")
    for name in (r"bare pjsua2 \(makeCall->CONFIRMED\)", r"softphone \(make_call->progressing\)",
                 "bare pjsua2 script", "softphone call"):
        median, _p90 = figures(rf"^\s+{name}\s+median\s+{NUMBER} ms\s+p90\s+{NUMBER} ms", out)
        assert median > 0
    assert len(re.findall(rf"ratio softphone/bare: {NUMBER}", out)) == 2


def test_badge_latency() -> None:
    out = run_bench("bench_badge_latency.py")
    assert "3 calls" in out
    for status in ("ringing", "hangup"):
        median, p95, _max = figures(
            rf"^\s+{status}\s+median\s+{NUMBER} ms\s+p95\s+{NUMBER} ms\s+max\s+{NUMBER} ms", out)
        assert 0 < median <= p95


@pytest.mark.skipif(shutil.which("pulseaudio") is None, reason="needs pulseaudio (.ci/run)")
def test_audio_bridge() -> None:
    out = run_bench("bench_audio_bridge.py")
    median, _min, _max = figures(
        rf"latency added by the bridge .*: median {NUMBER} ms, min {NUMBER}, max {NUMBER}", out)
    assert median > 0
    system, null, _share = figures(
        rf"--audio system {NUMBER} s, --audio null {NUMBER} s -> bridge {NUMBER}%", out)
    assert system > 0 and null > 0
    figures(rf"underruns per minute: capture {NUMBER}, playback {NUMBER}", out)
    floor, _ratio = figures(rf"floor: .*: {NUMBER}% of one core \(the bridge costs {NUMBER}x", out)
    assert floor > 0


@pytest.mark.parametrize("mode", ["--engine", "--window"])
def test_memory_soak(mode: str) -> None:
    # The engine run brings its reference along (a bare pjsua2 script, the same load).
    out = run_bench("bench_memory_soak.py", mode, *(["--reference"] if mode == "--engine" else []))
    assert figures(r"calls: (\d+) outgoing, (\d+) incoming done", out) == [10, 10]
    start, end, _calls = figures(rf"RSS: start {NUMBER} MB .*, end {NUMBER} MB after (\d+)", out)
    assert 0 < start <= end * 1.5
    figures(rf"growth per 1000 calls: {NUMBER} MB", out)
    if mode == "--engine":
        for name in ("softphone engine", "bare pjsua2"):
            start, end, _added = figures(rf"^\s+{name}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s", out)
            assert 0 < start <= end
        assert re.search(rf"memory the calls added, softphone/bare: ({NUMBER}x|n/a)", out), out
