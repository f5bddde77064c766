"""The accounts dialog against the real engine and Kamailio: edit, save, watch it register."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from softphone.accounts_service import AccountsService
from softphone.engine import Engine
from softphone.store import SettingsStore
from softphone.ui.accounts_dialog import AccountsDialog
from tests.peers.kamailio import USERS

pytestmark = [pytest.mark.gui, pytest.mark.sip]


@pytest.fixture
def service(engine: Engine, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_file_backend.FileKeyring")
    monkeypatch.setenv("SOFTPHONE_TEST_KEYRING", str(tmp_path / "keyring.json"))
    import keyring.core

    keyring.core.init_backend()  # pick up the test backend in this process
    svc = AccountsService(engine, SettingsStore.open(tmp_path / "settings.json"))
    yield svc
    for account in svc.accounts():
        svc.remove_account(account.name)


def test_bad_values_are_shown_and_nothing_is_saved(qtbot, service):
    dialog = AccountsDialog(service)
    qtbot.addWidget(dialog)
    dialog.name.setText("work")
    dialog.user.setText("alice")
    dialog.domain.setText("bad host")
    dialog.save()
    assert dialog.error.text().startswith("Not saved: domain:")
    assert service.accounts() == []


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("auth_user", "u\r\nX-Injected: 1", "Not saved: auth_user: contains the character U+000D"),
        ("domain", "example.com:99999", "Not saved: domain: expected host[:port]"),
        ("registrar", "javascript:x", "Not saved: registrar: expected a sip:/sips: URI"),
        ("name", "   ", "Not saved: name: "),  # the dialog trims it to nothing
    ],
)
def test_hostile_values_are_named_in_the_dialog_and_not_saved(qtbot, service, tmp_path,
                                                               field, value, shown):
    dialog = AccountsDialog(service)
    qtbot.addWidget(dialog)
    dialog.name.setText("work")
    dialog.user.setText("alice")
    dialog.domain.setText("example.com")
    getattr(dialog, field).setText(value)
    dialog.save()
    assert dialog.error.text().startswith(shown)
    assert service.accounts() == []
    assert not (tmp_path / "settings.json").exists()


def test_saved_account_registers_and_the_dialog_shows_it(qtbot, service, engine, kamailio,
                                                          tmp_path, request):
    dialog = AccountsDialog(service)
    qtbot.addWidget(dialog)
    engine.add_account_listener(dialog.update_state)
    request.addfinalizer(lambda: engine.remove_account_listener(dialog.update_state))
    dialog.name.setText("work")
    dialog.user.setText("alice")
    dialog.domain.setText(kamailio.domain)
    dialog.password.setText(USERS["alice"])
    dialog.save()
    assert dialog.error.text() == ""
    saved = service.accounts()
    assert [(a.name, a.user, a.domain) for a in saved] == [("work", "alice", kamailio.domain)]
    assert "alice-secret" not in (tmp_path / "settings.json").read_text()

    def registered() -> bool:
        engine.poll(10)
        return dialog.state.text().startswith("registered")

    qtbot.waitUntil(registered, timeout=10000)
    item = dialog.list.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == "work"
    assert "registered" in item.text() and "(default)" in item.text()
    # Editing without retyping the password keeps the stored one: it registers again.
    dialog.expiry.setValue(120)
    dialog.save()
    qtbot.waitUntil(lambda: (engine.poll(10), "expires in 120 s" in dialog.state.text())[1],
                    timeout=10000)
