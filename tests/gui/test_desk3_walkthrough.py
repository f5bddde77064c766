"""Fixes from walking through issue 15 in the real window (desk3): each test fails without
its fix."""

from __future__ import annotations

import pytest

from softphone.model.account import AccountState, RegistrationState

pytestmark = pytest.mark.gui


def test_network_tab_names_our_socket_not_the_chosen_accounts_registrar(rig, engine,
                                                                         monkeypatch):
    """With a registered account chosen, "Listening now on" named the account's address
    (sip:1001@pbx...: the registrar), not where this process takes SIP."""
    from softphone.ui.desktop_dialog import DesktopDialog

    selector = rig.window.account
    selector.update_account(AccountState(name="work", uri="sip:1001@pbx.example.com:5099",
                                         registration=RegistrationState.REGISTERED))
    selector.setCurrentIndex(selector.findData("work"))
    assert rig.window.own_address.field.text() == "sip:1001@pbx.example.com:5099"
    shown: list[str] = []

    def look(dialog):
        shown.append(dialog.listening.text())
        return False

    monkeypatch.setattr(DesktopDialog, "exec", look)
    rig.window.edit_desktop()
    assert shown == [f"Listening now on 127.0.0.1:{engine.local_port} (UDP)."]


def test_missed_calls_title_names_the_app_once(rig, qapp):
    """The title read "softphone — 1 missed — softphone": Qt appends the application's
    display name to any title that does not already end with it (QPlatformWindow's
    formatWindowTitle), as app.py sets it."""
    old = qapp.applicationDisplayName()
    qapp.setApplicationDisplayName("softphone")
    try:
        rig.window._relay.missed_changed.emit(1)
        title = rig.window.windowTitle()
        shown = title if title.endswith("softphone") else f"{title} — softphone"
        assert shown == "1 missed — softphone"
        rig.window._relay.missed_changed.emit(0)
        assert rig.window.windowTitle() == "softphone"
    finally:
        qapp.setApplicationDisplayName(old)


@pytest.mark.sip
def test_a_call_ringing_in_shows_no_tray_balloon_over_the_window(rig, engine, monkeypatch):
    """The card (window in front) or the pop-up (window behind) shows the ringing call with
    Answer and Decline; the tray's balloon on top of it covered the card's badge for 10 s,
    buttonless, and stayed after the call was declined."""
    from tests.gui.test_window_calls import card_for_only_call
    from tests.peers.sipp import run_uac

    balloons: list[str] = []  # what the tray would draw (offscreen has no tray to draw on)
    notify = rig.window.tray.notify

    def spy(title, text, *, shown_elsewhere=False):
        if not shown_elsewhere:
            balloons.append(title)
        notify(title, text, shown_elsewhere=shown_elsewhere)

    monkeypatch.setattr(rig.window.tray, "notify", spy)
    with run_uac("uac_expect_reject", f"127.0.0.1:{engine.local_port}") as peer:
        card = card_for_only_call(rig)
        assert card.badge.text() == "ringing"
        assert rig.window.tray.last_notification[0] == "Incoming call"  # still remembered
        rig.window.decline_ringing()
        rig.wait_peer(peer)
    assert "Incoming call" not in balloons
