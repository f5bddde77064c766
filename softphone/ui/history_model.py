"""The history as a Qt table model: a window of pages over SQLite, never every row.

``rowCount`` is the stored count; rows are fetched a page at a time, on the history
worker thread, when the view first asks for them, and only a few pages stay in memory.
A row not fetched yet reads "…" for the moment its page takes to arrive.

A live call's row follows the call: a call seen for the first time (or ended) counts the
history again, and every other change of a call rewrites only its row from the engine's
snapshot, when that row is in memory, with no query.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from softphone.model import CallDirection, HangupReason
from softphone.model.enums import (
    HANGUP_BY_DESCRIPTIONS,
    HANGUP_REASON_DESCRIPTIONS,
    STATUS_DESCRIPTIONS,
)
from softphone.model.explain import plain_outcome, sip_code_meaning
from softphone.store import HistoryEntry, HistoryScope
from softphone.ui.facade import HistoryView
from softphone.ui.text import clock, direction_label, local_time, party
from softphone.ui.theme import reason_colour
from softphone.ui.worker import Worker

PAGE_ROWS = 200
MAX_PAGES = 12  # at most 2,400 calls in memory, however long the history
LOADING = "…"

# The far end first (who the call was with, whichever way it went); our own From or To
# is detail, at the end, sharing the spare width (history_columns.py).
COLUMNS = (
    "Remote party",
    "Time",
    "Direction",
    "Status",
    "Duration",
    "Hangup by",
    "Hangup reason",
    "SIP",
    "Recordings",
    "From",
    "To",
)
COL_REMOTE, COL_TIME, COL_DIRECTION, COL_STATUS, COL_DURATION = range(5)
COL_HANGUP_BY, COL_REASON, COL_SIP, COL_RECORDINGS, COL_FROM, COL_TO = range(5, 11)

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class HistoryFilter:
    direction: CallDirection | None = None
    reason: HangupReason | None = None
    search: str = ""
    missed: bool = False
    since_ns: int | None = None
    until_ns: int | None = None
    sip_code: int | None = None
    by_sip_code: bool = False  # sorted by the final SIP code, not newest first
    test_run: str | None = None  # only the calls of one number-tester run

    def query(self) -> dict[str, Any]:
        scope = HistoryScope(self.missed, self.since_ns, self.until_ns, self.sip_code,
                             self.by_sip_code, self.test_run)
        return {
            "direction": self.direction,
            "reason": self.reason,
            "search": self.search.strip() or None,
            "scope": scope if scope != HistoryScope() else None,
        }


class HistoryTableModel(QAbstractTableModel):
    counted = Signal(int)  # the number of matching calls, after each (re)count
    failed = Signal(str)  # a one-line error for the status bar

    def __init__(self, history: HistoryView, worker: Worker) -> None:
        super().__init__()
        self._history = history
        self._worker = worker
        self._filter = HistoryFilter()
        self._count = 0
        self._pages: OrderedDict[int, list[HistoryEntry]] = OrderedDict()
        self._loading: set[int] = set()
        # Bumped on every refresh: a page fetched for an older state is dropped.
        self._generation = 0
        # The row of each call in the cached pages, and the latest snapshot of each live
        # call (a page read before a change arrives is corrected from it).
        self._rows: dict[UUID, int] = {}
        self._live: dict[UUID, HistoryEntry] = {}

    # -- filters and refresh -------------------------------------------------------------

    @property
    def filter(self) -> HistoryFilter:
        return self._filter

    def set_filter(self, new: HistoryFilter) -> None:
        if new != self._filter:
            self._filter = new
            self.refresh(reset=True)

    def refresh(self, *, reset: bool = False) -> None:
        """Count again and drop cached pages; new calls appear as rows inserted on top."""
        self._generation += 1
        generation = self._generation
        query = self._filter.query()
        self._worker.submit(
            lambda: self._history.count(**query),
            lambda count: self._counted(generation, count, reset),
            self._failed,
        )

    def call_changed(self, entry: HistoryEntry) -> None:
        """A call changed (already saved): show it without reloading what is on screen.

        Its row, if in memory, is redrawn from ``entry`` at once, with no query. A call not
        seen before also counts the history again (its row appears on top), and so does a
        call that ended (it may now match the filter, or stop matching it).
        """
        call_id = entry.call.id
        first_seen = call_id not in self._live
        if entry.call.is_over:
            self._live.pop(call_id, None)
        else:
            self._live[call_id] = entry
        row = self._rows.get(call_id)
        page = self._pages.get(row // PAGE_ROWS) if row is not None else None
        if row is not None and page is not None:
            offset = row % PAGE_ROWS
            if offset < len(page) and page[offset].call.id == call_id:
                page[offset] = entry
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        if first_seen or entry.call.is_over:
            # Newest first, a new call's row goes on top; sorted by SIP code, anywhere.
            self.refresh(reset=self._filter.by_sip_code)

    def _counted(self, generation: int, count: int, reset: bool) -> None:
        if generation != self._generation:
            return
        self._pages.clear()
        self._rows.clear()
        self._loading.clear()
        if reset or count < self._count:
            self.beginResetModel()
            self._count = count
            self.endResetModel()
        else:
            if count > self._count:
                # Newest first: calls saved since the last count are the top rows.
                self.beginInsertRows(QModelIndex(), 0, count - self._count - 1)
                self._count = count
                self.endInsertRows()
            if self._count:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self._count - 1, len(COLUMNS) - 1)
                )
        self.counted.emit(count)

    def _failed(self, error: Exception) -> None:
        self.failed.emit(str(error))

    # -- paging --------------------------------------------------------------------------

    def entry(self, row: int) -> HistoryEntry | None:
        """The call at ``row`` if its page is in memory; else None (and its page is asked for)."""
        if not 0 <= row < self._count:
            return None
        page_no = row // PAGE_ROWS
        page = self._pages.get(page_no)
        if page is None:
            self._load(page_no)
            return None
        self._pages.move_to_end(page_no)
        offset = row - page_no * PAGE_ROWS
        return page[offset] if offset < len(page) else None

    def is_loading(self) -> bool:
        return bool(self._loading) or self._worker.busy

    def _load(self, page_no: int) -> None:
        if page_no in self._loading:
            return
        self._loading.add(page_no)
        generation = self._generation
        query = self._filter.query()
        offset = page_no * PAGE_ROWS
        self._worker.submit(
            lambda: self._history.list(PAGE_ROWS, offset, **query),
            lambda rows: self._loaded(generation, page_no, rows),
            self._failed,
        )

    def _loaded(self, generation: int, page_no: int, rows: list[HistoryEntry]) -> None:
        if generation != self._generation:
            return
        self._loading.discard(page_no)
        first = page_no * PAGE_ROWS
        rows = [self._live.get(entry.call.id, entry) for entry in rows]
        self._pages[page_no] = rows
        for offset, entry in enumerate(rows):
            self._rows[entry.call.id] = first + offset
        while len(self._pages) > MAX_PAGES:
            _, dropped = self._pages.popitem(last=False)
            for entry in dropped:
                self._rows.pop(entry.call.id, None)
        last = min(self._count, first + PAGE_ROWS) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    # -- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self.entry(index.row())
        if entry is None:
            return LOADING if role == Qt.ItemDataRole.DisplayRole else None
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return display(entry, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(entry, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == COL_REASON:
            return reason_colour(entry.call.hangup_reason)
        return None


def display(entry: HistoryEntry, column: int) -> str:
    call = entry.call
    if column == COL_REMOTE:
        return party(call.remote)
    if column == COL_TIME:
        return local_time(call.tm_create)
    if column == COL_DIRECTION:
        return direction_label(call.direction)
    if column == COL_FROM:
        return party(call.source)
    if column == COL_TO:
        return party(call.destination)
    if column == COL_STATUS:
        return call.status.value
    if column == COL_DURATION:
        return clock(entry.talk_seconds)
    if column == COL_HANGUP_BY:
        return call.hangup_by.value
    if column == COL_REASON:
        return call.hangup_reason.value
    if column == COL_SIP:
        return str(entry.sip_code) if entry.sip_code else ""
    if column == COL_RECORDINGS:
        count = len(call.recording_ids)
        return f"▶ {count}" if count else ""
    return ""


def tooltip(entry: HistoryEntry, column: int) -> str | None:
    call = entry.call
    if column == COL_REASON:
        # What happened in plain words first; VoIPBIN's generic description after it,
        # marked as such (alone, "did not reach the phone network" misreads a 404).
        text = plain_outcome(call, entry.sip_code)
        described = HANGUP_REASON_DESCRIPTIONS.get(call.hangup_reason, "")
        if described:
            text += f"\nVoIPBIN: {described}"
        if entry.sip_code:
            text += f"\nSIP {entry.sip_code} {entry.sip_reason or ''}".rstrip()
        if entry.detail:
            text += f"\n{entry.detail}"
        if call.is_over:
            text += f"\n{plain_outcome(call, entry.sip_code)}"
        return text.strip() or None
    if column == COL_SIP and entry.sip_code:
        return (f"{entry.sip_code} {entry.sip_reason or ''}".rstrip()
                + f"\n{sip_code_meaning(entry.sip_code)}")
    if column == COL_HANGUP_BY:
        return HANGUP_BY_DESCRIPTIONS.get(call.hangup_by)
    if column == COL_STATUS:
        return STATUS_DESCRIPTIONS.get(call.status)
    if column == COL_RECORDINGS and call.recording_ids:
        return "Double-click to play; right-click for the folder"
    if column in (COL_REMOTE, COL_FROM, COL_TO):
        return display(entry, column)
    return None
