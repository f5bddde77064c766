"""The history pane: filters, search and a lazy table over the SQLite history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QGuiApplication,
    QIntValidator,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.model import Call, CallDirection, HangupReason
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.enums import HANGUP_REASON_DESCRIPTIONS
from softphone.store import HistoryEntry
from softphone.ui.call_details import call_json
from softphone.ui.clip_bar import ClipBar
from softphone.ui.facade import ClipPlayback, HistoryView
from softphone.ui.history_columns import ColumnFitter
from softphone.ui.history_export import all_entries, export, selected_entries
from softphone.ui.history_model import (
    COL_RECORDINGS,
    COL_SIP,
    COL_TIME,
    COLUMNS,
    HistoryFilter,
    HistoryTableModel,
)
from softphone.ui.recordings import find_recording
from softphone.ui.test_run_filter import TestRunFilter
from softphone.ui.text import redial_target
from softphone.ui.worker import Worker

SEARCH_DEBOUNCE_MS = 250
MISSED = "missed"  # the direction filter's "Missed" entry
# The date filter: (label, days back from today; None: any time; -1: between two dates).
PERIODS: tuple[tuple[str, int | None], ...] = (
    ("Any time", None), ("Today", 0), ("Last 7 days", 6), ("Last 30 days", 29),
    ("Between…", -1),
)
# Window shortcuts a line edit would take for itself (Ctrl+E: end of line on X11).
_WINDOW_KEYS = (QKeySequence("Ctrl+E"), QKeySequence("Ctrl+Shift+E"))


def _day_start_ns(day: date) -> int:
    return int(datetime.combine(day, time()).astimezone().timestamp()) * 1_000_000_000


class _LeaveWindowShortcuts(QObject):
    """Lets the window's export shortcuts work while the search field has the focus."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if any(pressed.matches(k) == QKeySequence.SequenceMatch.ExactMatch
                   for k in _WINDOW_KEYS):
                event.ignore()  # not overridden: the shortcut fires
                return True
        return False


