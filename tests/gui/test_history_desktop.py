"""Issue 15 point 6: the history pane reads at a glance and stays put while calls arrive."""

from __future__ import annotations

import datetime as dt
import random
import time

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics

from softphone.model.policy import is_missed
from softphone.ui.history_model import COL_FROM, COL_RECORDINGS, COL_REMOTE, COL_TO, COLUMNS
from softphone.ui.text import party
from tests.gui.fake_calls import fake_call
from tests.gui.panes import open_pane

pytestmark = pytest.mark.gui


@pytest.fixture
def pane(qtbot, stored, data_dir):
    pane = open_pane(qtbot, stored[0], data_dir, 1920)
    yield pane
    pane.shutdown()


def visible_top_id(pane):
    index = pane.table.indexAt(pane.table.viewport().rect().topLeft())
    entry = pane.model.entry(index.row())
    return entry.call.id if entry else None


def test_the_remote_party_comes_first_and_nothing_is_cut_at_1920(qtbot, pane):
    assert COLUMNS[0] == "Remote party"
    qtbot.waitUntil(lambda: pane.model.entry(0) is not None)
    entry = pane.model.entry(0)
    assert pane.model.data(pane.model.index(0, COL_REMOTE)) == party(entry.call.remote)
    header = pane.table.horizontalHeader()
    metrics = QFontMetrics(pane.table.font())
    for row in range(40):
        qtbot.waitUntil(lambda r=row: pane.model.entry(r) is not None)
        for column in (COL_REMOTE, COL_FROM, COL_TO):
            shown = pane.model.data(pane.model.index(row, column))
            assert metrics.horizontalAdvance(shown) + 12 <= header.sectionSize(column), shown
    assert header.sectionSize(COL_RECORDINGS) <= 120  # an empty column takes no room


def test_missed_filter_and_date_range(qtbot, pane, stored):
    _, calls = stored
    pane.direction.setCurrentIndex(pane.direction.findData("missed"))
    want = [c for c in calls if is_missed(c)]
    assert want
    qtbot.waitUntil(lambda: pane.model.rowCount() == len(want))
    pane.direction.setCurrentIndex(0)
    # Between two local days: calls created from the start of the first to the end of the
    # second.
    days = sorted({c.tm_create.to_datetime().astimezone().date() for c in calls})
    first = days[0]
    pane.period.setCurrentIndex(pane.period.findData(-1))
    assert pane.date_from.isVisible() and pane.date_to.isVisible()
    pane.date_from.setDate(QDate(first.year, first.month, first.day))
    pane.date_to.setDate(QDate(first.year, first.month, first.day))
    within = [c for c in calls if c.tm_create.to_datetime().astimezone().date() == first]
    qtbot.waitUntil(lambda: pane.model.rowCount() == len(within))
    pane.period.setCurrentIndex(pane.period.findData(None))
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1500)


def test_new_calls_keep_a_scrolled_view_in_place_and_say_how_many(qtbot, pane, stored):
    history, _ = stored
    qtbot.waitUntil(lambda: pane.model.entry(0) is not None)
    pane.table.scrollTo(pane.model.index(600, 0), pane.table.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: visible_top_id(pane) is not None)
    before = visible_top_id(pane)
    rng = random.Random(1)
    for n in range(2):
        call, diag = fake_call(n, time.time_ns(), rng)
        history.save(call, diag)
    pane.refresh()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1502)
    qtbot.waitUntil(lambda: visible_top_id(pane) is not None)
    assert visible_top_id(pane) == before
    assert pane.new_button.isVisible() and pane.new_button.text() == "↑ 2 new"
    pane.new_button.click()
    assert pane.table.verticalScrollBar().value() == 0 and not pane.new_button.isVisible()
    # At the top, the view follows: the newest call is the first row in sight.
    call, diag = fake_call(9, time.time_ns(), rng)
    history.save(call, diag)
    pane.refresh()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1503)
    qtbot.waitUntil(lambda: visible_top_id(pane) == call.id)
    assert not pane.new_button.isVisible()


def test_export_shortcuts_work_from_the_search_field(rig, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(rig.window.history_pane, "ask_export",
                        lambda **kw: asked.append(kw["suffix"]))
    search = rig.window.history_pane.search
    rig.window.activateWindow()
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    qtbot.keyClick(search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(search, Qt.Key.Key_E,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == [".json", ".csv"]


def test_period_today_counts_today_only(qtbot, pane, stored):
    _, calls = stored
    pane.period.setCurrentIndex(pane.period.findData(0))
    today = dt.date.today()
    want = [c for c in calls if c.tm_create.to_datetime().astimezone().date() == today]
    qtbot.waitUntil(lambda: pane.model.rowCount() == len(want))


def test_a_recording_with_no_player_says_why(pane, tmp_path):
    messages: list[str] = []
    pane.message.connect(messages.append)
    pane.open_url = lambda url: False  # what QDesktopServices says with no WAV handler
    wav = tmp_path / "call.wav"
    wav.write_bytes(b"RIFF")
    pane.play_file(wav)
    assert messages and messages[-1].startswith("Cannot play call.wav: this desktop has no")
