"""Issue 15 (leftover): a session-only password (no system keyring) when the window starts
minimized. It was never asked, and the account silently stayed unregistered: now the
account list, the tray icon and its tooltip say "password needed", a notification offers
to type it, and the prompt comes up when the window is shown."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from softphone.accounts_service import AccountsService
from softphone.model.account import AccountSettings, RegistrationState
from softphone.store import SettingsStore
from softphone.ui.tray import PASSWORD_BADGE, tray_pixmap
from tests.gui.test_desktop_accounts import no_keyring  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.gui, pytest.mark.sip,
              pytest.mark.expect_error("no system keyring to read its password from")]

NAME = "nokeyring"
PASSWORD = "s3cret-pass"


@pytest.fixture
def next_start(engine, data_dir, no_keyring):  # noqa: F811
    """The accounts of a start after the one that kept the password for its session only."""
    settings_file = data_dir / "accounts-settings.json"
    first = AccountsService(engine, SettingsStore.open(settings_file))
    account = AccountSettings(name=NAME, user="alice", domain="127.0.0.1:9", registrar="none")
    first.save_account(account, PASSWORD, True, session_only=True)
    engine.remove_account(NAME)
    again = AccountsService(engine, SettingsStore.open(settings_file))
    again.start_all()
    assert again.needing_password() == [NAME]
    yield again
    if any(s.name == NAME for s in engine.account_states()):
        engine.remove_account(NAME)


def in_engine(engine) -> bool:
    return any(s.name == NAME for s in engine.account_states())


def start_minimized(rig, monkeypatch, next_start, tray: bool) -> list[str]:
    """As app.py starts with --minimized: hidden, the accounts wired, then the start-up ask.
    Returns the names the window asked a password for (the prompt answers PASSWORD)."""
    window = rig.window
    monkeypatch.setattr(window, "_tray_usable", lambda: tray)
    window.start_hidden()
    rig.wait(lambda: window.isMinimized() if not tray else not window.isVisible(), 5)
    window.set_accounts_backend(next_start)
    asked: list[str] = []
    window.ask_password = lambda name: asked.append(name) or PASSWORD
    window.ask_session_passwords()
    return asked


@pytest.mark.parametrize("tray", [True, False], ids=["in the tray", "minimized, no tray"])
def test_started_minimized_it_says_password_needed_and_asks_once_shown(
        rig, engine, qtbot, monkeypatch, next_start, tray):
    window = rig.window
    asked = start_minimized(rig, monkeypatch, next_start, tray)
    qtbot.wait(100)
    assert asked == []  # nobody is in front of the window: not asked behind their back
    assert not in_engine(engine)
    # Said where the user looks: the tray's tooltip and icon, a notification, the account.
    assert "password needed for 'nokeyring'" in window.tray.toolTip()
    assert window.tray.password_action.isVisible()
    title, text = window.tray.last_notification
    assert title == "Password needed"
    assert "'nokeyring' is not registered" in text and "Open softphone to type it" in text
    index = window.account.findData(NAME)
    assert index >= 0
    assert window.account.itemText(index) == "nokeyring — password needed: not registered"
    assert window.account.state(NAME).registration is RegistrationState.PASSWORD_NEEDED
    # The user opens the window (the tray icon, or the taskbar entry): asked at once.
    if tray:
        window.tray.show_requested.emit()
    else:
        window.showNormal()
    rig.wait(lambda: asked == [NAME], 5)
    assert in_engine(engine) and next_start.needing_password() == []
    rig.wait(lambda: window.account.state(NAME).registration
             is not RegistrationState.PASSWORD_NEEDED, 5)
    assert "password needed" not in window.tray.toolTip()
    assert not window.tray.password_action.isVisible()
    window.hide()
    window.showNormal()  # shown again: nothing left to ask
    qtbot.wait(100)
    assert asked == [NAME]


def test_a_cancelled_prompt_leaves_it_shown_and_askable(rig, engine, qtbot, monkeypatch,
                                                        next_start):
    window = rig.window
    start_minimized(rig, monkeypatch, next_start, tray=True)
    asked: list[str] = []
    window.ask_password = lambda name: asked.append(name) or None  # Cancel
    window.tray.show_requested.emit()
    rig.wait(lambda: asked == [NAME], 5)
    assert not in_engine(engine)
    assert "password needed for 'nokeyring'" in window.tray.toolTip()
    assert "stays unregistered until you type its password" in window.statusBar().currentMessage()
    # Askable again: the tray's "Enter account password…", and choosing the account.
    window.tray.password_action.trigger()
    rig.wait(lambda: asked == [NAME, NAME], 5)
    window.ask_password = lambda name: asked.append(name) or PASSWORD
    window.account.activated.emit(window.account.findData(NAME))
    rig.wait(lambda: in_engine(engine), 5)
    assert asked == [NAME, NAME, NAME]
    assert "password needed" not in window.tray.toolTip()


def test_calling_through_an_account_waiting_for_its_password_asks_first(
        rig, engine, qtbot, monkeypatch, next_start):
    """Not a call through an account the engine does not have (nor, silently, without it)."""
    window = rig.window
    start_minimized(rig, monkeypatch, next_start, tray=True)
    window.tray.show_requested.emit()
    asked: list[str] = []
    window.ask_password = lambda name: asked.append(name) or None
    qtbot.waitUntil(lambda: window.account.state(NAME) is not None)
    window.account.setCurrentIndex(window.account.findData(NAME))  # the default account
    window.target_field.setText("1002")
    window.place_call()
    assert asked[-1] == NAME
    assert window.calls.live_cards() == [] and engine.active_calls == []


def test_the_tray_icon_has_a_badge_while_a_password_is_needed():
    plain = tray_pixmap(0).toImage()
    badged = tray_pixmap(0, password_needed=True).toImage()
    size = badged.width()
    spot = (size // 8 + 2, size * 3 // 4 - 1)  # the bottom left badge, beside its "!"
    assert QColor(badged.pixel(*spot)) == QColor(PASSWORD_BADGE)
    assert QColor(plain.pixel(*spot)) != QColor(PASSWORD_BADGE)
