"""The Number test pane, offscreen, running real engine workers against SIPp: a live table
coloured by pass or fail, retry the failed, export."""

from __future__ import annotations

import csv
import json

import pytest

from softphone.tester.service import NumberTesterService
from tests.peers.pjsua import PjsuaPeer
from tests.peers.sipp import free_udp_port, run_uas

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def test_run_colour_retry_and_export(qtbot, data_dir, tmp_path):
    from softphone.ui.number_test_pane import FAIL_COLOUR, PASS_COLOUR, NumberTestPane

    service = NumberTesterService(data_dir / "history.sqlite3", data_dir / "recordings")
    pane = NumberTestPane(service)
    qtbot.addWidget(pane)
    pane.show()
    # A bad list: one line in the status, nothing runs.
    pane.list_edit.setPlainText("target,expect\nsip:a@127.0.0.1,perhaps\n")
    assert pane.start() is False
    assert pane.status.text().startswith("the list, row 2, column expect:")
    busy, gone, gone_again = run_uas("uas_486", port=free_udp_port()), run_uas("uas_404", port=free_udp_port()), run_uas("uas_404", port=free_udp_port())
    try:
        pane.list_edit.setPlainText(
            f"target,label,expect\n{busy.uri()},busy,busy\n{gone.uri()},gone,answered\n")
        assert pane.start()
        qtbot.waitUntil(lambda: pane.run is None, timeout=30_000)
        assert pane.table.rowCount() == 2
        cells = [[pane.table.item(r, c).text() for c in (2, 4, 5, 6)] for r in range(2)]
        assert cells == [["busy", "PASS", "busy", "486"], ["gone", "FAIL", "failed", "404"]]
        assert pane.table.item(0, 0).background().color() == PASS_COLOUR
        assert pane.table.item(1, 0).background().color() == FAIL_COLOUR
        assert pane.retry_button.isEnabled() and pane.status.text().endswith("1 passed, 1 failed")
        # Retry the failed: only row 2 is called again (the second 404 peer takes it).
        pane.list_edit.setPlainText(
            f"target,label,expect\n{busy.uri()},busy,busy\n{gone_again.uri()},gone,answered\n")
        pane.retry_failed()
        qtbot.waitUntil(lambda: pane.run is None, timeout=30_000)
        gone_again.assert_success(timeout=10)
        busy.assert_success(timeout=5)  # called once only: -m 1 would fail a second call
        assert pane.table.item(1, 4).text() == "FAIL"
        out = tmp_path / "results.csv"
        assert pane.export_to(out) == 2
        with out.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [(r["label"], r["outcome"], r["sip_code"]) for r in rows] == [
            ("busy", "busy", "486"), ("gone", "failed", "404")]
    finally:
        for peer in (busy, gone, gone_again):
            peer.stop()


def test_the_flow_picker_runs_the_flow_on_each_answered_call(qtbot, data_dir, tmp_path):
    from softphone.ui.number_test_pane import COLUMNS, NumberTestPane

    service = NumberTesterService(data_dir / "history.sqlite3", data_dir / "recordings")
    pane = NumberTestPane(service)
    qtbot.addWidget(pane)
    pane.show()
    assert pane.flow.isEnabled() and pane.flow_button.isEnabled()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"actions": [{"type": "sleep", "option": {"duration": "x"}}]}))
    pane.set_flow(bad)
    pane.list_edit.setPlainText("sip:a@127.0.0.1:9\n")
    assert pane.start() is False  # refused before any call, in the status line
    assert pane.status.text().startswith("--flow: ") and "option.duration" in pane.status.text()
    good = tmp_path / "digits.json"
    good.write_text(json.dumps({"actions": [
        {"type": "sleep", "option": {"duration": 300}},
        {"type": "digits_send", "option": {"digits": "27", "duration": 100, "interval": 60}},
        {"type": "sleep", "option": {"duration": 400}},
    ]}))
    pane.set_flow(good)
    assert pane.flow.currentText() == "digits.json"
    peer = PjsuaPeer("--listen", "--codec", "PCMU", "--calls", "1").start()
    try:
        pane.list_edit.setPlainText(f"target,expect\n{peer.uri()},answered\n")
        assert pane.start()
        qtbot.waitUntil(lambda: pane.run is None, timeout=30_000)
        assert peer.next_call().dtmf_digits == "27"
    finally:
        peer.stop()
    action = [key for _, key in COLUMNS].index("action")
    assert (pane.table.item(0, 4).text(), pane.table.item(0, action).text()) == ("PASS", "sleep")
