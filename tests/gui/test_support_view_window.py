"""The support engineer's view in the window, on a real call to a pjsua2 peer: the card's
SIP code, plain words and quality; the details' SIP ladder and quality graph; the SIP log."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from softphone.ui.call_details import CallDetailsDialog
from tests.gui.test_window_pjsua_peer import pjsua, visible_card  # noqa: F401 (fixture)

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def test_card_details_and_sip_log_tell_what_happened(rig, qtbot, pjsua, tmp_path):  # noqa: F811
    peer = pjsua("--listen", "--tone", "440", "--codec", "PCMU", "--hangup-after", "3")
    rig.window.show_sip_log()
    log = rig.window.sip_log
    assert log is not None
    rig.window.dial(peer.uri)
    card = visible_card(rig)
    # A second of talk gives the card a live MOS, coloured as good.
    rig.wait(lambda: card.quality.isVisible(), 10)
    assert card.quality.text().startswith("● MOS 4.")
    assert "PCMU" in card.quality.toolTip()
    rig.wait(lambda: card.badge.text() == "hangup", 15)
    peer.finish(rig)
    assert card.outcome.text() == "hangup by remote: normal"
    assert card.outcome_detail.isVisible()
    assert card.outcome_detail.text().startswith("SIP 200")
    assert card.plain_outcome.isVisible() and "ended normally" in card.plain_outcome.text()

    # The details read the ladder from the history (written as the engine was polled).
    rig.wait(lambda: len(rig.window.history_pane.history.sip_messages(
        card.diagnostics.call_id_header)) >= 5, 5)
    qtbot.mouseClick(card.details_button, Qt.MouseButton.LeftButton)
    rig.wait(lambda: bool(rig.window._dialogs))
    dialog = rig.window._dialogs[-1]
    assert isinstance(dialog, CallDetailsDialog)
    labels = [dialog.ladder.tree.topLevelItem(i).text(2)
              for i in range(dialog.ladder.tree.topLevelItemCount())]
    assert labels[0] == "── INVITE ──▶"
    assert any("200 (INVITE)" in label and label.startswith("◀") for label in labels)
    assert any("BYE" in label for label in labels)
    dialog.ladder.tree.setCurrentItem(dialog.ladder.tree.topLevelItem(0))
    assert dialog.ladder.message_view.toPlainText().startswith("INVITE sip:peer@127.0.0.1")
    assert "INVITE" in dialog.ladder.text()
    assert dialog.quality_graph is not None and dialog.quality_graph.summary.samples >= 2
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())][1:] == [
        f"&SIP messages ({len(labels)})", "&Quality"]
    dialog.close()

    # The SIP log saw it all live; a filter narrows it to this call; export writes it.
    rig.wait(lambda: log.tree.topLevelItemCount() >= len(labels), 5)
    log.filter.setText(card.diagnostics.call_id_header)
    assert log.tree.topLevelItemCount() == len(labels)
    out = tmp_path / "sip.txt"
    assert log.export(out) == len(labels)
    assert out.read_text().startswith("--- ") and "INVITE sip:peer@127.0.0.1" in out.read_text()


def test_window_event_command_runs_for_a_real_call(rig, tmp_path):
    import json
    import sys

    from softphone.app import EventHooks
    from softphone.model import parse_target
    from tests.peers.sipp import run_uas

    log = tmp_path / "events.txt"
    script = tmp_path / "hook.py"
    script.write_text(f"#!{sys.executable}\nimport os\n"
                      f"open({str(log)!r}, 'a').write(os.environ['SOFTPHONE_EVENT'] + ' ' + "
                      "os.environ['SOFTPHONE_SIP_CODE'] + '\\n')\n")
    script.chmod(0o755)
    hooks = EventHooks(str(script))
    rig.engine.add_listener(hooks)
    try:
        with run_uas("uas_486") as peer:
            rig.engine.make_call(parse_target(peer.uri()))
            rig.wait(lambda: log.exists() and "ended 486" in log.read_text(), 15)
    finally:
        rig.engine.remove_listener(hooks)
        hooks.close()
    assert hooks.take_failures() == []
    assert json.dumps(log.read_text().split("\n")[-2]) == '"ended 486"'


def test_settings_dialog_refuses_an_unreadable_event_command(qtbot):
    from softphone.store import CallSettings
    from softphone.ui.settings_dialog import CallSettingsDialog

    dialog = CallSettingsDialog(CallSettings())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.on_event.setText("notify 'unclosed")
    dialog._accept_if_valid()
    assert dialog.problem.isVisible() and "cannot be read" in dialog.problem.text()
    assert dialog.result() == 0  # not accepted
    dialog.on_event.setText("notify-send call")
    dialog._accept_if_valid()
    assert dialog.result_settings(CallSettings()).on_event == "notify-send call"


def test_export_with_sip_details_keeps_the_call_exact(rig, tmp_path):
    import json

    from softphone.model import Call, parse_target
    from tests.peers.sipp import run_uas

    with run_uas("uas_404") as peer:
        rig.engine.make_call(parse_target(peer.uri()))
        rig.wait_history(1)
    out = tmp_path / "details.json"
    done = []
    rig.window.history_pane.exported.connect(lambda path, n: done.append(n))
    rig.window.history_pane.export_to(out, selected_only=False, details=True)
    rig.wait(lambda: done == [1], 10)
    [row] = json.loads(out.read_text())
    assert set(row) == {"call", "sip", "outcome"}
    assert set(row["call"]) == set(Call.model_fields)  # VoIPBIN's, nothing added inside
    assert row["sip"]["code"] == 404 and row["sip"]["call_id"]
    assert "does not exist at the server" in row["outcome"]


def test_history_sip_column_filters_and_sorts(rig, qtbot):
    from uuid import uuid4

    from softphone.model.diagnostics import CallDiagnostics
    from softphone.ui.history_model import COL_SIP, COL_TIME
    from tests.test_history_store import seed_call

    for code in (486, None, 404, 200, 404):
        rig.history.save(seed_call().model_copy(update={"id": uuid4()}),
                         CallDiagnostics(sip_code=code, sip_reason="Not Found" if code == 404
                                         else None))
    pane = rig.window.history_pane
    pane.model.refresh(reset=True)
    rows = rig.wait_history(5)
    assert sorted(r[COL_SIP] for r in rows) == ["", "200", "404", "404", "486"]
    model = pane.model
    tip = next(model.data(model.index(i, COL_SIP), Qt.ItemDataRole.ToolTipRole)
               for i in range(5) if rows[i][COL_SIP] == "404")
    assert tip.startswith("404 Not Found") and "does not exist at the server" in tip

    header = pane.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().center().__class__(
                         header.sectionViewportPosition(COL_SIP) + 5, 5))
    rig.wait(lambda: [r[COL_SIP] for r in rig.history_rows()] == ["200", "404", "404", "486", ""])
    assert header.sortIndicatorSection() == COL_SIP
    pane.sort_by_sip_code(False)
    assert header.sortIndicatorSection() == COL_TIME

    pane.sip_code.setText("404")
    rig.wait(lambda: len(rig.history_rows()) == 2
             and all(r[COL_SIP] == "404" for r in rig.history_rows()))
    pane.sip_code.setText("")
    rig.wait(lambda: len(rig.history_rows()) == 5)
