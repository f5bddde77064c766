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
    assert "ended normally" in card.outcome_detail.text()

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
