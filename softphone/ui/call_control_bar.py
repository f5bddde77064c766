"""A call card's control row: hold, mute, transfer, conference, and what they show.

Kept in one widget so the card gains it in one place. It only says what the user asked
(signals carrying the call id); the call controller turns that into engine commands.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from softphone.model import Call, CallStatus, CallType
from softphone.model.diagnostics import CallDiagnostics

DTMF_KEYS = frozenset("0123456789*#")


def hold_text(diagnostics: CallDiagnostics | None) -> str:
    """"on hold" (we hold), "held by the far end" (their SDP direction), or both."""
    if diagnostics is None:
        return ""
    words = [w for w, on in (("on hold", diagnostics.held_by_us),
                             ("held by the far end", diagnostics.held_by_them)) if on]
    return " · ".join(words)


class CallControlBar(QWidget):
    hold_toggled = Signal(UUID, bool)
    mute_toggled = Signal(UUID, bool)
    transfer_requested = Signal(UUID)
    conference_requested = Signal(UUID)
    end_conference_requested = Signal(UUID)

    def __init__(self, call_id: UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.call_id = call_id
        self.hold_button = self._toggle("Hold", "Hold this call (Ctrl+H)", self.hold_toggled)
        self.mute_button = self._toggle("Mute", "Turn the microphone off for this call (Ctrl+M)",
                                        self.mute_toggled)
        self.transfer_button = QToolButton()
        self.transfer_button.setText("Transfer…")
        self.transfer_button.setAccessibleName("Transfer")
        self.transfer_button.setToolTip("Transfer this call: type a target (blind), or pick "
                                        "another call to connect them (attended)")
        self.transfer_button.clicked.connect(lambda: self.transfer_requested.emit(self.call_id))
        self.conference_button = QToolButton()
        self.conference_button.setText("Conference")
        self.conference_button.setAccessibleName("Conference")
        self.conference_button.setToolTip("Merge every answered call into one conference")
        self.conference_button.clicked.connect(self._conference_clicked)
        self._in_conference = False
        self.state = QLabel()
        self.state.setAccessibleName("Hold state")
        self.state.setStyleSheet("color: #b9770e; font-weight: 600;")
        self.transfer = QLabel()
        self.transfer.setAccessibleName("Transfer progress")
        self.transfer.setWordWrap(True)
        self.received = QLabel()
        self.received.setAccessibleName("Digits received")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.hold_button, self.mute_button, self.transfer_button,
                       self.conference_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.transfer)
        layout.addWidget(self.received)

    def _toggle(self, text: str, tip: str, signal: SignalInstance) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setCheckable(True)
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.toggled.connect(lambda on: signal.emit(self.call_id, on))
        return button

    def _conference_clicked(self) -> None:
        signal = self.end_conference_requested if self._in_conference else \
            self.conference_requested
        signal.emit(self.call_id)

    def update_call(self, call: Call, diagnostics: CallDiagnostics | None) -> None:
        self._in_conference = call.type is CallType.CONFERENCE
        self.conference_button.setText("End conference" if self._in_conference
                                       else "Conference")
        self.conference_button.setToolTip(
            "Hang up every call in the conference" if self._in_conference
            else "Merge every answered call into one conference")
        answered = call.status is CallStatus.PROGRESSING
        self.setVisible(answered)
        for button in (self.hold_button, self.mute_button, self.transfer_button,
                       self.conference_button):
            button.setEnabled(answered)
        d = diagnostics
        self._mirror(self.hold_button, d is not None and d.held_by_us, "Resume", "Hold")
        self._mirror(self.mute_button, d is not None and d.muted, "Unmute", "Mute")
        words = [w for w in (hold_text(d), "muted" if d is not None and d.muted else "",
                             "conference" if call.type is CallType.CONFERENCE else "") if w]
        self.state.setText(" · ".join(words))
        self.transfer.setText(d.transfer if d is not None and d.transfer else "")
        self.transfer.setVisible(bool(self.transfer.text()))
        received = d.dtmf_received if d is not None else ""
        self.received.setText(f"DTMF received {received}" if received else "")
        self.received.setVisible(bool(received))

    @staticmethod
    def _mirror(button: QToolButton, on: bool, on_text: str, off_text: str) -> None:
        # Mirror the engine's state, without sending the toggle back as a new request.
        button.blockSignals(True)
        button.setChecked(on)
        button.blockSignals(False)
        button.setText(on_text if on else off_text)
