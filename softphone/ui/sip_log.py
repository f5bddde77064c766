"""The SIP log window: every message sent and received, live; filter by call; export.

Messages reach the window through a :class:`SipLogFeed` the engine's trace listener fills
(inside pjsip's logging: only a queue append there); the window takes them in on a timer.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from softphone.model.siptrace import Direction, SipMessage
from softphone.ui.sip_text import message_block

MAX_MESSAGES = 5000  # the newest; a day of traffic must not grow the window without end
REFRESH_MS = 300


# What each column holds at its widest, usually (the Call-ID, last, stretches).
COLUMN_SAMPLES = ("2026-12-02 18:37:39.123456789", "← received", "UDP 127.0.0.1:65535",
                  "SIP/2.0 180 Ringing (INVITE)")


class SipLogFeed:
    """Every SIP message since the window opened (the newest MAX_MESSAGES)."""

    def __init__(self) -> None:
        self.messages: deque[SipMessage] = deque(maxlen=MAX_MESSAGES)
        self.added = 0  # how many ever came: the window shows those it has not shown yet

    def add(self, message: SipMessage) -> None:
        self.messages.append(message)
        self.added += 1


class SipLogWindow(QWidget):
    def __init__(self, feed: SipLogFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("SIP log")
        self.setAccessibleName("SIP log")
        self.resize(1100, 640)
        self._feed = feed
        self._shown = max(0, feed.added - len(feed.messages))
        self._items: deque[SipMessage] = deque()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: a Call-ID, method, code or address")
        self.filter.setAccessibleName("Filter SIP messages")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda _t: self._rebuild())
        self.count = QLabel()
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("SIP messages")
        self.tree.setHeaderLabels(("Time (UTC)", "", "Far end", "Message", "Call-ID"))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(lambda *_: self._show_current())
        # Columns as wide as what they typically hold (at Qt's 100 px the time showed only
        # "2026-12-02 1…"); measured once, not per row: the log keeps thousands.
        metrics = self.tree.fontMetrics()
        for column, sample in enumerate(COLUMN_SAMPLES):
            self.tree.setColumnWidth(column, metrics.horizontalAdvance(sample) + 16)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("SIP message text")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        export = QPushButton("&Export…")
        export.setAccessibleName("Export the shown SIP messages")
        export.clicked.connect(self.ask_export)
        clear = QPushButton("C&lear")
        clear.clicked.connect(self.clear)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        top.addWidget(clear)
        top.addWidget(export)
        split = QSplitter()
        split.addWidget(self.tree)
        split.addWidget(self.text)
        split.setSizes([720, 380])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.take_in)
        self._timer.start(REFRESH_MS)
        self._rebuild()

    # -- the messages ---------------------------------------------------------------------

    def take_in(self) -> None:
        """Show what arrived since the last look."""
        new = self._feed.added - self._shown
        if new <= 0:
            return
        fresh = list(self._feed.messages)[-min(new, len(self._feed.messages)):]
        self._shown = self._feed.added
        for message in fresh:
            self._items.append(message)
            if self._matches(message):
                self._add_row(message)
        while len(self._items) > MAX_MESSAGES:
            self._items.popleft()
            if self.tree.topLevelItemCount() > MAX_MESSAGES:
                self.tree.takeTopLevelItem(0)
        self._update_count()

    def _matches(self, message: SipMessage) -> bool:
        wanted = self.filter.text().strip().casefold()
        if not wanted:
            return True
        return any(wanted in field.casefold() for field in (
            message.call_id, message.first_line, message.peer, message.label))

    def _add_row(self, message: SipMessage) -> None:
        arrow = "sent →" if message.direction is Direction.SENT else "← received"
        item = QTreeWidgetItem([str(message.at), arrow, message.peer, message.first_line,
                                message.call_id])
        item.setData(0, Qt.ItemDataRole.UserRole, message.text)  # the row keeps its text
        self.tree.addTopLevelItem(item)

    def _rebuild(self) -> None:
        self.tree.clear()
        for message in self._items:
            if self._matches(message):
                self._add_row(message)
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(f"{self.tree.topLevelItemCount()} of {len(self._items)}")

    def shown_messages(self) -> list[SipMessage]:
        return [m for m in self._items if self._matches(m)]

    def _show_current(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        text = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(text, str):
            self.text.setPlainText(text)

    def clear(self) -> None:
        self._items.clear()
        self._rebuild()

    # -- export ---------------------------------------------------------------------------

    def export(self, path: Path) -> int:
        """Write the shown messages, whole, to a text file; return how many."""
        shown = self.shown_messages()
        with path.open("w", encoding="utf-8") as handle:
            for message in shown:
                handle.write(message_block(message) + "\n")
        return len(shown)

    def ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export SIP messages", "sip-log.txt",
                                              "Text (*.txt)")
        if name:
            try:
                count = self.export(Path(name))
            except OSError as exc:
                self.count.setText(f"not exported: {exc.strerror or exc}")
                return
            self.count.setText(f"exported {count} messages")
