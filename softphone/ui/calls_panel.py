"""The active calls panel: a card per live call; an ended call's card stays a few seconds."""

from __future__ import annotations

import time
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from softphone.model import Call
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.ids import NIL_ID
from softphone.ui.call_card import CallCard

# Long enough to read who hung up and why; the card's ✕ removes it sooner.
ENDED_CARD_LINGER_S = 8.0
TICK_MS = 500


class ActiveCallsPanel(QScrollArea):
    card_added = Signal(CallCard)
    current_changed = Signal(UUID)  # the current call's id; NIL_ID: none

    def __init__(
        self, recordings_dir: Path, ring_timeout_s: float | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Active calls")
        self.setWidgetResizable(True)
        self.setMinimumWidth(340)
        self.recordings_dir = recordings_dir
        self.ring_timeout_s = ring_timeout_s
        self.linger_s = ENDED_CARD_LINGER_S
        self.cards: dict[UUID, CallCard] = {}
        self._current: UUID | None = None
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._empty = QLabel("No calls. Type a number or a sip: address and press Enter.")
        self._empty.setWordWrap(True)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setEnabled(False)
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)
        self.setWidget(inner)
        # Ticks only while there are cards: an empty panel wakes nobody (issue 16).
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    # -- cards ----------------------------------------------------------------------------

    def show_call(self, call: Call, diagnostics: CallDiagnostics | None) -> CallCard:
        card = self.cards.get(call.id)
        if card is None:
            card = CallCard(call, self.recordings_dir, self.ring_timeout_s)
            card.dismissed.connect(self.remove)
            card.chosen.connect(self.set_current)
            if diagnostics is not None:
                card.update_call(call, diagnostics)
            self.cards[call.id] = card
            if not self._timer.isActive():  # a restart would push the next tick back
                self._timer.start()
            # A ringing incoming call goes on top, where it is seen first; any other live
            # call above the ended ones, which never push a live call out of view.
            position = 0 if card.is_incoming_ringing else self._first_ended_position()
            self._layout.insertWidget(position, card)
            # Shown now: a layout only shows a widget added to a visible parent from a
            # queued call, and until that event runs the card (and its Answer button) is
            # not on screen although the call is in the panel.
            card.show()
            self._empty.hide()
            self.card_added.emit(card)
            if not card.is_incoming_ringing and not call.is_over:
                self.set_current(call.id)
        else:
            was_over = card.is_over
            card.update_call(call, diagnostics)
            if call.is_over and not was_over:
                self._sink(card)
        if call.is_over and self._current == call.id:
            self.set_current(self._next_live())
        elif self._current is None and not call.is_over and not card.is_incoming_ringing:
            self.set_current(call.id)
        return card

    def _first_ended_position(self) -> int:
        """The layout slot of the first ended card (the end of the live ones)."""
        for position in range(self._layout.count()):
            item = self._layout.itemAt(position)
            widget = item.widget() if item is not None else None
            if isinstance(widget, CallCard) and widget.is_over:
                return position
        return self._layout.count() - 1  # before the stretch

    def _sink(self, card: CallCard) -> None:
        """An ended card moves below every live one (it lingers a few seconds there)."""
        self._layout.removeWidget(card)
        self._layout.insertWidget(self._first_ended_position(), card)

    def ordered_cards(self) -> list[CallCard]:
        """The cards top to bottom, as the user sees them."""
        items = (self._layout.itemAt(i) for i in range(self._layout.count()))
        return [w for item in items if item is not None
                and isinstance(w := item.widget(), CallCard)]

    def remove(self, call_id: object) -> None:
        card = self.cards.pop(call_id, None) if isinstance(call_id, UUID) else None
        if card is None:
            return
        self._layout.removeWidget(card)
        card.deleteLater()
        if self._current == call_id:
            self.set_current(self._next_live())
        self._empty.setVisible(not self.cards)
        if not self.cards:
            self._timer.stop()

    def _next_live(self) -> UUID | None:
        live = [c for c in self.cards.values() if not c.is_over and not c.is_incoming_ringing]
        return live[-1].call_id if live else None

    # -- the current call (Esc, the dial pad and Ctrl+R act on it) --------------------------

    @property
    def current(self) -> CallCard | None:
        return self.cards.get(self._current) if self._current is not None else None

    def set_current(self, call_id: object) -> None:
        new = call_id if isinstance(call_id, UUID) and call_id in self.cards else None
        if new is not None and self.cards[new].is_over:
            return
        self._current = new
        for cid, card in self.cards.items():
            card.set_current(cid == new)
        self.current_changed.emit(new if new is not None else NIL_ID)

    def ringing_incoming(self) -> list[CallCard]:
        return [c for c in self.cards.values() if c.is_incoming_ringing]

    def live_cards(self) -> list[CallCard]:
        return [c for c in self.cards.values() if not c.is_over]

    def _tick(self) -> None:
        now = time.monotonic()
        for card in list(self.cards.values()):
            if card.ended_at is not None and now - card.ended_at > self.linger_s:
                self.remove(card.call_id)
            else:
                card.tick()
