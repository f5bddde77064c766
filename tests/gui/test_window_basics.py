"""The window without a call: the target field, shortcuts, settings that persist."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from softphone.store import Settings
from tests.gui.conftest import WindowRig

pytestmark = pytest.mark.gui


def test_target_field_marks_a_bad_target_with_the_reason(rig, qtbot):
    field = rig.window.target_field
    qtbot.keyClicks(field, "sip:alice@exa mple.com")
    assert not rig.window.call_button.isEnabled()
    assert "it contains a space" in field.toolTip()
    assert "border" in field.styleSheet()
    field.clear()
    qtbot.keyClicks(field, "sip:alice@example.com")
    assert rig.window.call_button.isEnabled()
    assert field.styleSheet() == "" and "it contains" not in field.toolTip()
    field.setText("+821012345678")  # a number needs a domain: none is set
    assert "needs a domain" in field.toolTip()
    # Enter on a bad target places no call and says why in the status bar.
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert "needs a domain" in rig.window.statusBar().currentMessage()
    assert not rig.window.calls.cards


def test_dial_pad_types_into_the_target_without_a_call(rig, qtbot):
    for key in "1*0#":
        qtbot.mouseClick(rig.window.dial_pad.buttons[key], Qt.MouseButton.LeftButton)
    assert rig.window.target_field.text() == "1*0#"


def test_account_selector_shows_registration_state(rig):
    selector = rig.window.account
    assert selector.count() >= 1
    assert selector.currentText().startswith("Local — direct calls, no registrar")
    assert selector.toolTip().startswith("sip:softphone@127.0.0.1")


def test_every_main_action_has_a_shortcut_and_controls_have_names(rig):
    window = rig.window
    shortcuts = {a.objectName(): a.shortcut().toString() for a in window.actions()
                 if a.objectName()}
    for name in ("call", "hangup", "answer", "decline", "record", "details", "search",
                 "export", "dnd", "quit"):
        assert shortcuts.get(name), name
    assert shortcuts["hangup"] == "Esc"
    for widget in (window.target_field, window.call_button, window.hangup_button,
                   window.account, window.calls, window.history_pane.table,
                   window.history_pane.search):
        assert widget.accessibleName()


def test_geometry_and_call_settings_persist(qtbot, engine, data_dir):
    first = WindowRig(qtbot, engine, data_dir)
    first.window.resize(720, 520)  # within the offscreen 800x600 screen
    first.window.set_auto_answer(True)
    first.window.close()
    first.close()
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["calls"]["auto_answer"] is True and saved["window_geometry"]

    second = WindowRig(qtbot, engine, data_dir, Settings.model_validate(saved))
    try:
        assert (second.window.width(), second.window.height()) == (720, 520)
        assert second.window.auto_answer_action.isChecked()
        assert second.window.mode_label.text().startswith("Auto-answer")
    finally:
        second.close()


def test_a_new_call_card_is_on_screen_at_once(qtbot, tmp_path):
    """The Answer button is there as soon as the call is in the panel: no event loop turn
    (a layout's deferred show) between the call arriving and the user seeing it."""
    from softphone.model import Address, AddressType, Call, CallDirection, CallStatus, Timestamp
    from softphone.ui.calls_panel import ActiveCallsPanel

    panel = ActiveCallsPanel(tmp_path, None)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    call = Call(direction=CallDirection.INCOMING, status=CallStatus.RINGING,
                source=Address(type=AddressType.SIP, target="sip:alice@192.0.2.1"),
                tm_create=Timestamp.now())
    card = panel.show_call(call, None)
    assert card.isVisible()
    assert card.answer_button.isVisible() and card.decline_button.isVisible()
    assert not card.hangup_button.isVisible()
