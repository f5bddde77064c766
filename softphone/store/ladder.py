"""Keeps each call's SIP messages in the history, as the engine reports them.

Messages arrive inside pjsip's own logging: they are only queued there, and written when
the caller's loop flushes (never SQLite inside a SIP callback). Only the messages of our
calls are kept: a message waits (bounded) until a call with its Call-ID is seen, so stray
dialogs (a BYE answered 481, a scanner's INVITE that never became a call) never fill the
history; and each call keeps at most MAX_PER_CALL, so a far end that floods one dialog
cannot grow it without end.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

from softphone.model.diagnostics import CallDiagnostics
from softphone.model.siptrace import SipMessage
from softphone.store.history import History
from softphone.store.paths import StoreError

_log = logging.getLogger(__name__)
MAX_PER_CALL = 500
_REMEMBERED_CALLS = 2000  # recent calls' Call-IDs (a live call is touched at every update)
_WAITING_IDS = 200  # Call-IDs seen in messages but not (yet) as a call
_WAITING_PER_ID = 50


class _Update(Protocol):
    @property
    def diagnostics(self) -> CallDiagnostics: ...


class LadderKeeper:
    def __init__(self, history: History) -> None:
        self._history = history
        self._queue: list[SipMessage] = []
        self._kept: OrderedDict[str, int] = OrderedDict()  # a call's Call-ID -> messages kept
        self._waiting: OrderedDict[str, list[SipMessage]] = OrderedDict()

    def add(self, message: SipMessage) -> None:
        """A trace listener: cheap, no I/O."""
        if not message.of_a_call:
            return
        call_id = message.call_id
        if call_id in self._kept:
            self._keep(call_id, message)
            return
        waiting = self._waiting.setdefault(call_id, [])
        self._waiting.move_to_end(call_id)
        if len(waiting) < _WAITING_PER_ID:
            waiting.append(message)
        while len(self._waiting) > _WAITING_IDS:
            self._waiting.popitem(last=False)

    def known(self, call_id: str) -> None:
        """A call of ours has this Call-ID: its messages, and all that follow, are kept."""
        if call_id in self._kept:
            self._kept.move_to_end(call_id)
            return
        self._kept[call_id] = 0
        while len(self._kept) > _REMEMBERED_CALLS:
            self._kept.popitem(last=False)
        for message in self._waiting.pop(call_id, []):
            self._keep(call_id, message)

    def follow(self, update: _Update) -> None:
        """A call listener: every update names its call's Call-ID."""
        if update.diagnostics.call_id_header:
            self.known(update.diagnostics.call_id_header)

    def _keep(self, call_id: str, message: SipMessage) -> None:
        count = self._kept[call_id]
        if count < MAX_PER_CALL:
            self._kept[call_id] = count + 1
            self._queue.append(message)

    def flush(self) -> None:
        if not self._queue:
            return
        batch, self._queue = self._queue, []
        try:
            self._history.save_sip_messages(batch)
        except StoreError as exc:
            _log.warning("SIP messages not kept: %s", exc)
