"""Answering-machine detection: accuracy and time to verdict on greetings made offline.

Greetings (tests/amd_greetings.py): people answering "Hello?" and waiting, voicemail and
carrier greetings, dead air and line noise, made with eSpeak NG, each with its truth, and
two that timing rules are known to get wrong (a person answering with a sentence, a
voicemail greeting as short as "Hello?"). Each
is judged twice, side by side in one run:
- offline: the detector (softphone/flows/amd_detector.py) fed the 8 kHz WAV directly;
- over a call: `softphone call --flow` running an `amd` action against a pjsua2 peer that
  answers and plays the greeting (PCMU both ways), the verdict read from the call's details.
Time to verdict is audio analysed from the start of the action (Asterisk's own measure).
    .venv/bin/python benchmarks/bench_amd.py [--quick] [--offline-only]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from softphone.flows.amd_detector import FRAME_BYTES, AmdDetector  # noqa: E402
from tests.amd_greetings import (  # noqa: E402
    ALL,
    HARD,
    HUMANS,
    MACHINES,
    Greeting,
    espeak,
    read_pcm,
    write_greeting,
)
from tests.peers.pjsua import PjsuaPeer  # noqa: E402

_VERDICT = re.compile(r"answering-machine detection: (HUMAN|MACHINE|NOTSURE) \(([^)]*)\) "
                      r"after ([0-9.]+) s")


@dataclass
class Judged:
    greeting: Greeting
    result: str  # HUMAN / MACHINE / NOTSURE, or "none"
    cause: str
    after_s: float | None

    @property
    def right(self) -> bool:
        return self.result == self.greeting.truth


def offline(greeting: Greeting, folder: Path) -> Judged:
    pcm = read_pcm(write_greeting(greeting, folder))
    detector = AmdDetector()
    for start in range(0, len(pcm), FRAME_BYTES):
        verdict = detector.feed(pcm[start:start + FRAME_BYTES])
        if verdict is not None:
            return Judged(greeting, verdict.result.value, verdict.cause, verdict.after_ms / 1000)
    return Judged(greeting, "none", "", None)


def over_a_call(greeting: Greeting, folder: Path, flow: Path) -> Judged:
    wav = write_greeting(greeting, folder)
    data = Path(tempfile.mkdtemp(prefix="bench-amd-"))
    peer = PjsuaPeer("--listen", "--codec", "PCMU", "--calls", "1", "--play", str(wav)).start()
    softphone = [sys.executable, "-m", "softphone", "--data-dir", str(data)]
    try:
        subprocess.run([*softphone, "call", peer.uri(), "--flow", str(flow), "--json",
                        "--audio", "null"], capture_output=True, text=True, timeout=60,
                       check=True, cwd=ROOT)
    finally:
        peer.stop()
    listed = subprocess.run([*softphone, "history", "--json", "--details"], cwd=ROOT,
                            capture_output=True, text=True, timeout=30, check=True)
    (row,) = json.loads(listed.stdout)
    found = _VERDICT.search(row["sip"]["detail"] or "")
    if found is None:
        return Judged(greeting, "none", row["sip"]["detail"] or "", None)
    return Judged(greeting, found.group(1), found.group(2), float(found.group(3)))


def summary(judged: list[Judged]) -> tuple[str, str, str, str]:
    right = sum(j.right for j in judged)
    times = [j.after_s for j in judged if j.after_s is not None]
    by_truth = []
    for truth in ("HUMAN", "MACHINE"):
        some = [j for j in judged if j.greeting.truth == truth]
        by_truth.append(f"{sum(j.right for j in some)}/{len(some)}")
    median = f"{statistics.median(times):.2f} s" if times else "-"
    return f"{right}/{len(judged)} ({100 * right / len(judged):.0f} %)", *by_truth, median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two greetings of each kind")
    parser.add_argument("--offline-only", action="store_true", help="no calls")
    args = parser.parse_args()
    if espeak() is None:
        print("bench_amd: eSpeak NG is not installed (Debian package espeak-ng)")
        return 2
    greetings = HUMANS[:2] + MACHINES[:1] + MACHINES[-1:] if args.quick else ALL + HARD
    folder = Path(tempfile.mkdtemp(prefix="bench-amd-greetings-"))
    flow = folder / "amd.json"
    flow.write_text(json.dumps({"name": "bench amd", "actions": [{"type": "amd"}]}))

    rows = {"offline": [offline(g, folder) for g in greetings]}
    if not args.offline_only:
        rows["over a call"] = [over_a_call(g, folder, flow) for g in greetings]

    print(f"{'greeting':18} {'truth':8} " + "  ".join(f"{k:>43}" for k in rows))
    for i, greeting in enumerate(greetings):
        cells = []
        for judged in rows.values():
            j = judged[i]
            when = f"{j.after_s:.2f} s" if j.after_s is not None else "-"
            mark = "" if j.right else " !"
            cells.append(f"{j.result + mark:>10} {j.cause:>24} {when:>7}")
        print(f"{greeting.name:18} {greeting.truth:8} " + "  ".join(cells))
    print()
    print(f"{'':22}{'accuracy':>16} {'humans':>8} {'machines':>9} {'median verdict':>15}")
    for name, judged in rows.items():
        total, humans, machines, median = summary(judged)
        print(f"{name:22}{total:>16} {humans:>8} {machines:>9} {median:>15}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
