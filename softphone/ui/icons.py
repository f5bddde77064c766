"""Small icons drawn with QPainter: no icon theme or font glyph is needed to see them.

Glyphs such as ⛔ are missing from many desktop fonts (the do-not-disturb label showed an
empty box); a drawn pixmap renders the same everywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from softphone.ui.theme import ACCENT_GREEN, ACCENT_RED


def _canvas(size: int) -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def dnd_pixmap(size: int = 16) -> QPixmap:
    """A red disc with a white bar: do not disturb."""
    pixmap, painter = _canvas(size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(ACCENT_RED))
    painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
    painter.setBrush(QColor("white"))
    bar = size * 0.18
    painter.drawRect(QRectF(size * 0.2, size / 2 - bar / 2, size * 0.6, bar))
    painter.end()
    return pixmap


def handset_path(size: float) -> QPainterPath:
    """A telephone handset in a box of ``size``: two ear pieces joined by a curved grip."""
    s = size
    path = QPainterPath()
    path.moveTo(QPointF(0.22 * s, 0.12 * s))
    path.cubicTo(QPointF(0.05 * s, 0.25 * s), QPointF(0.18 * s, 0.62 * s),
                 QPointF(0.45 * s, 0.82 * s))
    path.cubicTo(QPointF(0.62 * s, 0.95 * s), QPointF(0.85 * s, 0.95 * s),
                 QPointF(0.9 * s, 0.8 * s))
    return path


def phone_icon(colour: str = "white", size: int = 32, hang_up: bool = False) -> QIcon:
    """A handset drawn as a thick stroke; turned down for hang up."""
    pixmap, painter = _canvas(size)
    pen = QPen(QColor(colour), size * 0.16)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    if hang_up:
        painter.translate(size / 2, size / 2)
        painter.rotate(135)
        painter.translate(-size / 2, -size / 2)
    painter.drawPath(handset_path(size))
    painter.end()
    return QIcon(pixmap)


def dot_icon(colour: str = ACCENT_GREEN, size: int = 12) -> QIcon:
    pixmap, painter = _canvas(size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    painter.end()
    return QIcon(pixmap)
