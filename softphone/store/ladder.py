"""Keeps each call's SIP messages in the history, as the engine reports them.

Messages arrive inside pjsip's own logging: they are only queued there, and written when
the caller's loop flushes (never SQLite inside a SIP callback). Bounded per call, so a far
end that floods one dialog cannot grow the history without end.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from softphone.model.siptrace import SipMessage
from softphone.store.history import History
from softphone.store.paths import StoreError

_log = logging.getLogger(__name__)
MAX_PER_CALL = 500
_REMEMBERED_CALLS = 2000


class LadderKeeper:
    def __init__(self, history: History) -> None:
        self._history = history
        self._queue: list[SipMessage] = []
        self._counts: OrderedDict[str, int] = OrderedDict()

    def add(self, message: SipMessage) -> None:
        """A trace listener: cheap, no I/O."""
        if not message.of_a_call:
            return
        count = self._counts.pop(message.call_id, 0)
        self._counts[message.call_id] = count + 1
        if len(self._counts) > _REMEMBERED_CALLS:
            self._counts.popitem(last=False)
        if count < MAX_PER_CALL:
            self._queue.append(message)

    def flush(self) -> None:
        if not self._queue:
            return
        batch, self._queue = self._queue, []
        try:
            self._history.save_sip_messages(batch)
        except StoreError as exc:
            _log.warning("SIP messages not kept: %s", exc)
