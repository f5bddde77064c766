"""The number tester at scale: `softphone test` on 200 numbers with mixed outcomes at
concurrency 16, beside SIPp placing the same calls to the same kind of peers.

Peers (SIPp, on loopback): half answer (SIPp's built-in UAS; our --max-duration 1 hangs
up), a quarter answer 486, a quarter 404. SIPp's side places the same calls with its
built-in UAC (`-sn uac`, 1 s of talk for the answered ones) at the same concurrency.
Printed side by side: wall time, calls/s, CPU seconds (the process and its children) and
peak memory (the sum of the process tree's RSS, sampled every 0.1 s). Run:

    .venv/bin/python benchmarks/bench_tester.py [--numbers 200] [--concurrency 16] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.peers.sipp import SippPeer, free_udp_port, sipp_binary  # noqa: E402


def measured(cmd: list[str], **popen: object) -> dict[str, float]:
    """Run ``cmd``; its wall time, CPU seconds and peak tree RSS (MB)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, **popen)  # type: ignore[call-overload]
    ps = psutil.Process(proc.pid)
    peak = [0, 0.0]
    seen_cpu: dict[int, float] = {}

    def sample() -> None:
        while proc.poll() is None:
            try:
                family = [ps, *ps.children(recursive=True)]
            except psutil.Error:
                break
            rss = 0
            for p in family:
                try:
                    t = p.cpu_times()
                    seen_cpu[p.pid] = t.user + t.system  # last seen, per process
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], rss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc.wait()
    wall = time.monotonic() - start
    sampler.join()
    return {"wall_s": wall, "cpu_s": sum(seen_cpu.values()), "rss_mb": peak[0] / 2**20,
            "rc": float(proc.returncode)}


def mix(numbers: int) -> dict[str, int]:
    answered = numbers // 2
    busy = numbers // 4
    return {"answer": answered, "busy": busy, "gone": numbers - answered - busy}


def start_peers(counts: dict[str, int]) -> dict[str, SippPeer]:
    specs = {"answer": ("uas", True), "busy": ("uas_486", False), "gone": ("uas_404", False)}
    peers = {}
    for name, n in counts.items():
        scenario, builtin = specs[name]
        # A port of the kernel's choice: SIPp's own -p 0 takes 5060 upward, where other
        # softphones on the machine may call (and use up the peer's -m count).
        peers[name] = SippPeer(scenario, builtin=builtin, extra_args=["-m", str(n)],
                               port=free_udp_port(), timeout_s=600).start()
    return peers


def run_softphone(counts: dict[str, int], concurrency: int, workdir: Path) -> dict[str, float]:
    peers = start_peers(counts)
    try:
        rows = ["target,expect"]
        expect = {"answer": "answered", "busy": "busy", "gone": "404"}
        for name, n in counts.items():
            rows += [f"{peers[name].uri()},{expect[name]}"] * n
        listing = workdir / "numbers.csv"
        listing.write_text("\n".join(rows) + "\n")
        out = (workdir / "results.jsonl").open("w")
        figures = measured(
            [sys.executable, "-m", "softphone", "--data-dir", str(workdir / "data"), "test",
             str(listing), "--concurrency", str(concurrency), "--max-duration", "1",
             "--json"],
            stdout=out, stderr=None if os.environ.get("BENCH_STDERR") else subprocess.DEVNULL,
            cwd=ROOT,
            env={k: v for k, v in os.environ.items() if not k.startswith("SOFTPHONE_")})
        out.close()
        failed = [r for r in map(json.loads, (workdir / "results.jsonl").open())
                  if r["passed"] is False]
        for r in failed[:5]:
            print(f"failed: {r['job']}. {r['target']}: {r['verdict']}; {r['plain']}")
    finally:
        for peer in peers.values():
            peer.stop()
    return figures


def run_sipp(counts: dict[str, int], concurrency: int) -> dict[str, float]:
    """SIPp's built-in UAC, one process per peer, sharing the concurrency by the mix."""
    peers = start_peers(counts)
    total = sum(counts.values())
    script = []
    for name, n in counts.items():
        limit = max(1, round(concurrency * n / total))
        script.append(" ".join([sipp_binary(), peers[name].host_port, "-sn", "uac",
                                "-i", "127.0.0.1", "-p", "0", "-m", str(n), "-l", str(limit),
                                "-r", "1000", "-d", "1000", "-nostdin",
                                "-timeout", "300s"]) + " >/dev/null 2>&1 &")
    try:
        figures = measured(["sh", "-c", " ".join(script) + " wait"])
    finally:
        for peer in peers.values():
            peer.stop()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="20 numbers at concurrency 8 (CI)")
    args = parser.parse_args()
    numbers, concurrency = (20, 8) if args.quick else (args.numbers, args.concurrency)
    counts = mix(numbers)
    with tempfile.TemporaryDirectory(prefix="bench-tester-") as tmp:
        ours = run_softphone(counts, concurrency, Path(tmp))
    theirs = run_sipp(counts, concurrency)
    print(f"{numbers} numbers ({counts['answer']} answered for 1 s, {counts['busy']} busy, "
          f"{counts['gone']} 404) at concurrency {concurrency}")
    print(f"{'':18}{'softphone test':>16}{'SIPp uac':>12}{'ratio':>9}")
    for key, label in (("wall_s", "wall time s"), ("cpu_s", "CPU s"), ("rss_mb", "peak RSS MB")):
        ratio = ours[key] / theirs[key] if theirs[key] else float("nan")
        print(f"{label:18}{ours[key]:>16.2f}{theirs[key]:>12.2f}{ratio:>9.2f}")
    ours_rate, theirs_rate = numbers / ours["wall_s"], numbers / theirs["wall_s"]
    print(f"{'calls/s':18}{ours_rate:>16.2f}{theirs_rate:>12.2f}{ours_rate / theirs_rate:>9.2f}")
    print(f"softphone test exit code {int(ours['rc'])} (0: every expectation held)")
    return 0 if ours["rc"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
