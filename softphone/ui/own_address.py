"""Our own SIP address, as others dial it: shown under the account, one click to copy."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QToolButton, QWidget


class OwnAddress(QWidget):
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("My SIP address (others call me here)")
        self.label.setEnabled(False)  # a quiet caption
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
        # The caption on its own line: the whole width is the address's.
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setVerticalSpacing(2)
        grid.addWidget(self.label, 0, 0, 1, 2)
        grid.addWidget(self.field, 1, 0)
        grid.addWidget(self.copy_button, 1, 1)

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
