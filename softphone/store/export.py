"""Export history as VoIPBIN-shaped JSON (an array of Call objects) or as CSV.

One exporter for the window and the command line (``softphone history --csv``). Entries
stream page by page: a million calls are never all in memory at once.

CSV cells are made safe for spreadsheets: the far end chooses its User-Agent, reason
phrase and From user, and a cell such as ``=HYPERLINK(...)`` would run as a formula when
the file is opened. Every cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or CR
gets a leading ``'`` (OWASP's "CSV injection" rule), which spreadsheets show as text.
JSON is data for programs, not a spreadsheet: it keeps every text exactly.
"""

from __future__ import annotations

import builtins
import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from softphone.model.enums import CallDirection, HangupReason
from softphone.store.history import HistoryEntry, HistoryScope


class HistoryPages(Protocol):
    """What the exporter reads: pages of the history (History, or the window's view)."""

    def list(
        self,
        limit: int = 50,
        offset: int = 0,
        *,
        direction: CallDirection | None = None,
        reason: HangupReason | None = None,
        search: str | None = None,
        scope: HistoryScope | None = None,
    ) -> builtins.list[HistoryEntry]: ...

EXPORT_PAGE = 1000
CSV_HEADER = (
    "id", "tm_create", "direction", "from", "to", "status", "talk_seconds", "hangup_by",
    "hangup_reason", "sip_code", "sip_reason", "user_agent", "recording_ids",
    "post_dial_delay_ms", "codec", "mos_min", "mos_avg", "mos_max", "loss_pct_avg",
    "loss_pct_max", "jitter_ms_avg", "jitter_ms_max", "rtt_ms_avg", "outcome",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """``value`` as a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def all_entries(
    history: HistoryPages, query: dict[str, Any] | None = None, limit: int | None = None
) -> Iterator[HistoryEntry]:
    """Every call matching ``query`` (History.list's filters), newest first, at most ``limit``."""
    query = query or {}
    offset = 0
    while limit is None or offset < limit:
        size = EXPORT_PAGE if limit is None else min(EXPORT_PAGE, limit - offset)
        page = history.list(size, offset, **query)
        yield from page
        if len(page) < size:
            return
        offset += size


def details_row(entry: HistoryEntry) -> dict[str, Any]:
    """A call with what SIP told us about it, beside the Call, never inside it:
    ``{"call": <VoIPBIN Call>, "sip": {...}, "outcome": "<plain sentence>"}``."""
    from softphone.model.explain import plain_outcome  # with the rows' models (history.py)

    quality = entry.quality.model_dump(mode="json") if entry.quality is not None else None
    return {
        "call": json.loads(entry.call.model_dump_json()),
        "sip": {
            "code": entry.sip_code,
            "reason": entry.sip_reason,
            "user_agent": entry.user_agent,
            "post_dial_delay_ms": entry.post_dial_delay_ms,
            "call_id": entry.call_id_header,
            "detail": entry.detail,
            "quality": quality,
        },
        "outcome": plain_outcome(entry.call, entry.sip_code),
    }


def write_json(
    entries: Iterable[HistoryEntry], handle: IO[str], *, details: bool = False
) -> int:
    """A JSON array of Calls; with ``details``, of :func:`details_row` objects."""
    handle.write("[")
    count = 0
    for entry in entries:
        handle.write(",\n  " if count else "\n  ")
        if details:
            handle.write(json.dumps(details_row(entry), ensure_ascii=False))
        else:
            handle.write(entry.call.model_dump_json())
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def csv_row(entry: HistoryEntry) -> tuple[str, ...]:
    from softphone.model.explain import plain_outcome  # with the rows' models (history.py)

    call = entry.call
    return tuple(csv_cell(cell) for cell in (
        call.id, call.tm_create or "", call.direction.value, call.source.target,
        call.destination.target, call.status.value,
        "" if entry.talk_seconds is None else f"{entry.talk_seconds:.3f}",
        call.hangup_by.value, call.hangup_reason.value, entry.sip_code or "",
        entry.sip_reason, entry.user_agent,
        " ".join(str(r) for r in call.recording_ids),
        entry.post_dial_delay_ms if entry.post_dial_delay_ms is not None else "",
        *_quality_cells(entry),
        plain_outcome(call, entry.sip_code),
    ))


def _quality_cells(entry: HistoryEntry) -> tuple[str, ...]:
    q = entry.quality
    if q is None:
        return ("",) * 9
    rtt = f"{q.rtt_ms.avg:.1f}" if q.rtt_ms is not None else ""
    return (q.codec, f"{q.mos.min:.2f}", f"{q.mos.avg:.2f}", f"{q.mos.max:.2f}",
            f"{q.loss_pct.avg:.2f}", f"{q.loss_pct.max:.2f}", f"{q.jitter_ms.avg:.2f}",
            f"{q.jitter_ms.max:.2f}", rtt)


def write_csv(entries: Iterable[HistoryEntry], handle: IO[str]) -> int:
    """Write the header and one row per entry; ``handle`` opened with ``newline=""``."""
    writer = csv.writer(handle)
    writer.writerow(CSV_HEADER)
    count = 0
    for entry in entries:
        writer.writerow(csv_row(entry))
        count += 1
    return count


def export(path: Path, entries: Iterable[HistoryEntry], *, details: bool = False) -> int:
    """Write ``entries`` to ``path`` (.csv as CSV, anything else as JSON; ``details``: JSON
    rows of the Call with what SIP told us beside it); return how many."""
    as_csv = path.suffix.lower() == ".csv"
    tmp = path.with_name(f".{path.name}.part")
    # newline="": the csv module writes its own line ends.
    try:
        with tmp.open("w", encoding="utf-8", newline="" if as_csv else None) as handle:
            count = (write_csv(entries, handle) if as_csv
                     else write_json(entries, handle, details=details))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written file left behind
        raise
    return count
