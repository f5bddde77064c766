"""The history pane's filter by number-tester run: "All calls", then each run, newest first.

The runs are read when the list opens (and once at start), not at every saved call.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from softphone.ui.facade import HistoryView

ALL = "All calls"


class TestRunFilter(QComboBox):
    __test__ = False  # a widget, not a pytest class

    def __init__(self, history: HistoryView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.setAccessibleName("Filter by number test run")
        self.setToolTip("Only the calls of one number test run")
        self.reload()

    def reload(self) -> None:
        """Read the runs again, keeping the chosen one chosen."""
        chosen = self.currentData()
        try:
            runs = self.history.test_runs()
        except Exception:  # a closed or locked history: keep what is shown
            return
        self.blockSignals(True)
        try:
            self.clear()
            self.addItem(ALL, None)
            for run_id, count in runs:
                self.addItem(f"{run_id} ({count} call{'s' if count != 1 else ''})", run_id)
            index = self.findData(chosen) if chosen is not None else 0
            self.setCurrentIndex(max(0, index))
        finally:
            self.blockSignals(False)

    def show_run(self, run_id: str) -> None:
        self.reload()
        index = self.findData(run_id)
        if index >= 0:
            self.setCurrentIndex(index)

    def showPopup(self) -> None:
        self.reload()
        super().showPopup()
