"""Accounts whose password was kept for the last session only (no system keyring).

Such an account stays unregistered until its password is typed again. A window started
minimized (``--minimized``, "start minimized") has nobody in front of it to ask, so the
account is shown as waiting (the account list, the tray icon and its tooltip, one
notification) and the password is asked as soon as the window is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from softphone.model.account import AccountSettings, AccountState, RegistrationState, account_uri
from softphone.store import StoreError


class PasswordBackend(Protocol):
    def accounts(self) -> list[AccountSettings]: ...

    def default_account(self) -> str: ...

    def needing_password(self) -> list[str]: ...

    def give_session_password(self, name: str, password: str) -> None: ...


def waiting_text(names: list[str]) -> str:
    """"Account 'work' is not registered: …", for a notification or the status bar."""
    quoted = ", ".join(f"'{name}'" for name in names)
    subject = f"Account {quoted} is" if len(names) == 1 else f"Accounts {quoted} are"
    return (f"{subject} not registered: {'its' if len(names) == 1 else 'their'} password "
            "was kept for the last session only. Open softphone to type it.")


class PasswordPrompts(QObject):
    changed = Signal(list)  # the names now waiting for a password
    notify = Signal(str, str)  # a desktop notification: title, text
    message = Signal(str)  # for the status bar

    def __init__(self, window: QWidget, ask: Callable[[str], str | None]) -> None:
        super().__init__(window)
        self._window = window
        self._ask = ask  # the password typed, or None (cancelled)
        self.backend: PasswordBackend | None = None
        self.waiting: list[str] = []
        self._ask_on_show = False
        self._asking = False

    def refresh(self) -> list[str]:
        """Read who waits now; ``changed`` when that is not what is shown."""
        names = self.backend.needing_password() if self.backend is not None else []
        if names != self.waiting:
            self.waiting = names
            self.changed.emit(names)
        return names

    def states(self) -> list[AccountState]:
        """The waiting accounts as the account list shows them (the engine has none)."""
        if self.backend is None or not self.waiting:
            return []
        default = self.backend.default_account()
        settings = {a.name: a for a in self.backend.accounts()}
        return [AccountState(name=name, uri=account_uri(settings[name]),
                             registration=RegistrationState.PASSWORD_NEEDED,
                             is_default=name == default)
                for name in self.waiting if name in settings]

    def start(self) -> None:
        """At start: ask now if the window is shown, else say so and ask once it is."""
        names = self.refresh()
        if not names:
            return
        if self._shown():
            self.ask_all()
            return
        self._ask_on_show = True
        self.notify.emit("Password needed", waiting_text(names))

    def ask_when_shown(self) -> None:
        """The user asked to type it (the tray's menu): asked once the window is up."""
        self._ask_on_show = True
        self.window_shown()

    def window_shown(self) -> None:
        """The window was shown or restored: ask what start-up could not."""
        if self._ask_on_show and self._shown() and not self._asking:
            self._ask_on_show = False
            # Not inside the show event: the prompt runs an event loop of its own.
            QTimer.singleShot(0, self.ask_all)

    def ask_all(self) -> None:
        for name in self.refresh():
            if not self.ask(name):
                break  # cancelled: the next one waits too, shown as waiting

    def ask(self, name: str) -> bool:
        """Ask for ``name``'s password and start the account; False if not given."""
        if self._asking or self.backend is None:
            return False
        self._asking = True
        try:
            password = self._ask(name)
            if not password:
                self.message.emit(
                    f"Account '{name}' stays unregistered until you type its password: "
                    "choose it in the account list, or use Settings → Accounts")
                return False
            try:
                self.backend.give_session_password(name, password)
            except StoreError as exc:  # the settings file could not be written
                self.message.emit(f"account {name!r}: {exc}")
                return False
            return True
        finally:
            self._asking = False
            self.refresh()

    def _shown(self) -> bool:
        window = self._window
        return window.isVisible() and not window.isMinimized()
