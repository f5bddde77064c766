"""A flow's connect: dial destinations chained to a call, bridge the first to answer.

Every destination is dialled at once (VoIPBIN's connect), each a Call chained to the
flow's call (master_call_id / chained_call_ids). The first to answer is bridged with the
master (engine.bridge: the two hear each other, not us); the others are hung up. The
action is over when the bridged call ends (the master goes back to our devices and its flow
goes on) or when no destination answered. The master's end hangs up the chained calls
(the engine's rule, engine.retire). Runs on the poll thread; events through 0 s timers.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from softphone.engine.errors import EngineError
from softphone.model import CallStatus, TargetError, parse_target

if TYPE_CHECKING:
    from softphone.engine.engine import CallUpdate, Engine

_log = logging.getLogger(__name__)


class Connect:
    def __init__(self, engine: Engine, master: UUID, on_bridged: Callable[[str], None],
                 on_done: Callable[[str], None]) -> None:
        self._engine = engine
        self._master = master
        self._on_bridged = on_bridged
        self._on_done = on_done
        self._dialled: dict[UUID, str] = {}  # call id -> its target, as written
        self._ended: set[UUID] = set()
        self.winner: UUID | None = None
        self._over = False

    def dial(self, targets: list[str], ring_timeout_s: float, domain: str | None) -> None:
        parsed = []
        for text in targets:
            try:
                parsed.append((text, parse_target(text, domain)))
            except TargetError as exc:
                raise EngineError(f"destination {text!r}: {exc}") from None
        self._engine.add_listener(self._changed)
        for text, target in parsed:
            try:
                call = self._engine.make_call(target, dial_timeout_s=ring_timeout_s,
                                              master=self._master)
            except EngineError as exc:  # the call limit: the rest cannot be dialled either
                _log.warning("connect: could not dial %s: %s", text, exc)
                break
            self._dialled[call.id] = text
            if call.is_over:  # the INVITE could not even be sent
                self._ended.add(call.id)
        if not self._dialled or self._ended >= set(self._dialled):
            self._engine.call_later(0, lambda: self._finish("no destination could be dialled"))

    def _changed(self, update: CallUpdate) -> None:
        call = update.call
        if call.id not in self._dialled or self._over:
            return
        if call.status is CallStatus.PROGRESSING and self.winner is None:
            self.winner = call.id
            self._engine.call_later(0, lambda: self._bridge(call.id))
        if call.is_over and call.id not in self._ended:
            self._ended.add(call.id)
            if call.id == self.winner:
                self._engine.call_later(0, lambda: self._finish(
                    f"{self._dialled[call.id]} hung up"))
            elif self.winner is None and self._ended >= set(self._dialled):
                self._engine.call_later(0, lambda: self._finish("no destination answered"))

    def _bridge(self, winner: UUID) -> None:
        if self._over:
            return
        for other in self._dialled:
            if other != winner and other not in self._ended:
                self._hang_up(other)
        try:
            self._engine.bridge(self._master, winner)
        except EngineError as exc:  # one of them ended meanwhile: the events follow
            _log.info("connect: could not bridge: %s", exc)
            return
        self._on_bridged(self._dialled[winner])

    def _hang_up(self, call_id: UUID) -> None:
        with contextlib.suppress(EngineError):  # ended meanwhile
            self._engine.end_call(call_id)

    def _finish(self, outcome: str) -> None:
        if self._over:
            return
        self._over = True
        self._engine.remove_listener(self._changed)
        self._engine.unbridge(self._master)
        self._on_done(outcome)

    def cancel(self) -> None:
        """The action ended otherwise (the master ended, the flow stopped): calls still
        ringing are hung up; a bridged call stays, the master's end ends it."""
        if self._over:
            return
        self._over = True
        self._engine.remove_listener(self._changed)
        if not self._engine.is_live(self._master):
            return  # the engine's chained rule ends them (as normal, ringing or not)
        for call_id in self._dialled:
            if call_id != self.winner and call_id not in self._ended:
                self._hang_up(call_id)
