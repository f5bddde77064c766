"""Export history as VoIPBIN-shaped JSON (an array of Call objects) or as CSV.

Runs on the history worker thread: a million calls stream page by page to the file,
never all in memory at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from softphone.store import HistoryEntry
from softphone.ui.facade import HistoryView

EXPORT_PAGE = 1000
CSV_HEADER = (
    "id", "tm_create", "direction", "from", "to", "status", "talk_seconds", "hangup_by",
    "hangup_reason", "sip_code", "sip_reason", "user_agent", "recording_ids",
)


def all_entries(history: HistoryView, query: dict[str, Any]) -> Iterator[HistoryEntry]:
    offset = 0
    while True:
        page = history.list(EXPORT_PAGE, offset, **query)
        yield from page
        if len(page) < EXPORT_PAGE:
            return
        offset += EXPORT_PAGE


def row_ranges(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted rows as (first, count) runs: a selection is fetched in a few queries."""
    ranges: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if ranges and ranges[-1][0] + ranges[-1][1] == row:
            ranges[-1] = (ranges[-1][0], ranges[-1][1] + 1)
        else:
            ranges.append((row, 1))
    return ranges


def selected_entries(
    history: HistoryView, query: dict[str, Any], rows: Iterable[int]
) -> Iterator[HistoryEntry]:
    for first, count in row_ranges(rows):
        for offset in range(first, first + count, EXPORT_PAGE):
            yield from history.list(min(EXPORT_PAGE, first + count - offset), offset, **query)


def write_json(entries: Iterable[HistoryEntry], handle: IO[str]) -> int:
    handle.write("[")
    count = 0
    for entry in entries:
        handle.write(",\n  " if count else "\n  ")
        handle.write(entry.call.model_dump_json())
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def write_csv(entries: Iterable[HistoryEntry], handle: IO[str]) -> int:
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    count = 0
    for entry in entries:
        call = entry.call
        writer.writerow((
            str(call.id), str(call.tm_create or ""), call.direction.value, call.source.target,
            call.destination.target, call.status.value,
            "" if entry.talk_seconds is None else f"{entry.talk_seconds:.3f}",
            call.hangup_by.value, call.hangup_reason.value, entry.sip_code or "",
            entry.sip_reason or "", entry.user_agent or "",
            " ".join(str(r) for r in call.recording_ids),
        ))
        count += 1
    return count


def export(path: Path, entries: Iterable[HistoryEntry]) -> int:
    """Write ``entries`` to ``path`` (.csv as CSV, anything else as JSON); return how many."""
    as_csv = path.suffix.lower() == ".csv"
    tmp = path.with_name(f".{path.name}.part")
    # newline="": the csv module writes its own line ends.
    with tmp.open("w", encoding="utf-8", newline="" if as_csv else None) as handle:
        count = write_csv(entries, handle) if as_csv else write_json(entries, handle)
    tmp.replace(path)
    return count

