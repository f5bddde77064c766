"""Saving and removing an account: the settings store and the keyring kept in step, for the
command line and the window alike. Nothing is left half-done: a password stored for an
account whose settings could not be written is taken back out of the keyring."""

from __future__ import annotations

import contextlib

from softphone.model.account import AccountSettings
from softphone.store.paths import StoreError
from softphone.store.secrets import SecretError, delete_password, get_password, set_password
from softphone.store.settings_store import SettingsStore


def password_for(account: AccountSettings) -> str | None:
    """The stored password; None without asking the keyring when the account needs none."""
    return get_password(account.name) if account.has_password else None


def save_account(
    store: SettingsStore, account: AccountSettings, password: str | None, make_default: bool
) -> AccountSettings:
    """Save ``account``. ``password``: a new one for the keyring; ``""``: the account needs
    none (no keyring needed); None: keep what is stored. Returns the account as saved."""
    previous = store.settings.account(account.name)
    if password is None:
        has_password = previous.has_password if previous is not None else account.has_password
    else:
        has_password = bool(password)
    account = account.model_copy(update={"has_password": has_password})
    old_secret: str | None = None
    if password:
        # The keyring first: an account must never be saved pointing at a password that is
        # not there. Remember the old one, to put it back if the settings cannot be written.
        if previous is not None and previous.has_password:
            with contextlib.suppress(SecretError):
                old_secret = get_password(account.name)
        set_password(account.name, password)
    try:
        store.put_account(account, make_default)
    except StoreError:
        if password:
            with contextlib.suppress(SecretError):
                if old_secret is not None:
                    set_password(account.name, old_secret)
                else:
                    delete_password(account.name)
        raise
    if password == "":
        # No password now: a stale one must not linger; no keyring at all is fine too.
        with contextlib.suppress(SecretError):
            delete_password(account.name)
    return account


def remove_account(store: SettingsStore, name: str) -> bool:
    """Remove the account and its stored password; False when there was no such account."""
    account = store.settings.account(name)
    if not store.remove_account(name):
        return False
    if account is None or account.has_password:
        delete_password(name)
    return True
