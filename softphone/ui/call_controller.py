"""The user's call acts (place, hang up, answer, decline, record, DTMF) as engine commands.

The window and the call cards say *what* the user asked; this turns it into engine calls,
and an engine error (the call just ended, the account went away) into one status line.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QInputDialog, QWidget

from softphone.model import CallStatus, Target, TargetError, parse_target
from softphone.store import CallSettings
from softphone.ui.call_card import CallCard
from softphone.ui.calls_panel import ActiveCallsPanel
from softphone.ui.facade import CallControl
from softphone.ui.host_lookup import needs_lookup, resolve, uri_host
from softphone.ui.worker import Worker


class CallController(QObject):
    message = Signal(str)  # one line for the status bar

    def __init__(
        self, engine: CallControl, calls: ActiveCallsPanel, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._engine = engine
        self._calls = calls
        self._dtmf_sent: dict[UUID, str] = {}
        self.default_domain: str | None = None  # for transfer targets typed as numbers
        self._lookup = Worker("dns", self)

    # -- placing a call --------------------------------------------------------------------

    def place(self, target: Target, account: str | None, settings: CallSettings) -> None:
        """Call ``target`` from ``account`` (None: the local identity), resolving its host
        first off the GUI thread when it is a name."""
        if needs_lookup(target.uri):
            host = uri_host(target.uri)
            self.message.emit(f"Looking up {host}…")
            self._lookup.submit(
                lambda: resolve(host),
                lambda _address: self._make_call(target, account, settings),
                lambda error: self._lookup_failed(target, host, error, account),
            )
        else:
            self._make_call(target, account, settings)

    def _lookup_failed(
        self, target: Target, host: str, error: Exception, account: str | None
    ) -> None:
        # The call never reached the engine, yet every call lands in history: the engine
        # files the attempt as failed (by the network, so hangup_by remote) with the reason.
        reason = f"the host {host} cannot be found ({_reason(error)})"
        message = f"Cannot call {target.uri}: {reason}"
        try:
            self._engine.record_failed_attempt(target, reason, account)
        except Exception as exc:  # the account went away meanwhile, the engine stopped...
            message += f" (not kept in history: {exc})"
        self.message.emit(message)

    def _make_call(self, target: Target, account: str | None, calls: CallSettings) -> None:
        try:
            self._engine.make_call(
                target,
                dial_timeout_s=calls.dial_timeout_s,
                max_duration_s=calls.max_duration_s,
                record=calls.record_all,
                account=account,
            )
        except Exception as exc:  # the engine's errors are one line meant for the user
            self.message.emit(str(exc))
            return
        self.message.emit(f"Calling {target.uri}")

    # -- the current call, the first ringing one ---------------------------------------------

    def hang_up(self) -> None:
        """End the current call, one we placed or answered (Esc, Hang up).

        Never a call ringing in: one stray Esc would send the caller 486. Decline has its
        own button and shortcut."""
        card = self._calls.current
        if card is not None and not card.is_over and not card.is_incoming_ringing:
            self.hang_up_call(card.call_id)
        elif self._calls.ringing_incoming():
            self.message.emit("A call is ringing in: Decline it with its button or "
                              "Ctrl+Shift+D")

    def answer_ringing(self) -> None:
        ringing = self._calls.ringing_incoming()
        if ringing:
            self.answer(ringing[0].call_id)

    def decline_ringing(self) -> None:
        ringing = self._calls.ringing_incoming()
        if ringing:
            self.decline(ringing[0].call_id)

    def toggle_recording(self) -> None:
        card = self._calls.current
        if card is not None and card.record_button.isEnabled():
            card.record_button.toggle()

    def send_key(self, key: str) -> bool:
        """A dial pad key as DTMF on the answered current call; False: no such call."""
        card = self._calls.current
        if card is None or card.call.status is not CallStatus.PROGRESSING:
            return False
        self.send_key_to(card.call_id, key)
        return True

    def send_key_to(self, call_id: UUID, key: str) -> None:
        """A key typed on an answered call's card (or its dial pad key) as DTMF."""
        card = self._calls.cards.get(call_id)
        if card is None:
            return
        if self._act(self._engine.send_dtmf, card.call_id, key):
            sent = self._dtmf_sent.get(card.call_id, "") + key
            self._dtmf_sent[card.call_id] = sent
            card.show_digits(sent)

    # -- one call, by id (its card's buttons) -------------------------------------------------

    def wire_card(self, card: CallCard) -> None:
        card.hangup_requested.connect(self.hang_up_call)
        card.answer_requested.connect(self.answer)
        card.decline_requested.connect(self.decline)
        card.record_toggled.connect(self.set_recording)
        card.key_typed.connect(self.send_key_to)
        card.chosen.connect(self.pick)
        bar = card.controls
        bar.hold_toggled.connect(self.set_hold)
        bar.mute_toggled.connect(self.set_mute)
        bar.transfer_requested.connect(self.ask_transfer)
        bar.conference_requested.connect(lambda _cid: self.conference())
        bar.end_conference_requested.connect(
            lambda _cid: self._act(self._engine.end_conference))

    # -- call control: hold, switching, mute, transfer, conference ---------------------------

    def set_hold(self, call_id: UUID, on: bool) -> None:
        # Resuming holds the call we talk on: one call talks at a time (the engine's rule).
        self._act(self._engine.hold if on else self._engine.resume, call_id)

    def pick(self, call_id: UUID) -> None:
        """A card clicked: a call we hold is resumed (and the one we talk on held)."""
        card = self._calls.cards.get(call_id)
        if card is not None and card.diagnostics is not None and card.diagnostics.held_by_us \
                and card.call.status is CallStatus.PROGRESSING:
            self._act(self._engine.resume, call_id)

    def toggle_hold(self) -> None:
        card = self._answered_current()
        if card is not None:
            card.controls.hold_button.toggle()

    def toggle_mute(self) -> None:
        card = self._answered_current()
        if card is not None:
            card.controls.mute_button.toggle()

    def set_mute(self, call_id: UUID, on: bool) -> None:
        self._act(self._engine.set_mute, call_id, on)

    def conference(self) -> None:
        try:
            members = self._engine.conference()
        except Exception as exc:
            self.message.emit(str(exc))
            return
        self.message.emit(f"{len(members)} calls in the conference")

    def ask_transfer(self, call_id: UUID) -> None:
        """Ask for the target: a typed one (blind transfer), or another answered call
        (attended: REFER with Replaces connects the two far ends)."""
        others = {f"call with {c.call.remote.target}": c.call_id for c in self._calls.live_cards()
                  if c.call_id != call_id and c.call.status is CallStatus.PROGRESSING}
        parent = self.parent()
        text, ok = QInputDialog.getItem(
            parent if isinstance(parent, QWidget) else None, "Transfer",
            "Transfer to (a number or sip: address, or one of your other calls):",
            list(others), 0, True)
        if ok and text.strip():
            self.transfer(call_id, text.strip(), others.get(text))

    def transfer(self, call_id: UUID, text: str, consult: UUID | None = None) -> None:
        if consult is not None:
            self._act(self._engine.complete_transfer, call_id, consult)
            return
        try:
            target = parse_target(text, self.default_domain)
        except TargetError as exc:
            self.message.emit(str(exc))
            return
        if self._act(self._engine.transfer, call_id, target):
            self.message.emit(f"Transferring to {target.uri}")

    def _answered_current(self) -> CallCard | None:
        card = self._calls.current
        if card is None or card.call.status is not CallStatus.PROGRESSING:
            return None
        return card

    def hang_up_call(self, call_id: UUID) -> None:
        self._act(self._engine.hangup, call_id)

    def answer(self, call_id: UUID) -> None:
        self._act(self._engine.answer, call_id)

    def decline(self, call_id: UUID) -> None:
        self._act(self._engine.reject, call_id)

    def set_recording(self, call_id: UUID, on: bool) -> None:
        self._act(self._engine.set_recording, call_id, on)

    def call_ended(self, call_id: UUID) -> None:
        self._dtmf_sent.pop(call_id, None)

    def shutdown(self) -> None:
        self._lookup.shutdown()

    def _act(self, fn: Callable[..., object], *args: object) -> bool:
        """Run an engine command; its error (the call just ended...) goes to the status bar."""
        try:
            fn(*args)
        except Exception as exc:
            self.message.emit(str(exc))
            return False
        return True


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
