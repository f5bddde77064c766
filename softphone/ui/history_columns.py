"""The history table's column widths: every column within the view's width from 1100 px up.

The short columns (time, direction, status, …) are as wide as their longest value or
title, so they never cut. The remote party comes next: as wide as a typical name and
number, narrower only when the window is. From and To (our own side, mostly detail)
share what is left and elide, so no horizontal scrollbar appears.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView

from softphone.model import CallDirection, CallStatus, HangupBy, HangupReason
from softphone.ui.history_model import (
    COL_DIRECTION,
    COL_DURATION,
    COL_FROM,
    COL_HANGUP_BY,
    COL_REASON,
    COL_RECORDINGS,
    COL_REMOTE,
    COL_SIP,
    COL_STATUS,
    COL_TIME,
    COL_TO,
    COLUMNS,
)
from softphone.ui.text import direction_label

PARTY_SAMPLE = "Support desk <sip:+821012345678@pbx.example.com>"
# The least the remote party gets in a narrow window: a name and the number's start.
REMOTE_MIN_SAMPLE = "Support desk <sip:+82101234567"
DETAIL_MIN_SAMPLE = "Support desk <s"  # From and To: elided, never gone
CELL_PAD = 16  # a cell's text margins and focus frame
SORTABLE = (COL_TIME, COL_SIP)  # their headers have room for the sort arrow
DETAIL = (COL_FROM, COL_TO)


def _samples(digit: str) -> dict[int, list[str]]:
    """The longest texts each short column shows (``digit``: the font's widest digit)."""
    two = digit * 2
    return {
        COL_TIME: [f"{digit * 4}-{two}-{two} {two}:{two}:{two}"],
        COL_DIRECTION: [direction_label(d) for d in CallDirection],
        COL_STATUS: [s.value for s in CallStatus],
        COL_DURATION: [f"{digit}:{two}:{two}"],
        COL_HANGUP_BY: [b.value for b in HangupBy],
        COL_REASON: [r.value for r in HangupReason],
        COL_SIP: [digit * 3],
        COL_RECORDINGS: [f"▶ {two}"],
    }


class ColumnFitter(QObject):
    """Keeps a history table's columns within its view as the window is resized.

    A width the user drags the remote party to is kept as the width it grows back to.
    """

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self._table = table
        self._header = table.horizontalHeader()
        cells = table.fontMetrics()
        titles = QFontMetrics(self._header.font())
        style = self._header.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self._header)
        arrow = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, self._header)
        digit = max("0123456789", key=cells.horizontalAdvance)
        self.compact: dict[int, int] = {}
        for column, texts in _samples(digit).items():
            title = titles.horizontalAdvance(COLUMNS[column]) + 2 * margin + 8
            if column in SORTABLE:
                title += arrow + margin
            self.compact[column] = max(title, *(cells.horizontalAdvance(t) + CELL_PAD
                                                for t in texts))
        self.remote_ideal = cells.horizontalAdvance(PARTY_SAMPLE) + CELL_PAD + 8
        self.remote_min = cells.horizontalAdvance(REMOTE_MIN_SAMPLE) + CELL_PAD
        self.detail_min = cells.horizontalAdvance(DETAIL_MIN_SAMPLE) + CELL_PAD
        self._remote_wanted = self.remote_ideal
        self._fitting = False
        self._apply_modes()
        for column, width in self.compact.items():
            self._header.resizeSection(column, width)
        self._header.resizeSection(COL_REMOTE, self.remote_ideal)
        self._header.sectionResized.connect(self._resized)
        table.viewport().installEventFilter(self)

    def _apply_modes(self) -> None:
        header = self._header
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(min(30, header.minimumSectionSize()))
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(
                column, QHeaderView.ResizeMode.Stretch if column in DETAIL
                else QHeaderView.ResizeMode.Interactive)

    def restore(self, state: QByteArray) -> bool:
        """A saved header layout: its widths where they fit, our resize modes (a layout
        saved by an older version had none and would bring the scrollbar back)."""
        restored = self._header.restoreState(state)
        self._apply_modes()
        self._remote_wanted = max(self.remote_min, self._header.sectionSize(COL_REMOTE))
        self.fit()
        return restored

    def _resized(self, column: int, _old: int, new: int) -> None:
        if column == COL_REMOTE and not self._fitting:
            self._remote_wanted = new  # the user's choice, kept as the window changes

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        """Size the remote party (and, if still too wide, the short columns) to the view."""
        header = self._header
        room = self._table.viewport().width()
        if room <= 0:
            return
        self._fitting = True
        try:
            short = sum(header.sectionSize(c) for c in self.compact)
            if short + self.remote_min + 2 * self.detail_min > room:
                # Wider than their values need (a layout saved by an older version).
                for column, width in self.compact.items():
                    header.resizeSection(column, min(width, header.sectionSize(column)))
                short = sum(header.sectionSize(c) for c in self.compact)
            remote = min(self._remote_wanted, room - short - 2 * self.detail_min)
            header.resizeSection(COL_REMOTE, max(self.remote_min, remote))
        finally:
            self._fitting = False
