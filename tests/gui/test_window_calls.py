"""Real calls through the window: SIPp on 127.0.0.1 at the far end, clicks and keys here."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from softphone.model import Call, CallStatus
from softphone.store import CallSettings, Settings
from softphone.ui.history_model import (
    COL_DIRECTION,
    COL_HANGUP_BY,
    COL_REASON,
    COL_RECORDINGS,
    COL_STATUS,
)
from tests.gui.conftest import WindowRig
from tests.peers.sipp import run_uac, run_uas

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def card_for_only_call(rig):
    """The only call's card once it is on screen: what the user sees, not just the model."""
    def shown() -> bool:
        cards = list(rig.window.calls.cards.values())
        return len(cards) == 1 and cards[0].isVisible()

    rig.wait(shown, 10)
    return next(iter(rig.window.calls.cards.values()))


def dial_with_keyboard(rig, qtbot, uri: str) -> None:
    field = rig.window.target_field
    field.setFocus()
    qtbot.keyClicks(field, uri)
    assert rig.window.call_button.isEnabled()
    qtbot.keyClick(field, Qt.Key.Key_Return)


@pytest.mark.parametrize(
    ("scenario", "act", "expected", "by", "reason"),
    [
        ("uas_486", None, ["dialing", "hangup"], "remote", "busy"),
        ("uas_480", None, ["dialing", "ringing", "hangup"], "remote", "noanswer"),
        ("uas_answer_bye", None, ["dialing", "ringing", "progressing", "hangup"], "remote", "normal"),
        ("uas_answer_wait", "progressing",
         ["dialing", "ringing", "progressing", "terminating", "hangup"], "local", "normal"),
        ("uas_ring_until_cancel", "ringing", ["dialing", "ringing", "canceling", "hangup"],
         "local", "cancel"),
    ],
)
def test_badge_passes_through_each_status_and_history_says_who_and_why(
    rig, qtbot, scenario, act, expected, by, reason
):
    shown: list[str] = []
    rig.window.calls.card_added.connect(lambda card: (shown.append(card.badge.text()),
                                                      card.badge_changed.connect(shown.append)))
    # Answering scenarios ring a while, so the ringing badge is on screen long enough to act.
    variables = {"ring_ms": 600} if scenario.startswith("uas_answer") else None
    with run_uas(scenario, variables=variables) as peer:
        dial_with_keyboard(rig, qtbot, peer.uri())
        card = card_for_only_call(rig)
        if act is not None:
            rig.wait(lambda: card.badge.text() == act)
            # The user hangs up with the card's own button.
            qtbot.mouseClick(card.hangup_button, Qt.MouseButton.LeftButton)
        rig.wait(lambda: card.badge.text() == "hangup")
        rig.wait_peer(peer)
    assert shown == expected
    assert card.outcome.isVisibleTo(rig.window)
    assert card.outcome.text() == f"hangup by {by}: {reason}"
    assert card.outcome.toolTip()  # the seed's description of the reason
    [row] = rig.wait_history(1)
    assert row[COL_DIRECTION].endswith("Outgoing")
    assert (row[COL_STATUS], row[COL_HANGUP_BY], row[COL_REASON]) == ("hangup", by, reason)
    model = rig.window.history_pane.model
    tip = model.data(model.index(0, COL_REASON), Qt.ItemDataRole.ToolTipRole)
    # Plain words first (issue 12: what happened, never a contradicting generic text),
    # VoIPBIN's own description of the reason still beside them.
    assert tip.startswith({"busy": "The call did not connect: the callee is busy",
                           "noanswer": "The call did not connect: the callee is not reachable",
                           "normal": "The call was answered and ended normally",
                           "cancel": "You hung up before the call was answered"}[reason]), tip
    assert "\nVoIPBIN: " + {"busy": "The destination is on the line",
                            "noanswer": "Destination didn't answer",
                            "normal": "The call has ended after answer",
                            "cancel": "Call was cancelled"}[reason] in tip


