"""Accounts for the window: the settings store, keyring and engine kept in step.

Composition-level glue (it may import store and engine); the accounts dialog sees it only
as an ``AccountsBackend``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from softphone.engine import Engine, EngineError
from softphone.model.account import AccountSettings
from softphone.store import KeyringMissing, SettingsStore, StoreError
from softphone.store.accounts import password_for, remove_account, save_account

_log = logging.getLogger(__name__)


class AccountsService:
    def __init__(self, engine: Engine, store: SettingsStore) -> None:
        self.engine = engine
        self.store = store
        self.on_error: Callable[[str], None] | None = None
        # Without a system keyring a password may live here, in memory, for this run only:
        # never written to disk, asked again at the next start.
        self._session_passwords: dict[str, str] = {}
        self._problems: dict[str, str] = {}  # why an account is not active
        self._need_password: set[str] = set()  # its session-only password went with the run

    def accounts(self) -> list[AccountSettings]:
        return list(self.store.settings.accounts)

    def default_account(self) -> str:
        return self.store.settings.default_account

    def start_all(self) -> None:
        """Bring every configured account up; one that cannot start is reported, not fatal."""
        for account in self.accounts():
            self._activate(account)

    def inactive_reason(self, name: str) -> str:
        """Why the account is not registering or usable ("" if nothing went wrong)."""
        return self._problems.get(name, "")

    def needing_password(self) -> list[str]:
        """Accounts waiting for the password that was kept for the last session only."""
        return [a.name for a in self.accounts() if a.name in self._need_password]

    def give_session_password(self, name: str, password: str) -> None:
        """That password, typed again: kept in memory for this run, the account started."""
        account = next(a for a in self.accounts() if a.name == name)
        _log.info("account %s: its session-only password was typed again", name)
        self.save_account(account, password, self.default_account() == name,
                          session_only=True)

    def _activate(self, account: AccountSettings, password: str | None = None) -> None:
        """``password`` None: the one kept (session, keyring); "": it has none."""
        self._problems.pop(account.name, None)
        self._need_password.discard(account.name)
        try:
            secret = password if password is not None else (
                self._session_passwords.get(account.name) or password_for(account))
            self.engine.add_account(account, secret or None)
        except KeyringMissing:
            # Its password (if it has one) was kept for one session only: ask for it again.
            self._need_password.add(account.name)
            self._problems[account.name] = (
                "password needed: no system keyring to read its password from; enter the "
                "password in Settings → Accounts (kept for this session only)")
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
        ``password``: new text, ``""`` for none, None to keep the stored one.
        ``session_only``: the password stays in memory for this run (no keyring); the
        settings file never holds it."""
        if password and session_only:
            self._session_passwords[account.name] = password
            saved = account.model_copy(update={"has_password": True})
            self.store.put_account(saved, make_default)
        else:
            saved = save_account(self.store, account, password, make_default)
            if password:
                self._session_passwords.pop(account.name, None)
        if any(s.name == saved.name for s in self.engine.accounts.states()):
            self.engine.remove_account(saved.name)
        self._activate(saved, password or None)

    def remove_account(self, name: str) -> None:
        with contextlib.suppress(KeyringMissing):  # no keyring: nothing stored there anyway
            remove_account(self.store, name)
        self._session_passwords.pop(name, None)
        self._problems.pop(name, None)
        self._need_password.discard(name)
        if any(s.name == name for s in self.engine.accounts.states()):
            self.engine.remove_account(name)
