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

# (light palette, dark palette) text colours for hangup reasons. From the Okabe-Ito set,
# chosen to stay apart under red-green colour blindness (busy is orange, noanswer blue:
# the old amber and olive looked alike to a deuteranope), each outcome also has its own
# glyph (REASON_GLYPHS) so colour is never the only cue.
_REASON_COLOURS: dict[HangupReason, tuple[str, str]] = {
    HangupReason.NORMAL: ("#007a5a", "#3ccf9e"),
    HangupReason.BUSY: ("#b36b00", "#e69f00"),
    HangupReason.NOANSWER: ("#0064a8", "#56b4e9"),
    HangupReason.CANCEL: ("#5d6d7e", "#aab7b8"),
    HangupReason.FAILED: ("#c2410c", "#ff8a5c"),
    HangupReason.TIMEOUT: ("#9c4a80", "#cc79a7"),
    HangupReason.DIALOUT: ("#9c4a80", "#cc79a7"),
    HangupReason.AMD: ("#1f5f99", "#85c1e9"),
}
REASON_GLYPHS: dict[HangupReason, str] = {
    HangupReason.NORMAL: "✓",
    HangupReason.BUSY: "⊘",
    HangupReason.NOANSWER: "⌛",
    HangupReason.CANCEL: "↩",
    HangupReason.FAILED: "✗",
    HangupReason.TIMEOUT: "⏱",
    HangupReason.DIALOUT: "⏱",
    HangupReason.AMD: "⌁",
}

# The one primary action colour (Call, Answer) and the one for ending (Hang up, Decline).
ACCENT_GREEN = "#15803d"
ACCENT_RED = "#b91c1c"
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


def dark_palette() -> QPalette:
    """A calm dark palette for Fusion (Qt has none built in for Linux)."""
    palette = QPalette()
    role = QPalette.ColorRole
    for r, colour in (
        (role.Window, "#1f2329"), (role.WindowText, "#e6e6e6"), (role.Base, "#16191d"),
        (role.AlternateBase, "#22262c"), (role.Text, "#e6e6e6"), (role.Button, "#2a2f36"),
        (role.ButtonText, "#e6e6e6"), (role.Highlight, "#3b82f6"),
        (role.HighlightedText, "#ffffff"), (role.ToolTipBase, "#2a2f36"),
        (role.ToolTipText, "#e6e6e6"), (role.PlaceholderText, "#8b949e"),
        (role.Mid, "#3a4049"), (role.Midlight, "#323840"), (role.Dark, "#111317"),
        (role.Link, "#6ea8fe"), (role.BrightText, "#ffffff"),
    ):
        palette.setColor(r, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, r, QColor("#6b7280"))
    return palette


def apply_style(app: QApplication, scheme: str = "system") -> None:
    """Fusion everywhere (one look on every desktop), light or dark as the system says.

    ``scheme``: "system", "light" or "dark" (the screenshots take both)."""
    from PySide6.QtCore import Qt

    app.setStyle("Fusion")
    if scheme == "system":
        hints = app.styleHints()
        dark = hints.colorScheme() == Qt.ColorScheme.Dark
    else:
        dark = scheme == "dark"
    style = app.style()
    app.setPalette(dark_palette() if dark else style.standardPalette())
