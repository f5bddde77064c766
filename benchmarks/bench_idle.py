"""What the window costs when nothing happens: CPU share and wakeups per second.

The real window (`python -m softphone`, offscreen, a fresh data folder: no account, no call)
is started, left to settle, then watched for --seconds; beside it, in the same run and
alternately, a bare PySide6 window (a QWidget shown, nothing else) as the reference. From
the kernel's own counters, never wall time (four other programs share the cores):

- CPU: utime+stime of the whole process (/proc/PID/stat), as a percentage of one core;
- wakeups: context switches of all its threads (voluntary + involuntary,
  /proc/PID/task/*/status): each is a thread woken up to run, per second;
- the threads that woke most, by name, for the softphone window.

    .venv/bin/python benchmarks/bench_idle.py [--seconds 10] [--rounds 2] [--quick]
"""

from __future__ import annotations

import argparse
import os
import select
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "softphone: window ready"
BARE_QT = r"""
import sys
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication(sys.argv)
w = QWidget(); w.resize(400, 600); w.show()
print("softphone: window ready", file=sys.stderr, flush=True)
app.exec()
"""
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def switches(pid: int) -> Counter[str]:
    """Context switches so far, by thread name (threads of one name summed)."""
    out: Counter[str] = Counter()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            status = (task / "status").read_text()
        except OSError:
            continue  # a thread that just ended
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        out[fields["Name"].strip()] += (int(fields["voluntary_ctxt_switches"])
                                        + int(fields["nonvoluntary_ctxt_switches"]))
    return out


def watch(cmd: list[str], seconds: float, settle: float) -> tuple[float, float, Counter[str]]:
    """(% of a core, wakeups/s, wakeups/s by thread) of an idle program."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT)
    env["SOFTPHONE_SMOKE_QUIT_AFTER"] = "3600"  # only for its "window ready" line
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir())
    assert proc.stderr is not None
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while READY_LINE.encode() not in seen:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit(f"{cmd[:3]} never got ready:\n{seen.decode()[-2000:]}")
            if select.select([proc.stderr], [], [], 1)[0]:
                seen += os.read(proc.stderr.fileno(), 65536)
        time.sleep(settle)
        cpu0, sw0, t0 = cpu_seconds(proc.pid), switches(proc.pid), time.monotonic()
        time.sleep(seconds)
        cpu1, sw1, t1 = cpu_seconds(proc.pid), switches(proc.pid), time.monotonic()
    finally:
        proc.kill()
        proc.wait()
    span = t1 - t0
    per_thread = Counter({name: (sw1[name] - sw0.get(name, 0)) / span for name in sw1})
    return 100 * (cpu1 - cpu0) / span, sum(per_thread.values()), per_thread


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after first paint")
    parser.add_argument("--quick", action="store_true", help="one short round (CI)")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.settle = 2.0, 1, 1.0
    data = Path(tempfile.mkdtemp(prefix="bench-idle-"))
    programs = {
        "softphone window": [sys.executable, "-m", "softphone", "--data-dir", str(data)],
        "bare Qt window": [sys.executable, "-c", BARE_QT],
    }
    results: dict[str, list[tuple[float, float, Counter[str]]]] = {n: [] for n in programs}
    for _ in range(args.rounds):
        for name, cmd in programs.items():
            results[name].append(watch(cmd, args.seconds, args.settle))
    print(f"idle, no call, no account: {args.rounds} round(s) of {args.seconds:g} s each "
          f"after {args.settle:g} s of settling (kernel counters)")
    print(f"  {'program':18} {'% of a core':>12} {'wakeups/s':>10}")
    figures = {}
    for name, rows in results.items():
        cpu = sorted(r[0] for r in rows)[len(rows) // 2]
        wake = sorted(r[1] for r in rows)[len(rows) // 2]
        figures[name] = (cpu, wake)
        print(f"  {name:18} {cpu:12.2f} {wake:10.1f}")
    (cpu, wake), (bcpu, bwake) = figures["softphone window"], figures["bare Qt window"]
    print(f"  ratio softphone/bare Qt: CPU {cpu / max(bcpu, 0.01):.1f}x, "
          f"wakeups {wake / max(bwake, 0.1):.1f}x   (goal: <= 0.2 %, <= 20 wakeups/s)")
    busiest = results["softphone window"][-1][2].most_common(6)
    print("  softphone threads waking most (per s): "
          + ", ".join(f"{n} {v:.1f}" for n, v in busiest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
