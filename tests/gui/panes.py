"""A history pane over a stored history, for the history tests."""

from __future__ import annotations


def open_pane(qtbot, history, data_dir, width: int):
    """A HistoryPane over ``history``, shown at ``width`` px, its first page loaded."""
    from softphone.ui.history_pane import HistoryPane

    pane = HistoryPane(history, data_dir / "recordings")
    qtbot.addWidget(pane)
    pane.resize(width, 500)
    pane.show()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1500)
    return pane
