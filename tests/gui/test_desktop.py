"""Issue 15 offscreen: quitting with live calls, Esc and ringing calls, Tab and focus, the
incoming-call pop-up, card order, plain words and colours, own address, About and the log."""

from __future__ import annotations

import logging
import subprocess
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from softphone.model import Address, AddressType, Call, CallDirection, CallStatus, Timestamp
from softphone.model.enums import HangupBy, HangupReason
from tests.gui.test_window_calls import card_for_only_call
from tests.peers.sipp import run_uac, run_uas

pytestmark = pytest.mark.gui


# -- 1. quitting ------------------------------------------------------------------------------

@pytest.mark.sip
def test_quitting_with_a_live_call_asks_and_no_keeps_the_call(rig, qtbot):
    asked: list[int] = []
    answers = [False, True]
    rig.window.confirm_quit = lambda live: (asked.append(live), answers.pop(0))[1]
    with run_uas("uas_answer_wait", variables={"ring_ms": 100}) as peer:
        rig.window.dial(peer.uri())
        card = card_for_only_call(rig)
        rig.wait(lambda: card.badge.text() == "progressing")
        rig.window.findChild(type(rig.window.hangup_action), "quit").trigger()  # Ctrl+Q
        assert asked == [1]
        assert rig.window.isVisible() and card.call.status is CallStatus.PROGRESSING
        qtbot.keyClick(rig.window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        assert asked == [1, 1]
        assert not rig.window.isVisible()  # "Yes": the window goes (the app then ends calls)


def test_quitting_without_live_calls_asks_nothing(rig):
    rig.window.confirm_quit = lambda live: pytest.fail("asked with no live call")
    rig.window.quit()
    assert not rig.window.isVisible()


# -- 5. keyboard ------------------------------------------------------------------------------

@pytest.mark.sip
def test_esc_never_declines_a_ringing_call_its_own_shortcut_does(rig, qtbot, engine):
    with run_uac("uac_ring_until_final", f"127.0.0.1:{engine.local_port}") as peer:
        card = card_for_only_call(rig)
        assert card.badge.text() == "ringing"
        assert not rig.window.hangup_button.isEnabled()
        qtbot.keyClick(rig.window, Qt.Key.Key_Escape)
        qtbot.wait(400)  # long enough for a 486 to reach SIPp and its answer to come back
        assert card.call.status is CallStatus.RINGING
        assert "Decline" in rig.window.statusBar().currentMessage()
        qtbot.keyClick(rig.window, Qt.Key.Key_D,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        rig.wait(lambda: card.badge.text() == "hangup")
        rig.wait_peer(peer)
        assert 486 in peer.received_status_codes()
    assert card.plain_outcome.text().endswith("You declined the call (or do-not-disturb was on).")


def test_tab_walks_every_dial_pad_key(rig, qtbot):
    window = rig.window
    window.activateWindow()
    window.target_field.setFocus()
    seen = []
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    keys = [k for k, b in window.dial_pad.buttons.items() if b in seen]
    assert keys == list("123456789*0#")
    order = [seen.index(window.dial_pad.buttons[k]) for k in "123456789*0#"]
    assert order == sorted(order)  # reading order


def test_the_call_button_shows_a_focus_ring(rig, qtbot):
    window = rig.window
    window.target_field.setText("sip:alice@192.0.2.1")
    window.hangup_button.setFocus()
    qtbot.waitUntil(lambda: not window.call_button.hasFocus())
    unfocused = window.call_button.grab().toImage()
    window.call_button.setFocus()
    qtbot.waitUntil(window.call_button.hasFocus)
    focused = window.call_button.grab().toImage()
    assert focused != unfocused


# -- 7. cards ---------------------------------------------------------------------------------

def _call(target: str, direction=CallDirection.OUTGOING, status=CallStatus.DIALING) -> Call:
    return Call(id=uuid.uuid4(), direction=direction, status=status, tm_create=Timestamp.now(),
                destination=Address(type=AddressType.SIP, target=target, name=target[4:9]),
                source=Address(type=AddressType.SIP, target=target, name=target[4:9]))


def test_an_ended_card_sinks_below_live_ones(qtbot, tmp_path):
    from softphone.ui.calls_panel import ActiveCallsPanel

    panel = ActiveCallsPanel(tmp_path, None)
    qtbot.addWidget(panel)
    panel.show()
    first, second = _call("sip:first@192.0.2.1"), _call("sip:second@192.0.2.1")
    panel.show_call(first, None)
    panel.show_call(second, None)
    ended = first.model_copy(update={
        "status": CallStatus.HANGUP, "hangup_by": HangupBy.LOCAL,
        "hangup_reason": HangupReason.CANCEL, "tm_hangup": Timestamp.now()})
    panel.show_call(ended, None)
    third = _call("sip:third@192.0.2.1")
    panel.show_call(third, None)  # a new live call goes above the ended one too
    assert [c.call_id for c in panel.ordered_cards()] == [second.id, third.id, first.id]


# -- 8. words and colours ---------------------------------------------------------------------

def test_the_card_says_talking_beside_progressing(qtbot, tmp_path):
    from softphone.ui.call_card import CallCard

    call = _call("sip:alice@192.0.2.1").model_copy(update={
        "status": CallStatus.PROGRESSING, "tm_progressing": Timestamp.now()})
    card = CallCard(call, tmp_path)
    qtbot.addWidget(card)
    assert (card.badge.text(), card.plain.text()) == ("progressing", "talking")


@pytest.mark.parametrize("deficiency", ["deuteranomaly", "protanomaly", "tritanomaly"])
@pytest.mark.parametrize("dark", [False, True])
def test_busy_and_noanswer_differ_for_colour_blind_users(deficiency, dark):
    import colorspacious

    from softphone.ui.theme import REASON_GLYPHS, reason_colour
    space = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}

    def seen(reason):
        colour = reason_colour(reason, dark)
        rgb = [colour.redF(), colour.greenF(), colour.blueF()]
        return colorspacious.cspace_convert(rgb, space, "CAM02-UCS")

    # 20 CAM02-UCS units: plainly different at a glance, not merely distinguishable.
    distance = colorspacious.deltaE(seen(HangupReason.BUSY), seen(HangupReason.NOANSWER),
                                    input_space="CAM02-UCS")
    assert distance > 20
    assert REASON_GLYPHS[HangupReason.BUSY] != REASON_GLYPHS[HangupReason.NOANSWER]


def test_do_not_disturb_reads_with_a_drawn_icon_and_glyphs_the_font_has(rig):
    rig.window.set_do_not_disturb(True)
    label = rig.window.mode_label
    assert label.text() == "Do not disturb"
    metrics = QFontMetrics(label.font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in label.text())
    assert rig.window.mode_icon.isVisible() and not rig.window.mode_icon.pixmap().isNull()
    rig.window.set_do_not_disturb(False)
    assert not rig.window.mode_icon.isVisible()


@pytest.mark.sip
def test_calling_line_is_replaced_by_the_outcome_when_the_call_ends(rig, qtbot):
    with run_uas("uas_486") as peer:
        rig.window.dial(peer.uri())
        assert rig.window.statusBar().currentMessage().startswith("Calling ")
        card = card_for_only_call(rig)
        rig.wait(lambda: card.badge.text() == "hangup")
        rig.wait_peer(peer)
    line = rig.window.statusBar().currentMessage()
    assert not line.startswith("Calling")
    assert "busy" in line


# -- 2. the pop-up and the missed-call notification -----------------------------------------

@pytest.mark.sip
def test_hidden_window_shows_a_popup_that_answers(rig, qtbot, engine):
    rig.window.hide()
    popup = rig.window.popup
    flags = popup.windowFlags()
    assert flags & Qt.WindowType.WindowDoesNotAcceptFocus
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    with run_uac("uac_bye", f"127.0.0.1:{engine.local_port}", variables={"hold_ms": 300}) as peer:
        rig.wait(popup.isVisible, 10)
        assert popup.caller.text() == "SIPp" or "sipp" in popup.toolTip()
        assert popup.answer_button.focusPolicy() == Qt.FocusPolicy.NoFocus
        qtbot.mouseClick(popup.answer_button, Qt.MouseButton.LeftButton)
        card = card_for_only_call(rig)
        rig.wait(lambda: card.call.status is not CallStatus.RINGING)
        assert card.call.was_answered
        assert not popup.isVisible()
        assert rig.window.isVisible()  # answered: the window comes to the front
        rig.wait_peer(peer)


@pytest.mark.sip
def test_a_caller_giving_up_raises_a_missed_call_notification(rig, engine):
    rig.window.hide()
    with run_uac("uac_cancel", f"127.0.0.1:{engine.local_port}") as peer:
        rig.wait(rig.window.popup.isVisible, 10)
        rig.wait_peer(peer)
    rig.wait(lambda: not rig.window.popup.isVisible())
    title, text = rig.window.tray.last_notification
    assert title == "Missed call"
    assert "before the call was answered" in text


# -- 4. reachability --------------------------------------------------------------------------

def test_own_sip_address_is_shown_and_copied(rig, engine, qtbot):
    own = rig.window.own_address
    assert own.field.text() == f"sip:softphone@127.0.0.1:{engine.local_port}"
    assert own.field.isReadOnly()
    qtbot.mouseClick(own.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == own.field.text()
    assert rig.window.statusBar().currentMessage().startswith("Copied sip:")


def test_network_settings_are_saved_for_the_next_start(rig, qtbot, monkeypatch):
    import json

    from softphone.ui.desktop_dialog import DesktopDialog

    def fill(dialog):
        dialog.sip_port.setValue(5077)
        dialog.rtp_port.setValue(12000)
        dialog.rtp_range.setValue(100)
        dialog.interface.setCurrentIndex(dialog.interface.findData("127.0.0.1"))
        return True

    monkeypatch.setattr(DesktopDialog, "exec", fill)
    rig.window.edit_desktop()
    saved = json.loads(rig.settings_path.read_text())["network"]
    assert saved == {"interface": "127.0.0.1", "sip_port": 5077, "rtp_port": 12000,
                     "rtp_port_range": 100}
    assert "next start" in rig.window.statusBar().currentMessage()


# -- 1. start minimized, autostart ----------------------------------------------------------

def test_start_hidden_without_a_tray_minimizes(rig):
    rig.window.start_hidden()
    assert rig.window.isMinimized()


def test_autostart_entry_is_a_valid_desktop_file_that_starts_minimized(tmp_path):
    from softphone.ui.autostart import set_autostart

    entry = set_autostart(True, tmp_path / "my data", tmp_path / "autostart" / "s.desktop")
    text = entry.read_text()
    assert "--minimized" in text and '"' + str(tmp_path / "my data") + '"' in text
    check = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    set_autostart(False, None, entry)
    assert not entry.exists()


def test_minimized_flag_is_for_the_window_only():
    from softphone.cli.args import build_parser

    assert build_parser().parse_args(["--minimized"]).minimized


# -- 10. About and the log file ---------------------------------------------------------------

def test_about_names_versions_data_folder_and_log_file(rig, tmp_path):
    from softphone import __version__
    from softphone.app import open_log_file, pjsip_version
    from softphone.ui.about_dialog import AboutDialog, AboutInfo

    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    try:
        log_file = open_log_file(tmp_path / "logs")
        assert log_file is not None
        logging.getLogger("softphone.test").info("a line for the ticket")
        for handler in root.handlers:
            handler.flush()
        assert "a line for the ticket" in log_file.read_text()
    finally:
        for handler in root.handlers[len(saved[1]):]:
            handler.close()
        root.handlers[:] = saved[1]
        root.setLevel(saved[0])
    info = AboutInfo(pjsip_version=pjsip_version(), data_dir=tmp_path, log_file=log_file)
    assert info.pjsip_version.startswith("2.15.1")
    dialog = AboutDialog(info, rig.window)
    text = dialog.details.text()
    for part in (__version__, "2.15.1", str(tmp_path), str(log_file)):
        assert part in text
    dialog.copy()
    assert str(log_file) in QApplication.clipboard().text()
    assert rig.window.findChild(type(rig.window.hangup_action), "about").shortcut().toString()


@pytest.mark.sip
def test_a_refused_fifth_call_keeps_the_callers_name(rig, engine):
    """Five callers at once: pjsua has four call slots, so at least one is refused (486)
    before the window sees it ringing; every card still names its caller."""
    from contextlib import ExitStack

    target = f"127.0.0.1:{engine.local_port}"
    rig.wait(lambda: not engine.active_calls, 40)  # slots left by earlier tests are free
    with ExitStack() as stack:
        peers = [stack.enter_context(run_uac(
            "uac_ring_until_final", target,
            variables={"from_user": f"caller{n}", "from_name": f"Caller {n}"}))
            for n in range(5)]
        try:
            rig.wait(lambda: len(rig.window.calls.cards) == 5, 15)
            refused = [c for c in rig.window.calls.cards.values() if c.is_over]
            assert refused, "no call was refused at the four-call limit"
            for card in rig.window.calls.cards.values():
                user = card.call.remote.target.split(":")[1].split("@")[0]
                assert card.name.text() == f"Caller {user.removeprefix('caller')}"
            assert all(c.call.hangup_reason.value == "busy" for c in refused)
        finally:
            for ringing in rig.window.calls.ringing_incoming():
                rig.window.controller.decline(ringing.call_id)
            for peer in peers:
                rig.wait(lambda p=peer: p.wait(timeout=0) is not None, 15)