def test_incoming_call_answered_with_the_button(rig, qtbot, engine):
    with run_uac("uac_bye", f"127.0.0.1:{engine.local_port}", variables={"hold_ms": 800}) as peer:
        card = card_for_only_call(rig)
        assert card.badge.text() == "ringing"
        assert card.answer_button.isVisibleTo(rig.window)
        assert card.decline_button.isVisibleTo(rig.window)
        assert card.direction.text().endswith("Incoming")
        assert rig.window.tray.last_notification is not None
        assert "sipp" in rig.window.tray.last_notification[1]
        qtbot.mouseClick(card.answer_button, Qt.MouseButton.LeftButton)
        rig.wait(lambda: card.badge.text() == "progressing")
        assert card.elapsed.text().startswith("talk")
        rig.wait(lambda: card.badge.text() == "hangup")
        rig.wait_peer(peer)
    assert card.outcome.text() == "hangup by remote: normal"
    [row] = rig.wait_history(1)
    assert row[COL_DIRECTION].endswith("Incoming")
    assert (row[COL_HANGUP_BY], row[COL_REASON]) == ("remote", "normal")
    assert rig.window.missed == 0


def test_auto_answer_answers_a_real_call_without_a_click(qtbot, engine, data_dir):
    engine.ring_timeout_s = None
    delay_s = 0.4
    settings = Settings(calls=CallSettings(auto_answer=True, auto_answer_after_s=delay_s))
    rig = WindowRig(qtbot, engine, data_dir, settings)
    try:
        assert rig.window.mode_label.text() == "Auto-answer after 0.4 s"
        with run_uac("uac_wait_remote_bye", f"127.0.0.1:{engine.local_port}") as peer:
            card = card_for_only_call(rig)
            assert card.badge.text() == "ringing"
            rig.wait(lambda: card.badge.text() == "progressing", 10)  # nobody clicked
            assert not card.answer_button.isVisible()
            rang = card.call.tm_progressing.seconds_since(card.call.tm_create)
            assert rang >= delay_s - 0.05  # the delay was honoured
            # We hang up afterwards; SIPp's scenario only ends on our BYE.
            qtbot.mouseClick(rig.window.hangup_button, Qt.MouseButton.LeftButton)
            rig.wait(lambda: card.badge.text() == "hangup")
            rig.wait_peer(peer)
            assert 200 in peer.received_status_codes()
        assert card.outcome.text() == "hangup by local: normal"
        [row] = rig.wait_history(1)
        assert row[COL_DIRECTION].endswith("Incoming")
        assert (row[COL_HANGUP_BY], row[COL_REASON]) == ("local", "normal")
        assert rig.window.missed == 0
    finally:
        rig.close()


def test_incoming_call_declined_with_the_button(rig, qtbot, engine):
    with run_uac("uac_expect_reject", f"127.0.0.1:{engine.local_port}") as peer:
        card = card_for_only_call(rig)
        qtbot.mouseClick(card.decline_button, Qt.MouseButton.LeftButton)
        rig.wait(lambda: card.badge.text() == "hangup")
        rig.wait_peer(peer)
        assert 486 in peer.received_status_codes()
    assert card.outcome.text() == "hangup by local: busy"
    [row] = rig.wait_history(1)
    assert (row[COL_HANGUP_BY], row[COL_REASON]) == ("local", "busy")


def test_do_not_disturb_declines_as_busy(rig, engine):
    rig.window.dnd_action.trigger()
    assert rig.window.mode_label.text().endswith("Do not disturb")
    with run_uac("uac_expect_reject", f"127.0.0.1:{engine.local_port}") as peer:
        rig.wait_peer(peer)
        assert 486 in peer.received_status_codes()
    [row] = rig.wait_history(1)
    assert (row[COL_HANGUP_BY], row[COL_REASON]) == ("local", "busy")
    saved = json.loads(rig.settings_path.read_text())
    assert saved["calls"]["do_not_disturb"] is True


def test_caller_giving_up_counts_as_missed_in_the_tray(rig, engine):
    with run_uac("uac_cancel", f"127.0.0.1:{engine.local_port}") as peer:
        rig.wait_peer(peer)
    [row] = rig.wait_history(1)
    assert (row[COL_HANGUP_BY], row[COL_REASON]) == ("remote", "cancel")
    assert rig.window.missed == 1
    assert "1 missed call" in rig.window.tray.toolTip()
    assert "1 missed" in rig.window.windowTitle()


