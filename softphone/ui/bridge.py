"""Engine updates as a Qt signal, so widgets observe calls the Qt way."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from softphone.ui.facade import Update


class CallSignals(QObject):
    # The engine's CallUpdate, seen through the facade's protocol (the UI never imports
    # the engine): a Call snapshot and its diagnostics.
    changed = Signal(Update)

    def deliver(self, update: Update) -> None:
        # The engine is polled on the GUI thread (DESIGN.md), so this emits directly.
        self.changed.emit(update)
