"""The accounts dialog: add, edit, remove SIP accounts and watch them register.

Persisting (settings file, keyring) and applying (engine) are the composition root's
job, handed in as an :class:`AccountsBackend`; the dialog only edits and shows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from pydantic import ValidationError
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from softphone.model.account import (
    AccountSettings,
    AccountState,
    DtmfMethod,
    SrtpMode,
    Transport,
)
from softphone.model.validation import first_error
from softphone.store import KeyringMissing


class AccountsBackend(Protocol):
    def accounts(self) -> list[AccountSettings]: ...

    def default_account(self) -> str: ...

    def save_account(
        self,
        account: AccountSettings,
        password: str | None,
        make_default: bool,
        session_only: bool = False,
    ) -> None: ...

    def remove_account(self, name: str) -> None: ...

    def inactive_reason(self, name: str) -> str: ...

    def needing_password(self) -> list[str]: ...  # a session-only password to type again

    def give_session_password(self, name: str, password: str) -> None: ...


def ask_session_only(parent: QWidget, reason: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "No keyring",
        f"{reason}.\n\nKeep the password for this session only? It stays in memory, is "
        "never written to disk, and is asked again at the next start.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    return answer == QMessageBox.StandardButton.Yes


def state_text(state: AccountState | None, reason: str = "", now: float | None = None) -> str:
    """The account's state with the why: "not active: …", "… — retrying in 12 s"."""
    if state is None:
        return f"not active: {reason}" if reason else "not active"
    text = state.describe()
    if state.retry_at is not None:
        left = state.retry_at - (time.time() if now is None else now)
        text += f" — retrying in {max(0, round(left))} s" if left > 0 else " — retrying now"
    return text


