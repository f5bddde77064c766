"""Colours for statuses and hangup reasons, readable on the system's light or dark palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from softphone.model import CallStatus, HangupReason

# Badge backgrounds carry white text, so one set serves both palettes.
STATUS_COLOURS: dict[CallStatus, str] = {
    CallStatus.DIALING: "#2f6fb5",
    CallStatus.RINGING: "#b8860b",
    CallStatus.PROGRESSING: "#1e8449",
    CallStatus.TERMINATING: "#a04000",
    CallStatus.CANCELING: "#7d3c98",
    CallStatus.HANGUP: "#5d6d7e",
}

# (light palette, dark palette) text colours for the history's hangup_reason column.
_REASON_COLOURS: dict[HangupReason, tuple[str, str]] = {
    HangupReason.NORMAL: ("#1e8449", "#58d68d"),
    HangupReason.BUSY: ("#ca6f1e", "#f5b041"),
    HangupReason.NOANSWER: ("#9a7d0a", "#f4d03f"),
    HangupReason.CANCEL: ("#5d6d7e", "#aab7b8"),
    HangupReason.FAILED: ("#c0392b", "#ff7b6b"),
    HangupReason.TIMEOUT: ("#7d3c98", "#c39bd3"),
    HangupReason.DIALOUT: ("#7d3c98", "#c39bd3"),
    HangupReason.AMD: ("#2471a3", "#85c1e9"),
}

RECORDING_RED = "#e0302a"
INVALID_RED = "#c0392b"


def is_dark(palette: QPalette | None = None) -> bool:
    if palette is None:
        app = QApplication.instance()
        palette = app.palette() if isinstance(app, QApplication) else QPalette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def reason_colour(reason: HangupReason, dark: bool | None = None) -> QColor:
    light_hex, dark_hex = _REASON_COLOURS.get(reason, ("#5d6d7e", "#aab7b8"))
    return QColor(dark_hex if (is_dark() if dark is None else dark) else light_hex)


def badge_style(status: CallStatus) -> str:
    colour = STATUS_COLOURS[status]
    return (
        f"QLabel {{ background: {colour}; color: white; border-radius: 9px;"
        " padding: 2px 10px; font-weight: 600; }"
    )
