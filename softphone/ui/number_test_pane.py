"""The Number test pane: paste or import a list, choose account and concurrency, run, a live
table coloured by pass or fail, stop, retry the failed, export (CSV, JSON lines, HTML)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.ui.facade import NumberTester, NumberTestRun

COLUMNS = (("#", "job"), ("Number", "target"), ("Label", "label"), ("Expect", "expect"),
           ("Result", "passed"), ("Outcome", "outcome"), ("SIP", "sip_code"),
           ("PDD ms", "post_dial_delay_ms"), ("Talk s", "talk_s"), ("MOS", "mos"),
           ("Action", "action"), ("Why", "verdict"))
# Light backgrounds with dark text (readable for colour-blind users: the Result column
# also says PASS or FAIL in words).
PASS_COLOUR = QColor("#d8f3e6")
FAIL_COLOUR = QColor("#fbe0d4")


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if key == "passed":
        return "PASS" if value else ("FAIL" if value is False else "-")
    if value is None or value == "":
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


class NumberTestPane(QWidget):
    result_arrived = Signal(object)  # a result's dict, from the run's thread
    run_ended = Signal(object)  # None, or the one-line problem
    message = Signal(str)  # for the status bar

    def __init__(self, tester: NumberTester, accounts: list[str] | None = None,
                 domain: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Number test")
        self.tester = tester
        self.domain = domain
        self.run: NumberTestRun | None = None
        self.last_run_id = ""
        self.rows: dict[int, dict[str, Any]] = {}
        self.list_edit = QPlainTextEdit()
        self.list_edit.setAccessibleName("Numbers to test")
        self.list_edit.setPlaceholderText(
            "One number or SIP URI a line, or a CSV with target,label,expect columns")
        self.account = QComboBox()
        self.account.setAccessibleName("Account")
        self.account.addItem("Direct (no account)", None)
        for name in accounts or []:
            self.account.addItem(name, name)
        self.concurrency = QSpinBox()
        self.concurrency.setAccessibleName("Calls at once")
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(4)
        self.flow = QComboBox()
        self.flow.setAccessibleName("Flow")
        self.flow.addItem("No flow", None)
        self.flow.setToolTip("A VoIPBIN flow run on each answered call (a row's flow column "
                             "overrides it)")
        self.flow_button = QPushButton("Flow…")
        self.flow_button.setAccessibleName("Choose a flow file")
        self.flow_button.clicked.connect(self.ask_flow)
        self.list_dir: Path | None = None  # an imported list's folder: its flow column's base
        self.import_button = QPushButton("Import…")
        self.run_button = QPushButton("Run")
        self.stop_button = QPushButton("Stop")
        self.retry_button = QPushButton("Retry failed")
        self.export_button = QPushButton("Export…")
        self.status = QLabel("")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Number test results")
        self.table.setHorizontalHeaderLabels([title for title, _ in COLUMNS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)  # the # column numbers the rows
        self.table.setWordWrap(False)
        self.import_button.clicked.connect(self.ask_import)
        self.run_button.clicked.connect(lambda: self.start())
        self.stop_button.clicked.connect(self.stop)
        self.retry_button.clicked.connect(self.retry_failed)
        self.export_button.clicked.connect(self.ask_export)
        self.result_arrived.connect(self._show_result, Qt.ConnectionType.QueuedConnection)
        self.run_ended.connect(self._ended, Qt.ConnectionType.QueuedConnection)
        bar = QHBoxLayout()
        for label, widget in (("Account", self.account), ("Flow", self.flow),
                              ("Calls at once", self.concurrency)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
            if widget is self.flow:
                bar.addWidget(self.flow_button)
        for button in (self.import_button, self.run_button, self.stop_button,
                       self.retry_button, self.export_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list_edit, 1)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 3)
        self._buttons()

    # -- running ---------------------------------------------------------------------------

    def start(self, only: list[int] | None = None) -> bool:
        if self.run is not None:
            return False
        text = self.list_edit.toPlainText()
        flow = self.flow.currentData()
        problem = self.tester.check(text, self.domain, flow=flow, list_dir=self.list_dir)
        if problem:
            self.status.setText(problem)
            self.message.emit(problem)
            return False
        if not only:
            self.rows.clear()
            self.table.setRowCount(0)
        self.run = self.tester.start(
            text, concurrency=self.concurrency.value(), account=self.account.currentData(),
            domain=self.domain, on_result=self.result_arrived.emit,
            on_done=self.run_ended.emit, only=only or (), flow=flow, list_dir=self.list_dir)
        self.status.setText(f"Running {self.run.run_id}…")
        self._buttons()
        return True

    def stop(self) -> None:
        if self.run is not None:
            self.status.setText("Stopping: ending every call…")
            self.run.stop()

    def retry_failed(self) -> None:
        failed = sorted(job for job, row in self.rows.items() if row.get("passed") is False)
        if failed:
            self.start(only=failed)

    def _show_result(self, row: dict[str, Any]) -> None:
        self.rows[int(row["job"])] = row
        ordered = sorted(self.rows)  # job order, whatever order the calls ended in
        self.table.setRowCount(len(ordered))
        for line, job in enumerate(ordered):
            self._refill(line, self.rows[job])
        # Every cell whole (at 100 px each the numbers themselves were cut): the table
        # scrolls sideways instead.
        self.table.resizeColumnsToContents()
        self._buttons()

    def _refill(self, line: int, row: Mapping[str, Any]) -> None:
        colour = PASS_COLOUR if row.get("passed") else (
            FAIL_COLOUR if row.get("passed") is False else None)
        for column, (_, key) in enumerate(COLUMNS):
            item = QTableWidgetItem(_text(row, key))
            if colour is not None:
                item.setBackground(QBrush(colour))
                item.setForeground(QBrush(QColor("#222222")))
            self.table.setItem(line, column, item)

    def _ended(self, problem: str | None) -> None:
        run_id = self.run.run_id if self.run is not None else ""
        self.run = None
        passed = sum(1 for r in self.rows.values() if r.get("passed"))
        failed = sum(1 for r in self.rows.values() if r.get("passed") is False)
        self.status.setText(problem or f"{run_id}: {len(self.rows)} numbers, {passed} passed, "
                            f"{failed} failed")
        self.last_run_id = run_id
        self._buttons()

    def _buttons(self) -> None:
        running = self.run is not None
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.retry_button.setEnabled(not running and any(
            r.get("passed") is False for r in self.rows.values()))
        self.export_button.setEnabled(not running and bool(self.rows))

    # -- files -----------------------------------------------------------------------------

    def ask_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a number list", "",
                                              "Number lists (*.csv *.txt);;All files (*)")
        if name:
            self.import_file(Path(name))

    def ask_flow(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose a flow", "",
                                              "VoIPBIN flows (*.json);;All files (*)")
        if name:
            self.set_flow(Path(name))

    def set_flow(self, path: Path) -> None:
        """Select ``path`` as the run's flow (added to the picker once)."""
        index = self.flow.findData(str(path))
        if index < 0:
            self.flow.addItem(path.name, str(path))
            index = self.flow.count() - 1
        self.flow.setCurrentIndex(index)

    def import_file(self, path: Path) -> None:
        try:
            self.list_edit.setPlainText(path.read_text(encoding="utf-8-sig"))
            self.list_dir = path.parent
        except (OSError, UnicodeDecodeError) as exc:
            self.status.setText(f"Could not read {path}: {exc}")

    def ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export the results", "number-test.csv",
            "CSV (*.csv);;JSON lines (*.jsonl);;HTML report (*.html)")
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> int:
        rows = [self.rows[job] for job in sorted(self.rows)]
        try:
            count = self.tester.export(path, rows, self.last_run_id)
        except OSError as exc:
            self.status.setText(f"Could not export to {path}: {exc.strerror or exc}")
            return 0
        self.status.setText(f"Exported {count} numbers to {path}")
        return count


def open_number_test(owner: QWidget, tester: NumberTester | None, accounts: list[str],
                     domain: str | None) -> NumberTestPane | None:
    """The pane as a window of its own (one per main window), shown and raised."""
    if tester is None:
        return None
    pane: NumberTestPane | None = owner.findChild(NumberTestPane)
    if pane is None:
        pane = NumberTestPane(tester, accounts, domain, owner)
        pane.setWindowFlag(Qt.WindowType.Window)
        pane.setWindowTitle("Number test — softphone")
        pane.resize(1000, 640)
    pane.show()
    pane.raise_()
    return pane
