"""Accounts for the window: settings file, keyring and engine kept in step.

Composition-level glue (it may import store and engine); the accounts dialog sees it only
as an ``AccountsBackend``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from softphone.engine import Engine, EngineError
from softphone.model.account import AccountSettings
from softphone.store import StoreError, load_settings, save_settings
from softphone.store.secrets import delete_password, get_password, set_password

_log = logging.getLogger(__name__)


class AccountsService:
    def __init__(self, engine: Engine, settings_file: Path) -> None:
        self.engine = engine
        self.settings_file = settings_file
        self.on_error: Callable[[str], None] | None = None

    def accounts(self) -> list[AccountSettings]:
        return list(load_settings(self.settings_file).accounts)

    def default_account(self) -> str:
        return load_settings(self.settings_file).default_account

    def start_all(self) -> None:
        """Bring every configured account up; one that cannot start is reported, not fatal."""
        for account in self.accounts():
            self._activate(account)

    def _activate(self, account: AccountSettings, password: str | None = None) -> None:
        try:
            secret = password if password is not None else get_password(account.name)
            self.engine.add_account(account, secret)
        except (EngineError, StoreError) as exc:
            message = f"account {account.name!r}: {exc}"
            _log.error("%s", message)
            if self.on_error is not None:
                self.on_error(message)

    def save_account(
        self, account: AccountSettings, password: str | None, make_default: bool
    ) -> None:
        """Store (password to the keyring first) and re-register with the new settings."""
        if password:
            set_password(account.name, password)
        settings = load_settings(self.settings_file)
        settings.accounts = [a for a in settings.accounts if a.name != account.name]
        settings.accounts.append(account)
        if make_default or not settings.default_account:
            settings.default_account = account.name
        save_settings(self.settings_file, settings)
        if any(s.name == account.name for s in self.engine.accounts.states()):
            self.engine.remove_account(account.name)
        self._activate(account, password or None)

    def remove_account(self, name: str) -> None:
        settings = load_settings(self.settings_file)
        settings.accounts = [a for a in settings.accounts if a.name != name]
        if settings.default_account == name:
            settings.default_account = settings.accounts[0].name if settings.accounts else ""
        save_settings(self.settings_file, settings)
        delete_password(name)
        if any(s.name == name for s in self.engine.accounts.states()):
            self.engine.remove_account(name)
