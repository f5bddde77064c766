"""The twelve-key dial pad: it types digits, or sends DTMF when a call is answered."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QSizePolicy, QWidget

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
_LETTERS = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS",
            "8": "TUV", "9": "WXYZ", "0": "+"}


_KEY_STYLE = (
    "QPushButton { border: 1px solid palette(mid); border-radius: 8px; font-size: 14px;"
    " background: palette(button); }"
    "QPushButton:hover { background: palette(midlight); }"
    "QPushButton:pressed { background: palette(dark); }"
    "QPushButton:focus { border: 2px solid palette(highlight); }"
)


class DialPad(QWidget):
    pressed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Dial pad")
        grid = QGridLayout(self)
        grid.setSpacing(4)
        grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(KEYS):
            letters = _LETTERS.get(key, "")
            button = QPushButton(f"{key}\n{letters}" if letters else f"{key}\n ")
            button.setAccessibleName(f"Key {key}")
            button.setMinimumSize(52, 38)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.setAutoDefault(False)
            # Reachable with Tab (every key, not only the first), and a visible focus ring.
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setStyleSheet(_KEY_STYLE)
            button.clicked.connect(lambda _checked=False, k=key: self.pressed.emit(k))
            grid.addWidget(button, i // 3, i % 3)
            self.buttons[key] = button

    def ordered_buttons(self) -> list[QPushButton]:
        """The twelve keys in reading order (1 2 3 … * 0 #), as Tab walks them."""
        return [self.buttons[key] for key in KEYS]
