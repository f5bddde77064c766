"""Accounts for the window: the settings store, keyring and engine kept in step.

Composition-level glue (it may import store and engine); the accounts dialog sees it only
as an ``AccountsBackend``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from softphone.engine import Engine, EngineError
from softphone.model.account import AccountSettings
from softphone.store import SettingsStore, StoreError
from softphone.store.accounts import password_for, remove_account, save_account

_log = logging.getLogger(__name__)


class AccountsService:
    def __init__(self, engine: Engine, store: SettingsStore) -> None:
        self.engine = engine
        self.store = store
        self.on_error: Callable[[str], None] | None = None

    def accounts(self) -> list[AccountSettings]:
        return list(self.store.settings.accounts)

    def default_account(self) -> str:
        return self.store.settings.default_account

    def start_all(self) -> None:
        """Bring every configured account up; one that cannot start is reported, not fatal."""
        for account in self.accounts():
            self._activate(account)

    def _activate(self, account: AccountSettings, password: str | None = None) -> None:
        try:
            secret = password if password is not None else password_for(account)
            self.engine.add_account(account, secret)
        except (EngineError, StoreError) as exc:
            message = f"account {account.name!r}: {exc}"
            _log.error("%s", message)
            if self.on_error is not None:
                self.on_error(message)

    def save_account(
        self, account: AccountSettings, password: str | None, make_default: bool
    ) -> None:
        """Store (password to the keyring first) and re-register with the new settings.
        ``password``: new text, ``""`` for none, None to keep the stored one."""
        saved = save_account(self.store, account, password, make_default)
        if any(s.name == saved.name for s in self.engine.accounts.states()):
            self.engine.remove_account(saved.name)
        self._activate(saved, password or None)

    def remove_account(self, name: str) -> None:
        remove_account(self.store, name)
        if any(s.name == name for s in self.engine.accounts.states()):
            self.engine.remove_account(name)
