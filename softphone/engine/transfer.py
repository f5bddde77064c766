"""Transfers we make: blind (REFER) and attended (REFER with Replaces).

The call is held first; the far end's NOTIFYs report the new call's progress, shown in
``CallDiagnostics.transfer``. A 2xx ends our call (local, normal, "transferred to ...");
any failure resumes it, with the reason shown, so the user keeps a live call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pjsua2 as pj

from softphone.engine import hold
from softphone.engine.errors import EngineError
from softphone.engine.transport import error_text
from softphone.model import CallChange, CallStatus, EndCause

if TYPE_CHECKING:
    from softphone.engine.session import CallSession

_log = logging.getLogger(__name__)
ACCEPTED = 202  # the REFER's own answer, not the new call's progress


@dataclass
class Transfer:
    target: str
    consult: CallSession | None = None  # attended: our call to the target
    was_holding: bool = False  # held before (attended: call waiting held it)


def start(session: CallSession, target: str, consult: CallSession | None = None) -> None:
    if session.pj is None or session.call.status is not CallStatus.PROGRESSING:
        raise EngineError("only an answered call can be transferred")
    if session.transfer is not None:
        raise EngineError("this call is already being transferred")
    was_holding = session.media.holding
    hold.want_hold(session, True)
    prm = pj.CallOpParam(True)
    try:
        if consult is not None:
            assert consult.pj is not None
            session.pj.xferReplaces(consult.pj, prm)
        else:
            session.pj.xfer(target, prm)
    except pj.Error as exc:
        reason = error_text(exc)
        del exc
        hold.want_hold(session, was_holding)
        raise EngineError(f"could not transfer: {reason}") from None
    session.transfer = Transfer(target, consult, was_holding)
    _show(session, f"transferring to {target}")


def progress(session: CallSession, prm: pj.OnCallTransferStatusParam) -> None:
    """A NOTIFY (or the REFER's answer): the new call's state as the far end sees it."""
    transfer = session.transfer
    if transfer is None or session.call.is_over:
        prm.cont = False
        return
    code, reason = int(prm.statusCode), str(prm.reason)
    if 200 <= code < 300 and code != ACCEPTED:
        prm.cont = False
        _succeeded(session, transfer)
    elif code >= 300 or (prm.finalNotify and code < 200):
        prm.cont = False
        _failed(session, f"{code} {reason}".strip())
    else:
        _show(session, f"transferring to {transfer.target}: {code} {reason}".strip())


def _succeeded(session: CallSession, transfer: Transfer) -> None:
    _log.info("call %s transferred to %s", session.call.id, transfer.target)
    _show(session, f"transferred to {transfer.target}")
    session.origin = f"transferred to {transfer.target}"
    session.end_locally(EndCause.LOCAL_BYE)
    consult = transfer.consult
    if consult is not None and not consult.call.is_over:
        consult.origin = f"transferred to {session.call.remote.target}"
        consult.end_locally(EndCause.LOCAL_BYE)


def _failed(session: CallSession, reason: str) -> None:
    _log.warning("call %s: transfer failed: %s", session.call.id, reason)
    transfer, session.transfer = session.transfer, None
    assert transfer is not None
    _show(session, f"transfer failed: {reason}")
    if session.call.status is CallStatus.PROGRESSING and not transfer.was_holding:
        # Back to talking; a call that was held (the user talks with the consultee) stays
        # held, so two calls never talk at once.
        hold.want_hold(session, False)


def _show(session: CallSession, text: str) -> None:
    session.set_diag(transfer=text)
    session.publish(CallChange.DIAGNOSTICS)