class HistoryPane(QWidget):
    redial_requested = Signal(str)
    details_requested = Signal(HistoryEntry)
    message = Signal(str)  # for the status bar
    exported = Signal(Path, int)  # the file, how many calls
    deleted = Signal(int)

    def __init__(
        self, history: HistoryView, recordings_dir: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Call history")
        self.history = history
        self.recordings_dir = recordings_dir
        self.worker = Worker("history", self)
        self.model = HistoryTableModel(history, self.worker)
        self.model.counted.connect(self._show_count)
        self.model.failed.connect(self.message.emit)
        # Replaced by tests: opening a file or folder hands it to the desktop.
        self.open_url = QDesktopServices.openUrl

        self.direction = QComboBox()
        self.direction.setAccessibleName("Filter by direction")
        self.direction.addItem("All directions", None)
        for direction in (CallDirection.INCOMING, CallDirection.OUTGOING):
            self.direction.addItem(direction.value.capitalize(), direction)
        self.direction.addItem("Missed", MISSED)
        self.direction.setItemData(self.direction.count() - 1,
                                   "Incoming calls nobody answered or declined",
                                   Qt.ItemDataRole.ToolTipRole)
        self.period = QComboBox()
        self.period.setAccessibleName("Filter by date")
        for label, days in PERIODS:
            self.period.addItem(label, days)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-7))
        self.date_from.setAccessibleName("From date")
        self.date_to = QDateEdit(today)
        self.date_to.setAccessibleName("To date")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.hide()
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        self.new_button = QPushButton()
        self.new_button.setAccessibleName("New calls above")
        self.new_button.setToolTip("Calls that came in while you were scrolled down: show them")
        self.new_button.hide()
        self.new_button.clicked.connect(self.show_newest)
        self._new_rows = 0
        self._scroll_before = 0
        self.reason = QComboBox()
        self.reason.setAccessibleName("Filter by hangup reason")
        self.reason.addItem("All reasons", None)
        for reason in HangupReason:
            if reason is not HangupReason.NONE:
                self.reason.addItem(reason.value, reason)
                self.reason.setItemData(
                    self.reason.count() - 1,
                    HANGUP_REASON_DESCRIPTIONS.get(reason, ""),
                    Qt.ItemDataRole.ToolTipRole,
                )
        self.sip_code = QLineEdit()
        self.sip_code.setPlaceholderText("SIP code")
        self.sip_code.setAccessibleName("Filter by final SIP code")
        self.sip_code.setToolTip("Only calls whose final SIP code is this (e.g. 404); click "
                                 "the SIP column's header to sort by code")
        self.sip_code.setValidator(QIntValidator(100, 699, self.sip_code))
        self.sip_code.setMaximumWidth(self.sip_code.fontMetrics().horizontalAdvance("SIP code")
                                      + 30)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search number or name")
        self.search.setAccessibleName("Search history")
        self.search.setClearButtonEnabled(True)
        self._shortcut_filter = _LeaveWindowShortcuts(self)
        self.search.installEventFilter(self._shortcut_filter)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Matching calls")
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setAccessibleName("Export history")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        for label, selected, suffix in (
            ("Selected calls as JSON…", True, ".json"),
            ("Selected calls as CSV…", True, ".csv"),
            ("All shown calls as JSON…", False, ".json"),
            ("All shown calls as CSV…", False, ".csv"),
        ):
            export_menu.addAction(
                label, partial(self.ask_export, selected_only=selected, suffix=suffix)
            )
        self.export_button.setMenu(export_menu)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName("Delete selected calls")
        self.delete_button.clicked.connect(self.delete_selected)

        self.table = QTableView()
        self.table.setAccessibleName("Call history table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures rows, so a million rows scroll freely.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8
        )
        header = self.table.horizontalHeader()
        # Within the view's width from 1100 px up: no horizontal scrollbar.
        self.columns = ColumnFitter(self.table)
        # New rows land on top: keep what the user reads in place while scrolled down.
        self.model.rowsAboutToBeInserted.connect(self._rows_coming)
        self.model.rowsInserted.connect(self._rows_came)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        delete = QAction("Delete", self.table)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.delete_selected)
        self.table.addAction(delete)
        details = QAction("Details", self.table)
        details.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        details.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        details.triggered.connect(self.show_details)
        self.table.addAction(details)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.sip_code.textChanged.connect(lambda _t: self._search_timer.start())
        # Newest first, or by final SIP code: the Time and SIP headers choose.
        header.setSortIndicatorShown(True)
        header.setSortIndicator(COL_TIME, Qt.SortOrder.DescendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self._by_sip_code = False
        self.direction.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.reason.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.test_run = TestRunFilter(history)  # the number tester's runs, read on opening
        self.test_run.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.period.currentIndexChanged.connect(lambda _i: self._period_chosen())

        bar = QHBoxLayout()
        bar.addWidget(QLabel("History"))
        bar.addWidget(self.direction)
        bar.addWidget(self.reason)
        bar.addWidget(self.test_run)
        bar.addWidget(self.period)
        bar.addWidget(self.date_from)
        bar.addWidget(self.date_to)
        bar.addWidget(self.sip_code)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_button)
        bar.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._layout = layout
        self.clip_bar: ClipBar | None = None  # set_player: recordings play in the app
        self.model.refresh(reset=True)

    # -- filters ----------------------------------------------------------------------------

    def apply_filter(self) -> None:
        self._search_timer.stop()
        direction = self.direction.currentData()
        since, until = self._date_range()
        self.model.set_filter(HistoryFilter(
            direction=None if direction in (None, MISSED) else CallDirection(direction),
            reason=self.reason.currentData(),
            search=self.search.text(),
            missed=direction == MISSED,
            since_ns=since,
            until_ns=until,
            sip_code=int(self.sip_code.text()) if self.sip_code.hasAcceptableInput() else None,
            by_sip_code=self._by_sip_code,
            test_run=self.test_run.currentData(),
        ))

    def _header_clicked(self, column: int) -> None:
        if column not in (COL_TIME, COL_SIP):
            # Other columns do not sort (a lazy million-row table): keep the indicator.
            shown = COL_SIP if self._by_sip_code else COL_TIME
            order = (Qt.SortOrder.AscendingOrder if self._by_sip_code
                     else Qt.SortOrder.DescendingOrder)
            self.table.horizontalHeader().setSortIndicator(shown, order)
            return
        self.sort_by_sip_code(column == COL_SIP)

    def sort_by_sip_code(self, on: bool) -> None:
        """Sort by final SIP code (calls without one last), or back to newest first."""
        self._by_sip_code = on
        self.table.horizontalHeader().setSortIndicator(
            COL_SIP if on else COL_TIME,
            Qt.SortOrder.AscendingOrder if on else Qt.SortOrder.DescendingOrder)
        self.apply_filter()

    def _period_chosen(self) -> None:
        between = self.period.currentData() == -1
        self.date_from.setVisible(between)
        self.date_to.setVisible(between)
        self.apply_filter()

    def _date_range(self) -> tuple[int | None, int | None]:
        """The chosen dates as [since, until) in Unix ns, local days; None: open."""
        days = self.period.currentData()
        if days is None:
            return None, None
        if days == -1:
            first = self.date_from.date().toPython()
            last = self.date_to.date().toPython()
            assert isinstance(first, date) and isinstance(last, date)
            if last < first:
                first, last = last, first
        else:
            last = date.today()
            first = last - timedelta(days=days)
        return _day_start_ns(first), _day_start_ns(last + timedelta(days=1))

    # -- new rows while scrolled ---------------------------------------------------------------

    def _rows_coming(self, parent: QModelIndex, first: int, last: int) -> None:
        self._scroll_before = self.table.verticalScrollBar().value()

    def _rows_came(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid() or first != 0:
            return
        added = last - first + 1
        bar = self.table.verticalScrollBar()
        if self._scroll_before <= 0:
            bar.setValue(0)  # at the top: follow, the new calls show
            return
        # Scrolled down: the same calls stay under the user's eyes; say how many are above.
        per_item = (self.table.verticalScrollMode()
                    is QAbstractItemView.ScrollMode.ScrollPerItem)
        step = 1 if per_item else self.table.verticalHeader().defaultSectionSize()
        bar.setValue(self._scroll_before + added * step)
        self._new_rows += added
        self.new_button.setText(f"↑ {self._new_rows} new")
        self.new_button.show()

    def _scrolled(self, value: int) -> None:
        if value == 0 and self._new_rows:
            self._new_rows = 0
            self.new_button.hide()

    def show_newest(self) -> None:
        self.table.scrollToTop()
        self._new_rows = 0
        self.new_button.hide()

    def _show_count(self, count: int) -> None:
        self.count_label.setText(f"{count:,} call{'s' if count != 1 else ''}")

    def refresh(self) -> None:
        """A call was saved: count again; the view keeps its place."""
        self.model.refresh()

    def call_changed(self, call: Call, diagnostics: CallDiagnostics | None) -> None:
        """The engine changed a call, and the history store saved it: show the change.

        A talk time only once the call is over, as the store keeps it (not "until now").
        """
        self.model.call_changed(HistoryEntry.of(call, diagnostics))

    # -- selection -----------------------------------------------------------------------------

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.table.selectionModel().selectedRows()})

    def entry_at(self, row: int) -> HistoryEntry | None:
        return self.model.entry(row)

    def current_entry(self) -> HistoryEntry | None:
        index = self.table.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    # -- acts ----------------------------------------------------------------------------------

    def _double_clicked(self, index: QModelIndex) -> None:
        entry = self.model.entry(index.row())
        if entry is None:
            return
        if index.column() == COL_RECORDINGS and entry.call.recording_ids:
            self.play(entry)
        elif target := redial_target(entry.call):
            self.redial_requested.emit(target)

    def show_details(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.details_requested.emit(entry)

    def play(self, entry: HistoryEntry, number: int = 0) -> None:
        ids = entry.call.recording_ids
        path = find_recording(self.recordings_dir, ids[number]) if number < len(ids) else None
        if path is None:
            self.message.emit(f"The recording file is not in {self.recordings_dir} any more")
            return
        self.play_file(path)

    def set_player(self, player: ClipPlayback) -> None:
        """Play recordings here, on the speaker, rather than in the desktop's player."""
        self.clip_bar = ClipBar(player, self)
        self.clip_bar.message.connect(self.message.emit)
        self._layout.addWidget(self.clip_bar)

    def play_file(self, path: Path) -> None:
        """Play a WAV in the app (set_player), else hand it to the desktop's player; say
        plainly why when neither can."""
        if self.clip_bar is not None:
            self.clip_bar.play(path)
            return
        if self.open_url(QUrl.fromLocalFile(str(path))) is False:
            self.message.emit(
                f"Cannot play {path.name}: this desktop has no program set up for WAV files "
                f"(install a media player, or open {path.parent} and play it from there)")


    def open_folder(self) -> None:
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        self.open_url(QUrl.fromLocalFile(str(self.recordings_dir)))

    def _context_menu(self, pos: QPoint) -> None:
        entry = self.model.entry(self.table.indexAt(pos).row())
        menu = QMenu(self)
        if entry is not None:
            target = redial_target(entry.call)
            redial = menu.addAction(f"Redial {target}", lambda: self.redial_requested.emit(target))
            redial.setEnabled(bool(target))
            menu.addAction("Details…", lambda: self.details_requested.emit(entry))
            menu.addAction("Copy Call JSON",
                           lambda: QGuiApplication.clipboard().setText(call_json(entry.call)))
            for number, _rid in enumerate(entry.call.recording_ids):
                menu.addAction(f"Play recording {number + 1}", partial(self.play, entry, number))
            menu.addSeparator()
        menu.addAction("Open recordings folder", self.open_folder)
        menu.addAction("Export selected as JSON…",
                       lambda: self.ask_export(selected_only=True, suffix=".json"))
        menu.addAction("Delete selected…", self.delete_selected)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    # -- export ------------------------------------------------------------------------------

    def ask_export(
        self, *, selected_only: bool, suffix: str, details: bool = False
    ) -> None:
        if selected_only and not self.selected_rows():
            self.message.emit("Select the calls to export first (or export all shown calls)")
            return
        kind = ("CSV (*.csv)" if suffix == ".csv" else
                "Calls with SIP details (*.json)" if details else "VoIPBIN JSON (*.json)")
        default = "calls-sip-details" if details else "calls"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export call history", str(Path.home() / f"{default}{suffix}"), kind
        )
        if name:
            path = Path(name)
            self.export_to(path if path.suffix else path.with_suffix(suffix), selected_only,
                           details=details)

    def export_to(self, path: Path, selected_only: bool, *, details: bool = False) -> None:
        """Write the selected (or all shown) calls to ``path`` on the worker thread; with
        ``details``, each as {"call", "sip", "outcome"} (the Call stays VoIPBIN's)."""
        query = self.model.filter.query()
        rows = self.selected_rows() if selected_only else None

        def job() -> int:
            entries = (selected_entries(self.history, query, rows) if rows is not None
                       else all_entries(self.history, query))
            return export(path, entries, details=details)

        self.message.emit(f"Exporting to {path}…")
        self.worker.submit(job, lambda n: self._exported(path, n), self._export_failed(path))

    def _exported(self, path: Path, count: int) -> None:
        self.message.emit(f"Exported {count:,} call{'s' if count != 1 else ''} to {path}")
        self.exported.emit(path, count)

    def _export_failed(self, path: Path) -> Any:
        def failed(error: Exception) -> None:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            self.message.emit(f"Could not export to {path}: {reason}")
        return failed

    # -- delete ------------------------------------------------------------------------------

    def confirm_delete(self, count: int) -> bool:
        answer = QMessageBox.question(
            self,
            "Delete calls",
            f"Delete {count:,} call{'s' if count != 1 else ''} from the history? "
            "Their recordings stay in the recordings folder.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.message.emit("Select the calls to delete first")
            return
        if not self.confirm_delete(len(rows)):
            return
        query = self.model.filter.query()

        def job() -> int:
            ids = [entry.call.id for entry in selected_entries(self.history, query, rows)]
            return self.history.delete(ids)

        self.worker.submit(job, self._deleted, lambda e: self.message.emit(str(e)))

    def _deleted(self, count: int) -> None:
        self.table.clearSelection()
        self.model.refresh(reset=True)
        self.message.emit(f"Deleted {count:,} call{'s' if count != 1 else ''}")
        self.deleted.emit(count)

    def shutdown(self) -> None:
        if self.clip_bar is not None:
            self.clip_bar.stop()
        self.worker.shutdown()


__all__ = ["COLUMNS", "HistoryPane"]
