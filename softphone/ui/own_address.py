"""Our own SIP address, as others dial it: shown under the account, one click to copy."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class OwnAddress(QWidget):
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("My address:")
        self.field = QLineEdit()
        self.field.setReadOnly(True)  # selectable and copyable, never edited by mistake
        self.field.setAccessibleName("My SIP address")
        self.field.setToolTip("Others call you at this address")
        self.field.setFrame(False)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setAccessibleName("Copy my SIP address")
        self.copy_button.setToolTip("Copy my SIP address")
        self.copy_button.clicked.connect(self.copy)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.field, 1)
        row.addWidget(self.copy_button)

    def set_address(self, uri: str) -> None:
        self.field.setText(uri)
        self.field.setCursorPosition(0)
        self.copy_button.setEnabled(bool(uri))

    def copy(self) -> None:
        clipboard = QGuiApplication.clipboard()
        text = self.field.text()
        if clipboard is not None and text:
            clipboard.setText(text)
            self.copied.emit(text)
