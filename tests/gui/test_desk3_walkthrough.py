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
