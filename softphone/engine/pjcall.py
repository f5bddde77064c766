"""pjsua2's Call, subclassed only to forward its callbacks to a session it does not own."""

from __future__ import annotations

import logging
import traceback
import weakref
from collections.abc import Callable
from typing import Any, Protocol

import pjsua2 as pj

_log = logging.getLogger(__name__)


def log_exception(message: str) -> None:
    """Log the current exception as text: a kept traceback would keep pjsua2 objects (and
    their frames) alive past their time, and one freed after libDestroy aborts."""
    _log.error("%s:\n%s", message, traceback.format_exc())


def guarded(fn: Callable[..., Any], *args: Any) -> None:
    """Run a callback body; an exception must never travel back into pjsua2's C++."""
    try:
        fn(*args)
    except Exception:
        log_exception("error while handling a SIP event")


class CallEvents(Protocol):
    """What a PjCall forwards to (a CallSession)."""

    def on_state(self, prm: pj.OnCallStateParam) -> None: ...

    def on_tsx(self, prm: pj.OnCallTsxStateParam) -> None: ...

    def on_media(self) -> None: ...

    def on_transfer_request(self, prm: pj.OnCallTransferRequestParam) -> None: ...

    def on_replaced(self, prm: pj.OnCallReplacedParam) -> None: ...

    def on_transfer_status(self, prm: pj.OnCallTransferStatusParam) -> None: ...

    def on_dtmf(self, digit: str) -> None: ...


# Every PjCall still alive: at shutdown any left (held by a stray reference: a traceback,
# a loop variable) are disowned, so their later collection cannot abort the process.
LIVE_CALLS: weakref.WeakSet[PjCall] = weakref.WeakSet()


class PjCall(pj.Call):  # type: ignore[misc]
    def __init__(self, account: pj.Account, session: CallEvents, call_id: int) -> None:
        super().__init__(account, call_id)
        LIVE_CALLS.add(self)
        self.account = account
        # A weak reference: a cycle through a SWIG object could let the garbage collector
        # free it after libDestroy, which aborts the process (DESIGN.md).
        self._session = weakref.ref(session)

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_state, prm)

    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_tsx, prm)

    def onCallRedirected(self, prm: pj.OnCallRedirectedParam) -> int:
        # Not followed: the 3xx is then reported as the final response (a failed call),
        # where pjsua's default would turn it into a 487 that reads like a cancel.
        return int(pj.PJSIP_REDIRECT_REJECT)

    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_media)

    def onCallTransferRequest(self, prm: pj.OnCallTransferRequestParam) -> None:
        # Left to pjsua2's default, the new call would run on this same Call object and
        # the process later crashes (DESIGN.md): the session decides, and gives a new one.
        session = self._session()
        if session is None:
            prm.statusCode = 603
            return
        try:
            session.on_transfer_request(prm)
        except Exception:
            log_exception("error while handling a transfer request")
            prm.statusCode = 500
            prm.newCall = None

    def onCallReplaced(self, prm: pj.OnCallReplacedParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_replaced, prm)

    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        session = self._session()
        if session is None:
            prm.cont = False
            return
        guarded(session.on_transfer_status, prm)

    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        session = self._session()
        if session is not None:
            guarded(session.on_dtmf, str(prm.digit))