class AccountsDialog(QDialog):
    def __init__(self, backend: AccountsBackend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Accounts")
        self._backend = backend
        self._states: dict[str, AccountState] = {}
        self._editing: str | None = None
        # Asked when there is no keyring; tests put their answer here.
        self.confirm_session_only: Callable[[str], bool] = (
            lambda reason: ask_session_only(self, reason))
        self._countdown = QTimer(self)  # the "retrying in N s" countdown
        self._countdown.timeout.connect(self._refresh_states)
        self._countdown.start(1000)

        self.list = QListWidget()
        self.list.setAccessibleName("Accounts")
        self.list.currentItemChanged.connect(lambda *_: self._load_selected())
        add = QPushButton("&New")
        add.clicked.connect(self.new_account)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_button)
        left.addLayout(buttons)

        self.name = QLineEdit()
        self.display_name = QLineEdit()
        self.user = QLineEdit()
        self.domain = QLineEdit(placeholderText="pbx.example.com or host:port")
        self.auth_user = QLineEdit(placeholderText="same as user")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.registrar = QLineEdit(placeholderText="sip:<domain> ('none': do not register)")
        self.proxy = QLineEdit(placeholderText="none")
        self.transport = QComboBox()
        self.transport.addItems([t.value.upper() for t in Transport])
        self.verify_tls = QCheckBox("Verify the server's certificate")
        self.verify_tls.setChecked(True)
        self.ca_file = QLineEdit(placeholderText="system CAs")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        self.srtp = QComboBox()
        self.srtp.addItems([m.value for m in SrtpMode])
        self.stun = QLineEdit(placeholderText="none")
        self.ice = QCheckBox("Use ICE")
        self.expiry = QSpinBox()
        self.expiry.setRange(30, 86400)
        self.expiry.setValue(300)
        self.expiry.setSuffix(" s")
        self.dtmf = QComboBox()
        self.dtmf.addItems([m.value for m in DtmfMethod])
        self.make_default = QCheckBox("Default account")
        self.state = QLabel()
        self.state.setAccessibleName("Registration state")
        # "registration failed: 408 Request Timeout — retrying in 22 s" wraps: on one line
        # it widened the form and squeezed the account list each time it changed.
        self.state.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Account error")

        form = QFormLayout()
        fields: tuple[tuple[str, QWidget], ...] = (
            ("&Name", self.name), ("Display name", self.display_name), ("&User", self.user),
            ("&Domain", self.domain), ("Auth user", self.auth_user),
            ("&Password", self.password), ("Registrar", self.registrar),
            ("Outbound proxy", self.proxy), ("Transport", self.transport),
            ("", self.verify_tls),
        )
        for label, widget in fields:
            form.addRow(label, widget)
            widget.setAccessibleName(label.replace("&", "") or "Verify TLS")
        form.addRow("CA file", ca_row)
        extras: tuple[tuple[str, QWidget], ...] = (
            ("SRTP", self.srtp), ("STUN server", self.stun), ("", self.ice),
            ("Registration expiry", self.expiry), ("DTMF", self.dtmf),
            ("", self.make_default), ("State", self.state),
        )
        for label, widget in extras:
            form.addRow(label, widget)
        self.ca_file.setAccessibleName("CA file")
        save = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close
        )
        save.accepted.connect(self.save)
        save.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.error)
        right.addStretch(1)
        right.addWidget(save)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addLayout(right, 2)
        self.reload()

    # -- list --------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        default = self._backend.default_account()
        for account in self._backend.accounts():
            item = QListWidgetItem(self._label(account.name, default))
            item.setData(Qt.ItemDataRole.UserRole, account.name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        names = [a.name for a in self._backend.accounts()]
        if select in names:
            self.list.setCurrentRow(names.index(select))
        elif names:
            self.list.setCurrentRow(0)
        else:
            self.new_account()

    def _label(self, name: str, default: str) -> str:
        mark = " (default)" if name == default else ""
        return f"{name}{mark}\n  {self._state_text(name)}"

    def _state_text(self, name: str) -> str:
        return state_text(self._states.get(name), self._backend.inactive_reason(name))

    def _refresh_states(self) -> None:
        if not any(s.retry_at for s in self._states.values()):
            return
        default = self._backend.default_account()
        for row in range(self.list.count()):
            item = self.list.item(row)
            name = item.data(Qt.ItemDataRole.UserRole)
            item.setText(self._label(name, default))
        if self._editing is not None:
            self.state.setText(self._state_text(self._editing))

    def update_state(self, state: AccountState) -> None:
        """Called as registration changes; the dialog shows it live."""
        self._states[state.name] = state
        default = self._backend.default_account()
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == state.name:
                item.setText(self._label(state.name, default))
        if state.name == self._editing:
            self.state.setText(self._state_text(state.name))

    # -- editor ------------------------------------------------------------------------------

    def _load_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        account = next((a for a in self._backend.accounts() if a.name == name), None)
        if account is None:
            return
        self._editing = account.name
        self.name.setText(account.name)
        self.display_name.setText(account.display_name)
        self.user.setText(account.user)
        self.domain.setText(account.domain)
        self.auth_user.setText(account.auth_user)
        self.password.clear()
        self.password.setPlaceholderText("unchanged")
        self.registrar.setText(account.registrar)
        self.proxy.setText(account.outbound_proxy)
        self.transport.setCurrentText(account.transport.value.upper())
        self.verify_tls.setChecked(account.tls_verify_server)
        self.ca_file.setText(account.tls_ca_file)
        self.srtp.setCurrentText(account.srtp.value)
        self.stun.setText(account.stun_server)
        self.ice.setChecked(account.ice)
        self.expiry.setValue(account.reg_expiry_s)
        self.dtmf.setCurrentText(account.dtmf.value)
        self.make_default.setChecked(account.name == self._backend.default_account())
        self.state.setText(self._state_text(account.name))
        self.error.clear()

    def new_account(self) -> None:
        self._editing = None
        self.list.clearSelection()
        for field in (self.name, self.display_name, self.user, self.domain, self.auth_user,
                      self.password, self.registrar, self.proxy, self.ca_file, self.stun):
            field.clear()
        self.password.setPlaceholderText("kept in the system keyring")
        self.transport.setCurrentIndex(0)
        self.verify_tls.setChecked(True)
        self.srtp.setCurrentIndex(0)
        self.ice.setChecked(False)
        self.expiry.setValue(300)
        self.dtmf.setCurrentIndex(0)
        self.make_default.setChecked(not self._backend.accounts())
        self.state.setText("new")
        self.error.clear()
        self.name.setFocus()

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA certificates", "", "PEM (*.pem *.crt)")
        if path:
            self.ca_file.setText(path)

    def edited_account(self) -> AccountSettings:
        return AccountSettings(
            name=self.name.text().strip(),
            display_name=self.display_name.text().strip(),
            user=self.user.text().strip(),
            domain=self.domain.text().strip(),
            auth_user=self.auth_user.text().strip(),
            registrar=self.registrar.text().strip(),
            outbound_proxy=self.proxy.text().strip(),
            transport=Transport(self.transport.currentText().lower()),
            tls_verify_server=self.verify_tls.isChecked(),
            tls_ca_file=self.ca_file.text().strip(),
            srtp=SrtpMode(self.srtp.currentText()),
            stun_server=self.stun.text().strip(),
            ice=self.ice.isChecked(),
            reg_expiry_s=self.expiry.value(),
            dtmf=DtmfMethod(self.dtmf.currentText()),
        )

    def save(self) -> None:
        try:
            account = self.edited_account()
        except ValidationError as exc:
            self.error.setText(f"Not saved: {first_error(exc)}")
            return
        # An empty password field while editing keeps the stored one.
        password = self.password.text() or None
        if self._editing is None and password is None:
            password = ""
        try:
            try:
                self._backend.save_account(account, password, self.make_default.isChecked())
            except KeyringMissing as exc:
                if not password or not self.confirm_session_only(str(exc)):
                    raise
                self._backend.save_account(account, password, self.make_default.isChecked(),
                                           session_only=True)
            if self._editing is not None and self._editing != account.name:
                self._backend.remove_account(self._editing)
        except Exception as exc:
            self.error.setText(f"Not saved: {exc}")
            return
        self.error.clear()
        self.password.clear()
        self.reload(select=account.name)

    def remove_selected(self) -> None:
        name = self._editing
        if name is None:
            return
        answer = QMessageBox.question(
            self, "Remove account", f"Remove the account {name!r} and its stored password?"
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._backend.remove_account(name)
        except Exception as exc:
            self.error.setText(f"Not removed: {exc}")
            return
        self.reload()
