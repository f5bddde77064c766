"""The one owner of settings.json: loaded once, changed through ``update``/``change``,
written atomically, and every change announced to plain-callback listeners.

Before this, the window, the audio panel and the accounts service each wrote the file, one
of them from the copy loaded at start (an account added in the dialog was dropped at the next
audio change). Now each part asks the store for a change of its own sections and follows the
announcements. No Qt here: listeners are plain callables, run on the caller's thread.

Another process (the command line while the window runs) may write the file too: before each
write the store re-reads the file if it changed on disk, and applies the change to that.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from softphone.model.account import AccountSettings
from softphone.store.settings import LoadedSettings, Settings, read_settings, write_settings

_log = logging.getLogger(__name__)

# settings, and the names of the top-level fields that changed ("accounts", "audio", ...).
SettingsListener = Callable[[Settings, frozenset[str]], None]


def _signature(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _raw_name(entry: Any) -> object:
    return entry.get("name") if isinstance(entry, dict) else None


class SettingsStore:
    def __init__(self, path: Path | None, settings: Settings | None = None) -> None:
        """A store over ``path`` (None: in memory only, nothing written) starting from
        ``settings`` as they are now; ``open`` reads them from the file instead."""
        self.path = path
        self._settings = settings or Settings()
        self._kept: list[Any] = []
        self._unknown: dict[str, Any] = {}
        self._seen = _signature(path)
        self._listeners: list[SettingsListener] = []
        self.warnings: list[str] = []

    @classmethod
    def open(cls, path: Path) -> SettingsStore:
        """Read the file once; its problems are logged and kept in ``warnings``."""
        store = cls(path)
        store._take(read_settings(path))
        for warning in store.warnings:
            _log.warning("%s", warning)
        return store

    def _take(self, loaded: LoadedSettings) -> None:
        self._settings = loaded.settings
        self._kept = list(loaded.kept_accounts)
        self._unknown = dict(loaded.unknown)
        self.warnings = list(loaded.warnings)
        self._seen = _signature(self.path)

    @property
    def settings(self) -> Settings:
        return self._settings

    def subscribe(self, listener: SettingsListener) -> Callable[[], None]:
        """Call ``listener`` after every change; returns the function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def update(self, **sections: Any) -> Settings:
        """Replace whole top-level sections (``audio=``, ``calls=``, ``window_geometry=``)."""
        unknown = set(sections) - set(Settings.model_fields)
        if unknown:
            raise TypeError(f"unknown settings sections: {', '.join(sorted(unknown))}")
        return self.change(lambda current: Settings.model_validate({**dict(current),
                                                                    **sections}))

    def change(self, edit: Callable[[Settings], Settings], *, forget: str = "") -> Settings:
        """Apply ``edit`` to the settings as they are now (on disk, if another process
        wrote them), write the result, then announce it. If the write fails (StoreError),
        nothing changes, here or on disk. ``forget``: drop a kept entry of that name."""
        before, kept, unknown = self._settings, self._kept, self._unknown
        if self.path is not None and _signature(self.path) != self._seen:
            fresh = read_settings(self.path)
            for warning in fresh.warnings:
                _log.warning("%s", warning)
            before, kept, unknown = fresh.settings, list(fresh.kept_accounts), fresh.unknown
        after = edit(before)
        # A kept (unusable) entry is replaced by a valid account of the same name.
        names = {a.name for a in after.accounts} | ({forget} if forget else set())
        kept = [k for k in kept if _raw_name(k) not in names]
        if self.path is not None:
            write_settings(self.path, after, kept, unknown)
        old = self._settings
        self._settings, self._kept, self._unknown = after, kept, unknown
        self._seen = _signature(self.path)
        changed = frozenset(
            name for name in Settings.model_fields if getattr(old, name) != getattr(after, name)
        )
        if changed:
            for listener in list(self._listeners):
                listener(after, changed)
        return after

    # -- accounts: the edits every front end makes ------------------------------------------

    def put_account(self, account: AccountSettings, make_default: bool = False) -> Settings:
        """Add ``account`` or replace the one of the same name (it keeps its place)."""

        def edit(current: Settings) -> Settings:
            accounts = list(current.accounts)
            for i, existing in enumerate(accounts):
                if existing.name == account.name:
                    accounts[i] = account
                    break
            else:
                accounts.append(account)
            default = current.default_account
            if make_default or not default:
                default = account.name
            return current.model_copy(update={"accounts": accounts, "default_account": default})

        return self.change(edit)

    def remove_account(self, name: str) -> bool:
        """Remove the account ``name`` (also an unusable entry kept under that name);
        False when there was none."""
        present = self._settings.account(name) is not None or any(
            _raw_name(k) == name for k in self._kept)
        if not present:
            return False

        def edit(current: Settings) -> Settings:
            accounts = [a for a in current.accounts if a.name != name]
            default = current.default_account
            if default == name:
                default = accounts[0].name if accounts else ""
            return current.model_copy(update={"accounts": accounts, "default_account": default})

        self.change(edit, forget=name)
        return True

    def kept_account_names(self) -> list[str]:
        """Names of account entries kept as written because they could not be used."""
        return [str(_raw_name(k)) for k in self._kept if isinstance(_raw_name(k), str)]
