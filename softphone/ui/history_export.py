"""The window's history export: the store's exporter, fed with the shown or selected calls.

Runs on the history worker thread. The file formats (and the CSV's protection against
formulas) are :mod:`softphone.store.export`'s, shared with ``softphone history --csv``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from softphone.store import (
    CSV_HEADER,
    EXPORT_PAGE,
    HistoryEntry,
    all_entries,
    write_csv,
    write_json,
)
from softphone.store import export_file as export
from softphone.ui.facade import HistoryView

__all__ = [
    "CSV_HEADER",
    "EXPORT_PAGE",
    "all_entries",
    "export",
    "row_ranges",
    "selected_entries",
    "write_csv",
    "write_json",
]


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
