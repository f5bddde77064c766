"""The history pane: filters, search and a lazy table over the SQLite history."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
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
from softphone.ui.facade import HistoryView
from softphone.ui.history_export import all_entries, export, selected_entries
from softphone.ui.history_model import (
    COL_RECORDINGS,
    COLUMNS,
    HistoryFilter,
    HistoryTableModel,
)
from softphone.ui.recordings import find_recording
from softphone.ui.text import redial_target
from softphone.ui.worker import Worker

SEARCH_DEBOUNCE_MS = 250


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
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search number or name")
        self.search.setAccessibleName("Search history")
        self.search.setClearButtonEnabled(True)
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
        header.setStretchLastSection(True)
        for column, width in enumerate((150, 100, 210, 210, 80, 70, 85, 120, 80)):
            header.resizeSection(column, width)
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
        self.direction.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.reason.currentIndexChanged.connect(lambda _i: self.apply_filter())

        bar = QHBoxLayout()
        bar.addWidget(QLabel("History"))
        bar.addWidget(self.direction)
        bar.addWidget(self.reason)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)
        bar.addWidget(self.export_button)
        bar.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.model.refresh(reset=True)

    # -- filters ----------------------------------------------------------------------------

    def apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(HistoryFilter(
            direction=self.direction.currentData(),
            reason=self.reason.currentData(),
            search=self.search.text(),
        ))

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
        self.open_url(QUrl.fromLocalFile(str(path)))

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
        self.worker.shutdown()


__all__ = ["COLUMNS", "HistoryPane"]
