"""Start-up time of the bundled app against `python -m softphone`, measured side by side.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_cold_start.py \
        [--bundle dist/bundle/softphone/softphone] [--runs 7] [--drop-caches] [--quick]

Without a bundle (packaging/build-linux.sh not run) its column is left out, with a note.
The reference is a bare `python -c pass` of the same interpreter, run alternately too: the
ratio line says how many bare interpreter start-ups each command costs.

For each task the two programs run alternately (A, B, A, B, ...) so that machine load hits
both alike; the first run of each is reported on its own (coldest: right after a build, or
after --drop-caches, which needs root and a kernel that allows it), then the median and the
best of the rest:

- ``--version``: the process, the interpreter and the CLI's imports (the bundle also pays
  PyInstaller's PySide6 run-time hook, which imports QtCore before any app code runs);
- ``history --json`` on an empty data folder: pydantic models and SQLite;
- window: start to the first paint of the main window offscreen (the app prints
  "softphone: window ready" then, see softphone/ui/single_instance.py), and start to exit
  (it closes itself at once: SOFTPHONE_SMOKE_QUIT_AFTER=0; engine start and shutdown
  included).

Prints one table; exit status 0. Sizes of the bundle folder are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY_LINE = "softphone: window ready"


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")}
    out.setdefault("QT_QPA_PLATFORM", "offscreen")
    out.update(extra)
    return out


def timed_run(cmd: list[str], environ: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=environ,
                          stdin=subprocess.DEVNULL, cwd=tempfile.gettempdir(), timeout=120)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def timed_window(cmd: list[str], environ: dict[str, str]) -> tuple[float, float]:
    """(start to first paint, start to exit) of the window closing itself at once."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=environ, stdin=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    assert proc.stderr is not None
    ready = None
    tail = []
    for line in proc.stderr:
        tail.append(line)
        if ready is None and line.strip() == READY_LINE:
            ready = time.perf_counter() - started
    rc = proc.wait(60)
    total = time.perf_counter() - started
    if rc != 0 or ready is None:
        raise SystemExit(f"window run failed ({rc}, ready={ready}):\n{''.join(tail)[-2000:]}")
    return ready, total


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def summarize(samples: list[float]) -> str:
    first, rest = samples[0], samples[1:] or samples
    return (f"{first * 1000:7.0f} {statistics.median(rest) * 1000:7.0f} "
            f"{min(rest) * 1000:7.0f}")


def main() -> int:
    parser = argparse.ArgumentParser(description="cold start: bundle vs python -m softphone")
    parser.add_argument("--bundle", type=Path,
                        default=ROOT / "dist" / "bundle" / "softphone" / "softphone")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--drop-caches", action="store_true",
                        help="drop the page cache before each program's first run (root)")
    parser.add_argument("--quick", action="store_true", help="2 runs per program (CI)")
    args = parser.parse_args()
    if args.quick:
        args.runs = 2

    programs = {"python -m softphone": [args.python, "-m", "softphone"]}
    py_env = env(PYTHONPATH=str(ROOT))
    envs = {"python -m softphone": py_env}
    bundled = args.bundle.exists()
    if bundled:
        programs["bundle"] = [str(args.bundle.resolve())]
        envs["bundle"] = env()
    data = Path(tempfile.mkdtemp(prefix="softphone-bench-"))

    tasks: dict[str, Callable[[str, list[str]], list[float]]] = {
        # The floor under every command: the interpreter alone (not the bundle's own).
        "python -c pass": lambda name, cmd: [timed_run([args.python, "-c", "pass"], py_env)]
        if name == "python -m softphone" else [],
        "--version": lambda name, cmd: [timed_run([*cmd, "--version"], envs[name])],
        "history --json (empty)": lambda name, cmd: [
            timed_run([*cmd, "--data-dir", str(data / "h"), "history", "--json"], envs[name])],
        "window: first paint | exit": lambda name, cmd: list(timed_window(
            [*cmd, "--data-dir", str(data / f"w-{name[0]}")],
            {**envs[name], "SOFTPHONE_SMOKE_QUIT_AFTER": "0"})),
    }

    dropped = False
    results: dict[tuple[str, str, int], list[float]] = {}
    for task, runner in tasks.items():
        for i in range(args.runs):
            for name, cmd in programs.items():
                if i == 0 and args.drop_caches:
                    dropped = drop_caches() or dropped
                for j, value in enumerate(runner(name, cmd)):
                    results.setdefault((task, name, j), []).append(value)

    if bundled:
        bundle_dir = args.bundle.resolve().parent
        files = [p for p in bundle_dir.rglob("*") if p.is_file() and not p.is_symlink()]
        size = sum(p.stat().st_size for p in files)
        print(f"bundle: {bundle_dir}  {size / 2**20:.0f} MiB in {len(files)} files")
    else:
        print(f"bundle: none at {args.bundle} (run packaging/build-linux.sh): "
              "its column is left out")
    print(f"runs per program and task: {args.runs} (first run reported apart"
          f"{', page cache dropped before it' if dropped else ''}); times in ms\n")
    print(f"{'task':34} {'program':22} {'first':>7} {'median':>7} {'best':>7}")
    for (task, name, j), samples in results.items():
        label = task if "|" not in task else task.split(":")[0] + ": " + (
            task.split(": ")[1].split(" | ")[j])
        print(f"{label:34} {name:22} {summarize(samples)}")
    bare = statistics.median(results[("python -c pass", "python -m softphone", 0)][1:] or
                             results[("python -c pass", "python -m softphone", 0)])
    print(f"\nmedian against python -c pass ({bare * 1000:.0f} ms), python -m softphone:")
    for (task, name, j), samples in results.items():
        if name == "python -m softphone" and task != "python -c pass" and j == 0:
            median = statistics.median(samples[1:] or samples)
            print(f"  {task.split(':')[0]:32} {median / bare:5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
