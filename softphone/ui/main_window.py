"""A first window: dial, see the call's status live, answer or decline, see history.

The full window (cards, dial pad, lazy history model) is issue 3; this one is honest
but minimal.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.model import Call, CallDirection, CallStatus, TargetError, parse_target
from softphone.model.enums import HANGUP_REASON_DESCRIPTIONS
from softphone.ui.bridge import CallSignals
from softphone.ui.facade import CallControl, Update

HISTORY_COLUMNS = ("Time", "Direction", "Remote", "Status", "Hangup by", "Hangup reason")


class MainWindow(QMainWindow):
    def __init__(
        self, engine: CallControl, history: list[Call], default_domain: str | None = None
    ) -> None:
        super().__init__()
        self.setWindowTitle("softphone")
        self._engine = engine
        self._domain = default_domain
        self._current: UUID | None = None
        self._current_status: CallStatus | None = None
        self._incoming: UUID | None = None

        self.target = QLineEdit(placeholderText="sip:user@host or +821012345678")
        self.target.setAccessibleName("Call target")
        self.target.textChanged.connect(self._validate)
        self.target.returnPressed.connect(self.place_call)
        self.call_button = QPushButton("Call")
        self.call_button.setAccessibleName("Call")
        self.call_button.clicked.connect(self.place_call)
        self.hangup_button = QPushButton("Hang up")
        self.hangup_button.setAccessibleName("Hang up")
        self.hangup_button.clicked.connect(self.hang_up)
        self.answer_button = QPushButton("Answer")
        self.answer_button.clicked.connect(self.answer)
        self.decline_button = QPushButton("Decline")
        self.decline_button.clicked.connect(self.decline)
        self.status = QLabel("Ready")
        self.status.setAccessibleName("Call status")
        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.history.setAccessibleName("Call history")
        self.history.verticalHeader().setVisible(False)

        dial_row = QHBoxLayout()
        dial_row.addWidget(self.target, 1)
        dial_row.addWidget(self.call_button)
        dial_row.addWidget(self.hangup_button)
        incoming_row = QHBoxLayout()
        incoming_row.addWidget(self.status, 1)
        incoming_row.addWidget(self.answer_button)
        incoming_row.addWidget(self.decline_button)
        layout = QVBoxLayout()
        layout.addLayout(dial_row)
        layout.addLayout(incoming_row)
        layout.addWidget(self.history, 1)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.hang_up)
        self.resize(760, 480)

        for call in reversed(history):
            self._add_history_row(call)
        self.signals = CallSignals()
        self.signals.changed.connect(self._on_update)
        engine.add_listener(self.signals.deliver)
        self._refresh_buttons()

    # -- user acts -------------------------------------------------------------------------

    def _validate(self, text: str) -> bool:
        try:
            if text:
                parse_target(text, self._domain)
        except TargetError as exc:
            self.target.setToolTip(str(exc))
            self.target.setStyleSheet("QLineEdit { border: 2px solid #c0392b; }")
            self.call_button.setEnabled(False)
            return False
        self.target.setToolTip("")
        self.target.setStyleSheet("")
        self.call_button.setEnabled(self._current is None)
        return True

    def place_call(self) -> None:
        if self._current is not None:
            return
        try:
            target = parse_target(self.target.text(), self._domain)
        except TargetError as exc:
            self.status.setText(str(exc))
            return
        try:
            call = self._engine.make_call(target)
        except Exception as exc:
            self.status.setText(str(exc))
            return
        self._current = call.id
        self._refresh_buttons()

    def hang_up(self) -> None:
        for call_id in (self._current, self._incoming):
            if call_id is not None:
                self._engine.hangup(call_id)
                return

    def answer(self) -> None:
        if self._incoming is not None:
            self._engine.answer(self._incoming)

    def decline(self) -> None:
        if self._incoming is not None:
            self._engine.reject(self._incoming)

    # -- engine updates ----------------------------------------------------------------------

    def _on_update(self, update: Update) -> None:
        call = update.call
        if (
            call.direction is CallDirection.INCOMING
            and call.status is CallStatus.RINGING
            and self._incoming is None
            and self._current is None
        ):
            self._incoming = call.id
        if call.id not in (self._current, self._incoming):
            if call.status is CallStatus.HANGUP:
                self._add_history_row(call)
            return
        self._current_status = call.status
        if call.status is CallStatus.HANGUP:
            self.status.setText(
                f"{call.direction.value} {call.remote.target}: hangup by "
                f"{call.hangup_by.value}, {call.hangup_reason.value}"
            )
            self.status.setToolTip(HANGUP_REASON_DESCRIPTIONS.get(call.hangup_reason, ""))
            self._add_history_row(call)
            self._current = None
            self._incoming = None
        else:
            if call.id == self._incoming and call.status is not CallStatus.RINGING:
                self._current, self._incoming = call.id, None
            self.status.setText(
                f"{call.direction.value} {call.remote.target}: {call.status.value}"
            )
        self._refresh_buttons()

    def _refresh_buttons(self) -> None:
        live = self._current is not None or self._incoming is not None
        self.call_button.setEnabled(not live and self._validate_quietly())
        self.hangup_button.setEnabled(live)
        self.answer_button.setVisible(self._incoming is not None)
        self.decline_button.setVisible(self._incoming is not None)

    def _validate_quietly(self) -> bool:
        try:
            parse_target(self.target.text(), self._domain)
        except TargetError:
            return False
        return True

    def _add_history_row(self, call: Call) -> None:
        self.history.insertRow(0)
        when = call.tm_create.to_datetime().astimezone() if call.tm_create else None
        cells = (
            when.strftime("%Y-%m-%d %H:%M:%S") if when else "",
            call.direction.value,
            call.remote.target,
            call.status.value,
            call.hangup_by.value,
            call.hangup_reason.value,
        )
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 5:
                item.setToolTip(HANGUP_REASON_DESCRIPTIONS.get(call.hangup_reason, ""))
            self.history.setItem(0, column, item)
