"""The window's CSV export (the history pane's Export menu) of calls whose wire text, from
real SIPp peers, holds spreadsheet formulas: every such cell starts with ', as the
command line's `history --csv` writes it; the JSON export keeps the text exactly."""

from __future__ import annotations

import csv
import json

import pytest

from softphone.store import History
from softphone.store.export import CSV_HEADER
from softphone.ui.history_pane import HistoryPane
from tests.softphone_cli import run_cli
from tests.store.test_export import CALLER, REASON, SERVER, assert_no_formula, formula_history

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def test_window_csv_export_neutralises_formulas(qtbot, data_dir, tmp_path):
    formula_history(data_dir)
    history = History.open(data_dir / "history.sqlite3", recover=False)
    pane = HistoryPane(history, data_dir / "recordings")
    qtbot.addWidget(pane)
    try:
        qtbot.waitUntil(lambda: pane.model.rowCount() == 2)
        with qtbot.waitSignal(pane.exported, timeout=10_000) as done:
            pane.export_to(tmp_path / "calls.csv", selected_only=False)
        assert done.args[1] == 2
        with qtbot.waitSignal(pane.exported, timeout=10_000):
            pane.export_to(tmp_path / "calls.json", selected_only=False)
    finally:
        pane.shutdown()
        history.close()
    with (tmp_path / "calls.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CSV_HEADER
    assert_no_formula(rows)
    outgoing = next(dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:] if r[2] == "outgoing")
    assert (outgoing["user_agent"], outgoing["sip_reason"]) == ("'" + SERVER, "'" + REASON)
    # One exporter: the window's file is the command line's output, byte for byte.
    cli = run_cli("history", "--csv", data_dir=data_dir)
    assert list(csv.reader(cli.stdout.splitlines())) == rows
    calls = json.loads((tmp_path / "calls.json").read_text(encoding="utf-8"))
    assert next(c for c in calls if c["direction"] == "incoming")["source"]["name"] == CALLER
