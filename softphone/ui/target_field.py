"""The dial target field: checked on every keystroke, with a clear mark and the reason."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from softphone.model import Target, TargetError, parse_target
from softphone.ui.theme import INVALID_RED

HINT = "A sip: URI (sip:1002@pbx.example.com), user@host, or a phone number"


class TargetField(QLineEdit):
    validity_changed = Signal(bool)  # True when the text can be dialled

    def __init__(self, default_domain: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.default_domain = default_domain
        self.setPlaceholderText("sip:user@host or +821012345678")
        self.setAccessibleName("Call target")
        self.setAccessibleDescription(HINT)
        self.setClearButtonEnabled(True)
        self.setToolTip(HINT)
        self.error: str | None = None
        self._valid = False
        self.textChanged.connect(self._check)

    def target(self) -> Target:
        """The parsed target; raises TargetError with a one-line reason."""
        return parse_target(self.text().strip(), self.default_domain)

    @property
    def valid(self) -> bool:
        return self._valid

    def _check(self, text: str) -> None:
        self.error = None
        if text.strip():
            try:
                self.target()
            except TargetError as exc:
                self.error = str(exc)
        valid = bool(text.strip()) and self.error is None
        if self.error:
            # A red frame and a warning glyph: the mark does not rely on colour alone.
            self.setStyleSheet(f"QLineEdit {{ border: 2px solid {INVALID_RED}; }}")
            self.setToolTip(f"⚠ {self.error}")
            self.setAccessibleDescription(self.error)
        else:
            self.setStyleSheet("")
            self.setToolTip(HINT)
            self.setAccessibleDescription(HINT)
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    def revalidate(self) -> None:
        self._check(self.text())
