"""SIP messages as a ladder: us and the far end, an arrow per message with its method or
code and the time since the first; pick one to read it whole. Copyable as text."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.model.siptrace import Direction, SipMessage, ladder_text
from softphone.ui.sip_text import message_block


def ladder_rows(messages: list[SipMessage]) -> list[tuple[str, str, str, str]]:
    """(time since the first, us, arrow with its label, them) per message."""
    if not messages:
        return []
    start = messages[0].at
    rows = []
    for message in messages:
        offset = f"{message.at.seconds_since(start):+.3f} s"
        if message.direction is Direction.SENT:
            arrow = f"── {message.label} ──▶"
        else:
            arrow = f"◀── {message.label} ──"
        rows.append((offset, "us", arrow, message.peer))
    return rows


class SipLadderView(QWidget):
    def __init__(self, messages: list[SipMessage], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.messages = messages
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("SIP message ladder")
        self.tree.setHeaderLabels(("Time", "", "Message", "Far end"))
        self.tree.setRootIsDecorated(False)
        for row in ladder_rows(messages):
            item = QTreeWidgetItem(list(row))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignCenter)
            self.tree.addTopLevelItem(item)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        self.message_view = QPlainTextEdit()
        self.message_view.setReadOnly(True)
        self.message_view.setAccessibleName("SIP message")
        self.message_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.message_view.setPlaceholderText(
            "Pick a message to read it whole" if messages else
            "No SIP messages were kept for this call")
        self.tree.currentItemChanged.connect(lambda *_: self._show_current())
        copy = QPushButton("Copy &ladder")
        copy.setAccessibleName("Copy the SIP ladder as text")
        copy.clicked.connect(self.copy)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.message_view)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

    def _show_current(self) -> None:
        item = self.tree.currentItem()
        index = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        if 0 <= index < len(self.messages):
            self.message_view.setPlainText(self.messages[index].text)

    def text(self) -> str:
        """The ladder, then every message whole: what a ticket wants pasted."""
        parts = [ladder_text(self.messages)]
        parts += [message_block(m) for m in self.messages]
        return "\n\n".join(parts)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
