"""The identity selector: each account with its registration state, updated live."""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QComboBox, QWidget

from softphone.model.account import AccountState, RegistrationState

_STATE_COLOURS = {
    RegistrationState.LOCAL: "#2f6fb5",
    RegistrationState.REGISTERED: "#1e8449",
    RegistrationState.REGISTERING: "#b8860b",
    RegistrationState.UNREGISTERED: "#7f8c8d",
    RegistrationState.FAILED: "#c0392b",
    RegistrationState.PASSWORD_NEEDED: "#e67e22",  # as the tray's badge
}


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class AccountSelector(QComboBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Account")
        self.setMinimumContentsLength(18)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._states: dict[str, AccountState] = {}
        # The settings' default account: accounts come up after the window opens, and the
        # default is chosen as it appears, unless the user picked another meanwhile.
        self.default_name = ""
        self._user_chose = False
        self.activated.connect(self._chosen_by_user)
        self.currentIndexChanged.connect(lambda _i: self._sync_tooltip())

    def _chosen_by_user(self, _index: int) -> None:
        self._user_chose = True

    def set_accounts(self, states: list[AccountState]) -> None:
        chosen = self.current_account()
        self.blockSignals(True)
        self.clear()
        self._states = {}
        self.blockSignals(False)
        for state in states:
            self.update_account(state)
        default = next((s.name for s in states if s.is_default), None)
        wanted = self.default_name if self.findData(self.default_name) >= 0 else None
        for name in (chosen if self._user_chose else wanted, chosen, default):
            if name is not None and (index := self.findData(name)) >= 0:
                self.setCurrentIndex(index)
                break

    def update_account(self, state: AccountState) -> None:
        self._states[state.name] = state
        text = f"{state.name} — {state.describe()}"
        icon = _dot(_STATE_COLOURS.get(state.registration, "#7f8c8d"))
        index = self.findData(state.name)
        if index < 0:
            self.addItem(icon, text, state.name)
            index = self.count() - 1
            if state.name == self.default_name and not self._user_chose:
                self.setCurrentIndex(index)
        else:
            self.setItemText(index, text)
            self.setItemIcon(index, icon)
        self.setItemData(index, f"{state.uri}\n{state.describe()}", 3)  # 3: ToolTipRole
        self._sync_tooltip()

    def current_account(self) -> str | None:
        data = self.currentData()
        return data if isinstance(data, str) else None

    def current_state(self) -> AccountState | None:
        name = self.current_account()
        return self._states.get(name) if name is not None else None

    def state(self, name: str) -> AccountState | None:
        return self._states.get(name)

    def _sync_tooltip(self) -> None:
        state = self.current_state()
        text = f"{state.uri}\n{state.describe()}" if state else "No account"
        self.setToolTip(text)
        self.setAccessibleDescription(text)