def test_recording_toggle_dtmf_and_details(rig, qtbot):
    with run_uas("uas_answer_wait") as peer:
        rig.window.dial(peer.uri())
        card = card_for_only_call(rig)
        rig.wait(lambda: card.badge.text() == "progressing")
        qtbot.mouseClick(card.record_button, Qt.MouseButton.LeftButton)
        rig.wait(lambda: card.rec_indicator.isVisibleTo(rig.window))
        assert card.rec_indicator.text().startswith("● REC")
        rig.wait(lambda: ".wav" in card.recordings.text())
        for key in "12#":
            qtbot.mouseClick(rig.window.dial_pad.buttons[key], Qt.MouseButton.LeftButton)
        assert card.dtmf.text() == "DTMF 12#"
        assert rig.window.target_field.text() == peer.uri()  # keys went to the call
        qtbot.keyClick(rig.window, Qt.Key.Key_Escape)  # Esc hangs up the current call
        rig.wait(lambda: card.badge.text() == "hangup")
        rig.wait_peer(peer)
    assert not card.rec_indicator.isVisibleTo(rig.window)
    rows = rig.wait_history(1)
    assert rows[0][COL_RECORDINGS] == "▶ 1"
    # Details: the full Call JSON and its timeline.
    rig.window._show_details(card.call, card.diagnostics)
    dialog = rig.window._dialogs[-1]
    call = Call.model_validate_json(dialog.json_view.toPlainText())
    assert call.id == card.call.id and call.status is CallStatus.HANGUP
    assert len(call.recording_ids) == 1
    moments = [dialog.timeline.topLevelItem(i).text(1)
               for i in range(dialog.timeline.topLevelItemCount())]
    assert moments[0] == "tm_create" and "tm_progressing" in moments and "tm_hangup" in moments
    # Double-clicking the recordings cell plays the WAV.
    pane = rig.window.history_pane
    pane.play(pane.entry_at(0))
    assert rig.opened and rig.opened[-1].endswith(f"_{call.recording_ids[0]}.wav")


def test_ring_timeout_from_the_settings_rings_out_and_counts_missed(rig, engine):
    """The window's ring timeout reaches the engine-side policy itself (no glue in app.py):
    the caller hears 480, history says we stopped it ringing, the tray counts it missed."""
    calls = rig.window.settings.calls.model_copy(update={"ring_timeout_s": 1.0})
    rig.window._update_calls(calls)  # as the Call settings dialog's OK does
    with run_uac("uac_ring_until_final", f"127.0.0.1:{engine.local_port}") as peer:
        card = card_for_only_call(rig)
        assert card.ring_timeout.isVisibleTo(rig.window)  # the countdown the user sees
        rig.wait(lambda: card.badge.text() == "hangup", 10)
        rig.wait_peer(peer)
        assert 480 in peer.received_status_codes()
    assert card.outcome.text() == "hangup by local: noanswer"
    [row] = rig.wait_history(1)
    assert (row[COL_HANGUP_BY], row[COL_REASON]) == ("local", "noanswer")
    rig.wait(lambda: rig.window.missed == 1)
    assert "1 missed" in rig.window.windowTitle()
    saved = json.loads(rig.settings_path.read_text())
    assert saved["calls"]["ring_timeout_s"] == 1.0


def test_a_window_deleted_without_detach_answers_no_more_calls(qtbot, engine, data_dir):
    """Its auto-answer lives in the engine-side policy now: the window going takes it along."""
    import time

    import shiboken6

    from softphone.store import History
    from softphone.ui.main_window import MainWindow

    reader = History.open(data_dir / "history.sqlite3")
    window = MainWindow(engine, reader, engine.recordings_dir,
                        Settings(calls=CallSettings(auto_answer=True)), None)
    window.history_pane.shutdown()
    shiboken6.delete(window)  # as Qt deletes a window nobody detached
    ended: list[Call] = []

    def listener(update) -> None:
        if update.call.is_over:
            ended.append(update.call)

    engine.add_listener(listener)
    try:
        with run_uac("uac_cancel", f"127.0.0.1:{engine.local_port}",
                     variables={"cancel_after_ms": 500}) as peer:
            deadline = time.monotonic() + 20
            while peer.wait(timeout=0) is None and time.monotonic() < deadline:
                engine.poll(20)
            peer.assert_success(timeout=1)  # SIPp's CANCEL scenario fails on our 200
    finally:
        engine.remove_listener(listener)
        reader.close()
    assert [c.tm_progressing for c in ended] == [None]
