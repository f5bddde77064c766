"""The number list: one job per row, each with what the support engineer expects of it.

A list is a CSV with a ``target`` column and optional ``label``, ``expect`` and ``flow``
columns (read with the csv module: quoted cells, commas in labels), or plain text with one
target a line (standard input). Every problem is one line naming the row and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from softphone.model import HangupReason, TargetError, parse_target

COLUMNS = ("target", "label", "expect", "flow")
_SIP_CODE = re.compile(r"^[1-6][0-9]{2}$")
AMD_VERDICTS = ("machine", "human")


class ListError(ValueError):
    """A number list that cannot be run; the message is one line for the user."""


@dataclass(frozen=True)
class Expectation:
    """What should happen: answered, a hangup_reason, a final SIP code or an AMD verdict."""

    kind: str  # "answered", "reason", "sip", "amd"
    value: str  # "" for answered; "busy"; "404"; "machine"

    @property
    def text(self) -> str:
        if self.kind == "answered":
            return "answered"
        return f"amd:{self.value}" if self.kind == "amd" else self.value


def parse_expectation(text: str) -> Expectation | None:
    """``expect`` as written in a list; None for an empty cell; ValueError when unknown."""
    value = text.strip().lower()
    if not value:
        return None
    if value == "answered":
        return Expectation("answered", "")
    if _SIP_CODE.match(value):
        return Expectation("sip", value)
    if value.startswith("amd:"):
        verdict = value[4:]
        if verdict not in AMD_VERDICTS:
            raise ValueError(f"{text.strip()!r}: AMD expectations are amd:machine or amd:human")
        return Expectation("amd", verdict)
    reasons = [r.value for r in HangupReason if r.value]
    if value in reasons:
        return Expectation("reason", value)
    raise ValueError(
        f"{text.strip()!r} is not an expectation (answered, a SIP code such as 404, "
        f"amd:machine, amd:human, or a hangup reason: {', '.join(reasons)})"
    )


@dataclass(frozen=True)
class Job:
    """One number to call: its row in the list (1 = the first data row)."""

    index: int
    target: str  # as written in the list
    uri: str  # what is dialled
    label: str = ""
    expect: Expectation | None = None
    flow: str = ""  # a flow file for this number ("" = the run's --flow, if any)
    where: str = ""  # "numbers.csv, row 3": its place in the list, for one-line errors


def _job(index: int, where: str, row: dict[str, str], domain: str | None) -> Job:
    target = (row.get("target") or "").strip()
    if not target:
        raise ListError(f"{where}, column target: empty (every row needs a number or SIP URI)")
    try:
        uri = parse_target(target, domain).uri
    except TargetError as exc:
        raise ListError(f"{where}, column target: {exc}") from None
    try:
        expect = parse_expectation(row.get("expect") or "")
    except ValueError as exc:
        raise ListError(f"{where}, column expect: {exc}") from None
    return Job(index=index, target=target, uri=uri, label=(row.get("label") or "").strip(),
               expect=expect, flow=(row.get("flow") or "").strip(), where=where)


def parse_csv(text: str, domain: str | None = None, name: str = "the list") -> list[Job]:
    """A CSV number list (header row first) as jobs, in order."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "target" not in header:
        raise ListError(f"{name}, row 1: no 'target' column (the header names the columns: "
                        f"{', '.join(COLUMNS)})")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise ListError(f"{name}, row 1, column {unknown[0]}: unknown column "
                        f"(known: {', '.join(COLUMNS)})")
    reader.fieldnames = header
    jobs: list[Job] = []
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        if None in row:
            raise ListError(f"{name}, row {number}: more cells than the header has columns")
        cells = {k: (v or "") for k, v in row.items() if k}
        if not any(v.strip() for v in cells.values()):
            continue  # a blank line
        jobs.append(_job(len(jobs) + 1, f"{name}, row {number}", cells, domain))
    if not jobs:
        raise ListError(f"{name}: no numbers in it")
    return jobs


def parse_lines(text: str, domain: str | None = None, name: str = "standard input") -> list[Job]:
    """One target a line (blank lines and ``#`` comments skipped)."""
    jobs: list[Job] = []
    for number, line in enumerate(text.splitlines(), start=1):
        target = line.strip()
        if not target or target.startswith("#"):
            continue
        jobs.append(_job(len(jobs) + 1, f"{name}, line {number}", {"target": target}, domain))
    if not jobs:
        raise ListError(f"{name}: no numbers in it")
    return jobs


def read_list(source: str, stdin_text: str | None = None,
              domain: str | None = None) -> list[Job]:
    """``source`` is a CSV file's path, or ``-`` for targets on standard input."""
    if source == "-":
        return parse_lines(stdin_text or "", domain)
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from spreadsheet exports
    except FileNotFoundError:
        raise ListError(f"no such number list: {source}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ListError(f"cannot read the number list {source}: {exc}") from None
    return parse_csv(text, domain, name=path.name)
