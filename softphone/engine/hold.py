"""Hold and resume: a re-INVITE with sendonly (hold) or sendrecv (resume).

The wish (``CallMedia.holding``) is kept apart from what was last sent: the user may press
hold and resume faster than a re-INVITE completes, and pjsua refuses a second re-INVITE
while one is pending; the latest wish is then sent when the pending one is done.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pjsua2 as pj

from softphone.engine.errors import EngineError
from softphone.engine.transport import error_text
from softphone.model import CallStatus

if TYPE_CHECKING:
    from softphone.engine.session import CallSession

_log = logging.getLogger(__name__)
RETRY_S = 0.2
RETRIES = 25  # ~5 s: a re-INVITE transaction's own timeout is longer, but rarely needed


def want_hold(session: CallSession, holding: bool) -> None:
    """Ask for hold (True) or resume (False) of an answered call."""
    if session.pj is None or session.call.status is not CallStatus.PROGRESSING:
        raise EngineError("only an answered call can be held or resumed")
    if session.media.holding == holding and session.hold_sent == holding:
        return
    session.media.holding = holding
    session.media.reconnect()  # our microphone leaves a held call at once
    if session.media.conference is not None:
        session.media.conference.relink()  # and the other parties' voices too
    _send(session, RETRIES)


def _send(session: CallSession, retries: int) -> None:
    if session.pj is None or session.call.status is not CallStatus.PROGRESSING:
        return
    holding = session.media.holding
    if session.hold_sent == holding:
        return
    prm = pj.CallOpParam(True)
    try:
        if holding:
            session.pj.setHold(prm)
        else:
            prm.opt.flag = pj.PJSUA_CALL_UNHOLD
            session.pj.reinvite(prm)
    except pj.Error as exc:
        reason = error_text(exc)
        del exc
        if retries <= 0:
            _log.warning("call %s: could not %s: %s", session.call.id,
                         "hold" if holding else "resume", reason)
            return
        # A re-INVITE (ours or theirs) is still pending: try again shortly.
        _log.debug("call %s: %s deferred: %s", session.call.id,
                   "hold" if holding else "resume", reason)
        session.set_timer("hold", RETRY_S, lambda: _send(session, retries - 1))
        return
    session.hold_sent = holding
    _log.debug("call %s: %s sent", session.call.id, "hold" if holding else "resume")
