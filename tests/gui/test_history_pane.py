"""The history pane over a real SQLite history: lazy pages, filters, search, export, delete."""

from __future__ import annotations

import csv
import json

import pytest
from PySide6.QtCore import Qt

from softphone.model import Call, CallDirection, HangupReason
from softphone.ui import history_model
from softphone.ui.history_model import COL_DIRECTION, COL_REASON, COL_TO, LOADING
from tests.gui.panes import open_pane

pytestmark = pytest.mark.gui


@pytest.fixture
def pane(qtbot, stored, data_dir):
    pane = open_pane(qtbot, stored[0], data_dir, 1000)
    yield pane
    pane.shutdown()


def text(pane, row, col):
    return pane.model.data(pane.model.index(row, col))


def loaded(pane, row, col=0):
    return text(pane, row, col) != LOADING


def test_rows_are_fetched_a_page_at_a_time_and_memory_stays_bounded(qtbot, pane, stored):
    _, calls = stored
    newest_first = sorted(calls, key=lambda c: c.tm_create.ns, reverse=True)
    assert pane.count_label.text() == "1,500 calls"
    # The far end of the history reads "…" until its page arrives, then the right call.
    assert text(pane, 1499, COL_TO) == LOADING or loaded(pane, 1499)
    qtbot.waitUntil(lambda: loaded(pane, 1499))
    entry = pane.entry_at(1499)
    assert entry is not None and entry.call.id == newest_first[1499].id
    for row in range(0, 1500, history_model.PAGE_ROWS):
        pane.model.entry(row)
    qtbot.waitUntil(lambda: not pane.model.is_loading())
    assert len(pane.model._pages) <= history_model.MAX_PAGES


def test_filters_and_search_narrow_the_rows(qtbot, pane, stored):
    _, calls = stored
    pane.direction.setCurrentIndex(pane.direction.findData(CallDirection.INCOMING))
    pane.reason.setCurrentIndex(pane.reason.findData(HangupReason.BUSY))
    want = [c for c in calls if c.direction is CallDirection.INCOMING
            and c.hangup_reason is HangupReason.BUSY]
    qtbot.waitUntil(lambda: pane.model.rowCount() == len(want))
    qtbot.waitUntil(lambda: loaded(pane, 0))
    assert text(pane, 0, COL_REASON) == "busy"
    assert text(pane, 0, COL_DIRECTION).endswith("Incoming")
    colour = pane.model.data(pane.model.index(0, COL_REASON), Qt.ItemDataRole.ForegroundRole)
    assert colour is not None
    number = calls[100].remote.target.split(":")[1][:12]
    pane.direction.setCurrentIndex(0)
    pane.reason.setCurrentIndex(0)
    qtbot.keyClicks(pane.search, number)
    matching = [c for c in calls if number in c.remote.target]
    qtbot.waitUntil(lambda: pane.model.rowCount() == len(matching), timeout=3000)
    qtbot.waitUntil(lambda: loaded(pane, 0))
    assert number in text(pane, 0, COL_TO) or number in text(pane, 0, COL_TO - 1)


def test_export_all_as_json_validates_as_calls_and_csv_has_every_row(qtbot, pane, tmp_path):
    with qtbot.waitSignal(pane.exported, timeout=10_000) as done:
        pane.export_to(tmp_path / "all.json", selected_only=False)
    assert done.args[1] == 1500
    exported = json.loads((tmp_path / "all.json").read_text())
    calls = [Call.model_validate(item) for item in exported]
    assert len({c.id for c in calls}) == 1500
    with qtbot.waitSignal(pane.exported, timeout=10_000):
        pane.export_to(tmp_path / "all.csv", selected_only=False)
    with (tmp_path / "all.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1500 and rows[0]["hangup_reason"]


def test_export_selected_and_delete_with_confirmation(qtbot, pane, tmp_path, monkeypatch):
    qtbot.waitUntil(lambda: loaded(pane, 3))
    pane.table.selectRow(1)
    pane.table.selectionModel().select(
        pane.model.index(3, 0), pane.table.selectionModel().SelectionFlag.Select
        | pane.table.selectionModel().SelectionFlag.Rows)
    chosen = {pane.entry_at(1).call.id, pane.entry_at(3).call.id}
    with qtbot.waitSignal(pane.exported, timeout=5000):
        pane.export_to(tmp_path / "two.json", selected_only=True)
    assert {Call.model_validate(c).id for c in json.loads((tmp_path / "two.json").read_text())} == chosen

    asked: list[int] = []
    monkeypatch.setattr(pane, "confirm_delete", lambda n: asked.append(n) or False)
    pane.delete_selected()
    assert asked == [2] and pane.model.rowCount() == 1500  # cancelled: nothing deleted
    monkeypatch.setattr(pane, "confirm_delete", lambda n: asked.append(n) or True)
    with qtbot.waitSignal(pane.deleted, timeout=5000) as done:
        pane.delete_selected()
    assert done.args == [2]
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1498)
    assert all(pane.history.get(cid) is None for cid in chosen)


def test_double_click_redials_the_remote_party(qtbot, pane):
    qtbot.waitUntil(lambda: loaded(pane, 0))
    entry = pane.entry_at(0)
    cell = pane.table.visualRect(pane.model.index(0, COL_TO)).center()
    with qtbot.waitSignal(pane.redial_requested) as redial:
        # QTest's double click alone is not one to an item view: a click comes first.
        qtbot.mouseClick(pane.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(pane.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert redial.args == [entry.call.remote.target]
