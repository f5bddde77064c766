"""Issue 15 (leftover): the history's columns fit the window from 1100 px up, with no
horizontal scrollbar; the remote party, time and status stay readable, From and To elide."""

from __future__ import annotations

import base64

import pytest
from PySide6.QtGui import QFontMetrics

from softphone.store import Settings
from softphone.ui.history_model import (
    COL_DIRECTION,
    COL_DURATION,
    COL_FROM,
    COL_HANGUP_BY,
    COL_REASON,
    COL_REMOTE,
    COL_SIP,
    COL_STATUS,
    COL_TIME,
    COL_TO,
    COLUMNS,
)
from tests.gui.conftest import WindowRig

pytestmark = pytest.mark.gui

# Shown whole at every width from 1100 px: what a user scans the history by.
WHOLE = (COL_TIME, COL_DIRECTION, COL_STATUS, COL_DURATION, COL_HANGUP_BY, COL_REASON, COL_SIP)
PAD = 12  # a cell's margins and focus frame, as the 1920 test of test_history_desktop


def shown_at(rig: WindowRig, qtbot, width: int, height: int):
    window = rig.window
    window.resize(width, height)
    pane = window.history_pane
    qtbot.waitUntil(lambda: window.width() == width)
    qtbot.waitUntil(lambda: pane.model.entry(39) is not None)
    qtbot.wait(50)  # the layout settles after the resize
    return pane, pane.table.horizontalHeader(), QFontMetrics(pane.table.font())


def rows(pane, column: int, count: int = 40) -> list[str]:
    return [pane.model.data(pane.model.index(r, column)) for r in range(count)]


def check_fits(pane, header, metrics) -> None:
    table = pane.table
    assert not table.horizontalScrollBar().isVisible()
    assert header.length() <= table.viewport().width()
    for column in WHOLE:
        for text in [*rows(pane, column), COLUMNS[column]]:
            assert metrics.horizontalAdvance(text) + PAD <= header.sectionSize(column), (
                COLUMNS[column], text)
    # The remote party: at least a name and the number's start ("Support desk <sip:+8210");
    # From and To elided, never gone.
    party = metrics.horizontalAdvance("Support desk <sip:+821012345")
    assert header.sectionSize(COL_REMOTE) >= party
    for column in (COL_FROM, COL_TO):
        assert header.sectionSize(column) >= metrics.horizontalAdvance("Support desk")


@pytest.mark.parametrize(("width", "height"), [(1100, 760), (1280, 800), (1920, 1080)])
def test_columns_fit_without_a_horizontal_scrollbar(stored, rig, qtbot, width, height):
    pane, header, metrics = shown_at(rig, qtbot, width, height)
    check_fits(pane, header, metrics)
    if width >= 1920:
        # Room enough: every party whole, as the 1920 screenshot promises.
        for column in (COL_REMOTE, COL_FROM, COL_TO):
            for text in rows(pane, column):
                assert metrics.horizontalAdvance(text) + PAD <= header.sectionSize(column)


def test_the_default_size_fits(stored, rig, qtbot):
    window = rig.window
    pane = window.history_pane
    qtbot.waitUntil(lambda: pane.model.entry(39) is not None)
    qtbot.wait(50)
    assert window.width() >= 1100  # the window opens at 1100 px
    check_fits(pane, pane.table.horizontalHeader(), QFontMetrics(pane.table.font()))


def test_growing_gives_the_room_back_and_shrinking_fits_again(stored, rig, qtbot):
    pane, header, metrics = shown_at(rig, qtbot, 1100, 760)
    narrow = header.sectionSize(COL_FROM)
    pane, header, metrics = shown_at(rig, qtbot, 1920, 1080)
    assert header.sectionSize(COL_FROM) > narrow
    pane, header, metrics = shown_at(rig, qtbot, 1100, 760)
    check_fits(pane, header, metrics)


def test_a_layout_saved_by_an_older_version_still_fits(stored, qtbot, engine, data_dir):
    """The header state saved before this fix: 340 px parties, To stretching, 1,800 px in
    all. Restored as it was, the scrollbar would stay for everyone who upgrades."""
    from PySide6.QtWidgets import QHeaderView, QTableView

    from softphone.ui.history_model import HistoryTableModel
    from softphone.ui.worker import Worker

    old = QTableView()
    worker = Worker("old-layout", old)
    old.setModel(HistoryTableModel(stored[0], worker))
    old_header = old.horizontalHeader()
    old_header.setStretchLastSection(True)
    old_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, size in enumerate((340, 150, 100, 90, 70, 85, 120, 50, 90, 340, 340)):
        old_header.resizeSection(column, size)
    saved = base64.b64encode(bytes(old_header.saveState().data())).decode("ascii")
    worker.shutdown()
    rig = WindowRig(qtbot, engine, data_dir, Settings(history_header=saved))
    try:
        pane, header, metrics = shown_at(rig, qtbot, 1100, 760)
        check_fits(pane, header, metrics)
    finally:
        rig.close()
