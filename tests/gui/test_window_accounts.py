"""Settings → Accounts in the real window: add an account, see it register, call through it."""

from __future__ import annotations

import pytest

from softphone.accounts_service import AccountsService
from softphone.ui.accounts_dialog import AccountsDialog
from tests.peers.kamailio import USERS

pytestmark = [pytest.mark.gui, pytest.mark.sip]


@pytest.fixture
def service(rig, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyring_file_backend.FileKeyring")
    monkeypatch.setenv("SOFTPHONE_TEST_KEYRING", str(tmp_path / "keyring.json"))
    import keyring.core

    keyring.core.init_backend()
    svc = AccountsService(rig.engine, rig.window.settings_store)
    rig.window.set_accounts_backend(svc)
    yield svc
    for account in svc.accounts():
        svc.remove_account(account.name)


def test_account_added_in_the_dialog_registers_and_carries_calls(rig, service, kamailio, qtbot):
    rig.window.edit_accounts()
    dialog = rig.window.accounts_dialog
    assert isinstance(dialog, AccountsDialog) and dialog.isVisible()
    dialog.name.setText("work")
    dialog.user.setText("alice")
    dialog.domain.setText(kamailio.domain)
    dialog.password.setText(USERS["alice"])
    dialog.save()
    qtbot.waitUntil(lambda: dialog.state.text().startswith("registered"), timeout=10000)
    assert dialog.state.text() == "registered (expires in 300 s)"
    dialog.accept()
    qtbot.waitUntil(lambda: rig.window.accounts_dialog is None, timeout=2000)
    selector = rig.window.account
    assert selector.current_account() == "work" or selector.findData("work") >= 0
    selector.setCurrentIndex(selector.findData("work"))
    assert "registered" in selector.currentText()
    # A user name dials through the account's domain, from alice; nobody registered as
    # "nobody", so Kamailio answers 404 at once.
    rig.window.dial("nobody")
    rows = rig.wait_history(1)
    call = rig.reader.list(limit=1)[0].call
    assert call.source.target == f"sip:alice@{kamailio.domain}"
    assert call.destination.target == f"sip:nobody@{kamailio.domain}"
    assert (call.hangup_by.value, call.hangup_reason.value) == ("remote", "failed")  # 404
    assert "failed" in " ".join(rows[0])
