"""The incoming-call pop-up: a small window on top of the others, with Answer and Decline.

It never takes keyboard focus: someone typing in another program when a call rings in
keeps typing there (a stray Enter or Space must not answer, nor a key decline). It is
shown while the main window is hidden, minimized or not the active window.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from softphone.model import Call
from softphone.ui.text import party
from softphone.ui.theme import ACCENT_GREEN, ACCENT_RED

MARGIN = 16


class IncomingPopup(QFrame):
    answer_requested = Signal(UUID)
    decline_requested = Signal(UUID)
    show_requested = Signal()  # "Open": bring the main window

    def __init__(self, parent: QWidget | None = None) -> None:
        # A parentless top-level: a child of a hidden main window could not be shown.
        super().__init__(None)
        self._owner = parent
        self.setObjectName("incomingPopup")
        self.setWindowTitle("Incoming call — softphone")
        self.setAccessibleName("Incoming call")
        self.setWindowFlags(
            Qt.WindowType.Tool
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setStyleSheet(
            "QFrame#incomingPopup { background: palette(window); border: 2px solid "
            f"{ACCENT_GREEN}; border-radius: 10px; }}"
        )
        self.call_id: UUID | None = None
        self.title = QLabel("Incoming call")
        self.title.setStyleSheet("font-weight: 600;")
        self.caller = QLabel()
        self.caller.setAccessibleName("Caller")
        self.caller.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.address = QLabel()
        self.address.setAccessibleName("Caller address")
        self.more = QLabel()  # "+1 more ringing"
        self.answer_button = self._button("Answer", ACCENT_GREEN)
        self.decline_button = self._button("Decline", ACCENT_RED)
        self.open_button = QPushButton("Open")
        self.open_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.answer_button.clicked.connect(self._answer)
        self.decline_button.clicked.connect(self._decline)
        self.open_button.clicked.connect(self.show_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.answer_button)
        buttons.addWidget(self.decline_button)
        buttons.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.caller)
        layout.addWidget(self.address)
        layout.addWidget(self.more)
        layout.addLayout(buttons)
        self.setFixedWidth(320)

    @staticmethod
    def _button(text: str, colour: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text)
        # Clicks only: a key typed elsewhere never reaches these.
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setStyleSheet(f"QPushButton {{ background: {colour}; color: white; "
                             "font-weight: 600; padding: 6px 16px; border-radius: 6px; }")
        return button

    def show_call(self, call: Call, others: int = 0) -> None:
        self.call_id = call.id
        remote = call.remote
        self.caller.setText(remote.name or remote.target or "unknown caller")
        self.address.setText(remote.target if remote.name else "")
        self.address.setVisible(bool(remote.name))
        self.more.setText(f"+{others} more ringing" if others else "")
        self.more.setVisible(bool(others))
        self.setToolTip(party(remote))
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.move(QPoint(area.right() - self.width() - MARGIN,
                         area.bottom() - self.sizeHint().height() - MARGIN))

    def dismiss(self) -> None:
        self.call_id = None
        self.hide()

    def _answer(self) -> None:
        if self.call_id is not None:
            self.answer_requested.emit(self.call_id)

    def _decline(self) -> None:
        if self.call_id is not None:
            self.decline_requested.emit(self.call_id)
