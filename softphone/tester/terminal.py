"""A run on a terminal: a live progress line with counts by outcome, a line per number
when stdout is no terminal, and the summary table at the end."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from typing import IO

from softphone.tester.result import NumberResult

BAR = 24


def progress_line(done: int, total: int, in_flight: int, by_outcome: Counter[str],
                  passed: int, failed: int, width: int = 100) -> str:
    filled = BAR * done // total if total else BAR
    bar = "#" * filled + "-" * (BAR - filled)
    outcomes = " ".join(f"{name} {n}" for name, n in sorted(by_outcome.items()))
    line = (f"[{bar}] {done}/{total}  up {in_flight}  pass {passed} fail {failed}"
            + (f"  | {outcomes}" if outcomes else ""))
    return line[: max(20, width - 1)]


def result_line(r: NumberResult) -> str:
    verdict = "PASS" if r.passed else ("FAIL" if r.passed is False else "----")
    code = f"{r.sip_code} {r.sip_reason}".strip() if r.sip_code else "-"
    pdd = f"pdd {r.post_dial_delay_ms} ms" if r.post_dial_delay_ms is not None else "pdd -"
    text = (f"{verdict} {r.job}. {r.label or r.target}: {r.outcome} "
            f"(hangup_by={r.hangup_by or '-'} hangup_reason={r.hangup_reason or '-'}, "
            f"SIP {code}, {pdd})")
    if r.verdict and r.passed is False:
        text += f" - {r.verdict}"
    return text


_COLUMNS = (("#", "job"), ("number", "target"), ("label", "label"), ("expect", "expect"),
            ("result", "passed"), ("outcome", "outcome"), ("SIP", "sip_code"),
            ("Q.850", "q850_cause"), ("PDD ms", "post_dial_delay_ms"), ("ring s", "ring_s"),
            ("talk s", "talk_s"), ("MOS", "mos"), ("action", "action"),
            ("why", "verdict"))


def _text(r: NumberResult, name: str) -> str:
    value = getattr(r, name)
    if name == "passed":
        return "PASS" if value else ("FAIL" if value is False else "-")
    if value is None or value == "":
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if name == "mos" else f"{value:.1f}"
    return str(value)


def summary_table(results: Sequence[NumberResult]) -> str:
    rows = [[title for title, _ in _COLUMNS]]
    rows += [[_text(r, name)[:40] for _, name in _COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    by_outcome = Counter(r.outcome for r in results)
    passed = sum(1 for r in results if r.passed)
    failed = sum(1 for r in results if r.passed is False)
    lines.append("")
    lines.append(f"{len(results)} numbers: {passed} passed, {failed} failed, "
                 f"{len(results) - passed - failed} without expectation; "
                 + ", ".join(f"{name} {n}" for name, n in by_outcome.most_common()))
    return "\n".join(lines)


class Progress:
    """Redraws one line on a terminal; prints one line per finished number otherwise."""

    def __init__(self, total: int, stream: IO[str], live: bool) -> None:
        self.total = total
        self.stream = stream
        self.live = live
        self.done: list[NumberResult] = []
        self.in_flight = 0
        self._shown = ""

    def finished(self, result: NumberResult) -> None:
        self.done.append(result)
        if self.live:
            self._clear()
            if result.passed is False:
                self.stream.write(result_line(result) + "\n")
            self.draw()
        else:
            self.stream.write(result_line(result) + "\n")
            self.stream.flush()

    def draw(self) -> None:
        if not self.live:
            return
        width = shutil.get_terminal_size((100, 20)).columns
        line = progress_line(len(self.done), self.total, self.in_flight,
                             Counter(r.outcome for r in self.done),
                             sum(1 for r in self.done if r.passed),
                             sum(1 for r in self.done if r.passed is False), width)
        if line != self._shown:
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self._shown = line

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self._shown = ""

    def close(self) -> None:
        if self.live:
            self._clear()
            self.stream.flush()
