"""Accounts for the window: settings file, keyring and engine kept in step.

Composition-level glue (it may import store and engine); the accounts dialog sees it only
as an ``AccountsBackend``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from softphone.engine import Engine, EngineError
from softphone.model.account import AccountSettings
from softphone.store import KeyringMissing, StoreError, load_settings, save_settings
from softphone.store.secrets import delete_password, get_password, set_password

_log = logging.getLogger(__name__)


class AccountsService:
    def __init__(self, engine: Engine, settings_file: Path) -> None:
        self.engine = engine
        self.settings_file = settings_file
        self.on_error: Callable[[str], None] | None = None
        # Without a system keyring a password may live here, in memory, for this run only:
        # never written to disk, asked again at the next start.
        self._session_passwords: dict[str, str] = {}
        self._problems: dict[str, str] = {}  # why an account is not active

    def accounts(self) -> list[AccountSettings]:
        return list(load_settings(self.settings_file).accounts)

    def default_account(self) -> str:
        return load_settings(self.settings_file).default_account

    def start_all(self) -> None:
        """Bring every configured account up; one that cannot start is reported, not fatal."""
        for account in self.accounts():
            self._activate(account)

    def inactive_reason(self, name: str) -> str:
        """Why the account is not registering or usable ("" if nothing went wrong)."""
        return self._problems.get(name, "")

    def _activate(self, account: AccountSettings, password: str | None = None) -> None:
        """``password`` None: the one kept (session, keyring); "": it has none."""
        self._problems.pop(account.name, None)
        try:
            secret = password if password is not None else (
                self._session_passwords.get(account.name) or get_password(account.name))
            self.engine.add_account(account, secret or None)
        except KeyringMissing:
            # Its password (if it has one) was kept for one session only: ask for it again.
            self._problems[account.name] = (
                "no system keyring to read its password from: enter the password in "
                "Settings → Accounts (kept for this session only)")
            self._report(account.name)
        except (EngineError, StoreError) as exc:
            self._problems[account.name] = str(exc)
            self._report(account.name)

    def _report(self, name: str) -> None:
        message = f"account {name!r}: {self._problems[name]}"
        _log.error("%s", message)
        if self.on_error is not None:
            self.on_error(message)

    def save_account(
        self,
        account: AccountSettings,
        password: str | None,
        make_default: bool,
        session_only: bool = False,
    ) -> None:
        """Store (password to the keyring first) and re-register with the new settings.

        ``session_only``: the password stays in memory for this run (no keyring); the
        settings file never holds it."""
        if password and session_only:
            self._session_passwords[account.name] = password
        elif password:
            set_password(account.name, password)
            self._session_passwords.pop(account.name, None)
        settings = load_settings(self.settings_file)
        settings.accounts = [a for a in settings.accounts if a.name != account.name]
        settings.accounts.append(account)
        if make_default or not settings.default_account:
            settings.default_account = account.name
        save_settings(self.settings_file, settings)
        if any(s.name == account.name for s in self.engine.accounts.states()):
            self.engine.remove_account(account.name)
        self._activate(account, password)

    def remove_account(self, name: str) -> None:
        settings = load_settings(self.settings_file)
        settings.accounts = [a for a in settings.accounts if a.name != name]
        if settings.default_account == name:
            settings.default_account = settings.accounts[0].name if settings.accounts else ""
        save_settings(self.settings_file, settings)
        self._session_passwords.pop(name, None)
        self._problems.pop(name, None)
        with contextlib.suppress(KeyringMissing):  # nothing can be stored there anyway
            delete_password(name)
        if any(s.name == name for s in self.engine.accounts.states()):
            self.engine.remove_account(name)
