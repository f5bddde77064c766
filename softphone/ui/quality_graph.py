"""A call's quality over time: MOS as a line, packet loss as bars (drawn, no chart library)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from softphone.model.quality import QualitySummary

_MOS_MIN, _MOS_MAX = 1.0, 4.5
_MOS_COLOUR = QColor("#1e8449")
_LOSS_COLOUR = QColor(192, 57, 43, 140)


def quality_words(summary: QualitySummary) -> str:
    """The summary in one line for the card and the details."""
    rtt = f", round trip {summary.rtt_ms.avg:.0f} ms" if summary.rtt_ms is not None else ""
    return (f"{summary.codec}: MOS {summary.mos.avg:.2f} (min {summary.mos.min:.2f}, max "
            f"{summary.mos.max:.2f}), loss {summary.loss_pct.avg:.1f}% (max "
            f"{summary.loss_pct.max:.1f}%), jitter {summary.jitter_ms.avg:.1f} ms (max "
            f"{summary.jitter_ms.max:.1f}){rtt}")


class QualityGraph(QWidget):
    def __init__(self, summary: QualitySummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        self.setAccessibleName("Call quality graph")
        self.setToolTip("MOS (green line, 1 to 4.5) and packet loss (red bars) over the call")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(480, 110)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(4, 4, -4, -4)
        painter.setPen(QPen(self.palette().mid().color()))
        painter.drawRect(area)
        mos, loss = self.summary.mos_series, self.summary.loss_series
        if not mos:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "no quality measured")
            return
        step = area.width() / max(1, len(mos) - 1) if len(mos) > 1 else area.width()
        top_loss = max(10.0, max(loss, default=0.0))
        bar = max(1.0, step * 0.8)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_LOSS_COLOUR)
        for i, value in enumerate(loss):
            height = area.height() * value / top_loss
            x = area.left() + i * step - bar / 2
            painter.drawRect(QRectF(x, area.bottom() - height, bar, height))
        points = []
        for i, value in enumerate(mos):
            share = (value - _MOS_MIN) / (_MOS_MAX - _MOS_MIN)
            points.append(QPointF(area.left() + i * step, area.bottom() - share * area.height()))
        painter.setPen(QPen(_MOS_COLOUR, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if len(points) == 1:
            painter.drawEllipse(points[0], 2, 2)
        else:
            painter.drawPolyline(QPolygonF(points))
