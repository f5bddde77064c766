"""Issue 15 point 3: accounts without a keyring, the reason an account is not active, the
registration retry countdown, and the default account chosen at start."""

from __future__ import annotations

import json
import socket
import time

import pytest

from softphone.accounts_service import AccountsService
from softphone.model.account import AccountSettings, AccountState, RegistrationState
from softphone.store import Settings, SettingsStore
from softphone.ui.accounts_dialog import AccountsDialog, state_text

pytestmark = pytest.mark.gui


@pytest.fixture
def no_keyring(monkeypatch):
    """A desktop without any Secret Service: keyring's own 'fail' backend."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import keyring.core

    keyring.core.init_backend()
    yield
    monkeypatch.undo()
    keyring.core.init_backend()


def test_state_text_says_why_and_counts_down():
    assert state_text(None, "no system keyring") == "not active: no system keyring"
    failed = AccountState(name="work", uri="sip:a@b", registration=RegistrationState.FAILED,
                          sip_code=503, reason="Service Unavailable", retry_at=1012.4)
    assert state_text(failed, now=1000.0) == (
        "registration failed: 503 Service Unavailable — retrying in 12 s")


@pytest.mark.sip
@pytest.mark.expect_error("no system keyring to read its password from")  # the next start
def test_without_a_keyring_a_password_is_kept_for_this_session_only(
    qtbot, engine, data_dir, no_keyring
):
    settings_file = data_dir / "settings.json"
    service = AccountsService(engine, SettingsStore.open(settings_file))
    dialog = AccountsDialog(service)
    qtbot.addWidget(dialog)
    asked: list[str] = []
    dialog.confirm_session_only = lambda reason: asked.append(reason) or True
    dialog.name.setText("nokeyring")
    dialog.user.setText("alice")
    dialog.domain.setText("127.0.0.1:9")
    dialog.registrar.setText("none")
    dialog.password.setText("s3cret-pass")
    dialog.save()
    try:
        assert asked and "no system keyring" in asked[0]
        assert dialog.error.text() == ""
        assert any(s.name == "nokeyring" for s in engine.account_states())
        on_disk = settings_file.read_text()
        assert "nokeyring" in on_disk and "s3cret-pass" not in on_disk
        assert not any("s3cret" in p.read_text(errors="replace")
                       for p in data_dir.rglob("*") if p.is_file())
        # The next start has no password for it, and says so instead of "not active".
        engine.remove_account("nokeyring")
        again = AccountsService(engine, SettingsStore.open(settings_file))
        again.start_all()
        reason = again.inactive_reason("nokeyring")
        assert "enter the password" in reason and "this session only" in reason
        second = AccountsDialog(again)
        qtbot.addWidget(second)
        assert second.state.text() == f"not active: {reason}"
    finally:
        for state in engine.account_states():
            if state.name == "nokeyring":
                engine.remove_account("nokeyring")


@pytest.mark.sip
def test_a_failing_registration_shows_a_retry_countdown(qtbot, engine, data_dir):
    with socket.socket() as sock:  # a TCP port nobody listens on: refused at once
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    account = AccountSettings(name="retrying", user="alice", domain=f"127.0.0.1:{port}",
                              transport="tcp")
    from PySide6.QtCore import QTimer

    states: list[AccountState] = []
    engine.add_account_listener(states.append)
    first_retry_s, engine.accounts.first_retry_s = engine.accounts.first_retry_s, 30.0
    poll = QTimer()
    poll.timeout.connect(lambda: engine.poll(0))
    poll.start(10)
    try:
        engine.add_account(account, None)
        qtbot.waitUntil(lambda: any(s.name == "retrying" and s.retry_at for s in states),
                        timeout=15000)
        failed = next(s for s in states if s.name == "retrying" and s.retry_at)
        assert failed.registration is RegistrationState.FAILED
        assert "retrying in" in state_text(failed)
        assert 25 <= failed.retry_at - time.time() <= 30
    finally:
        poll.stop()
        engine.accounts.first_retry_s = first_retry_s
        engine.remove_account_listener(states.append)
        engine.remove_account("retrying")


@pytest.mark.sip
def test_the_default_account_is_chosen_as_it_comes_up(qtbot, engine, data_dir, monkeypatch,
                                                     keyring_env):
    import keyring.core


    for name, value in keyring_env.items():
        monkeypatch.setenv(name, value)
    keyring.core.init_backend()
    from tests.gui.conftest import WindowRig

    saved = {"default_account": "desk",
             "accounts": [{"name": "desk", "user": "bob", "domain": "127.0.0.1:9",
                           "registrar": "none"}]}
    (data_dir / "settings.json").write_text(json.dumps(saved))
    rig = WindowRig(qtbot, engine, data_dir, Settings.model_validate(saved))
    try:
        assert rig.window.account.current_account() != "desk"  # not up yet
        AccountsService(engine, rig.window.settings_store).start_all()  # as app.py, after the window
        qtbot.waitUntil(lambda: rig.window.account.current_account() == "desk", timeout=5000)
        assert rig.window.own_address.field.text().startswith("sip:bob@127.0.0.1:9")
    finally:
        rig.close()
        engine.remove_account("desk")
