"""Which ended calls count as missed (model.policy.is_missed), one case a row."""

import pytest
from pydantic import ValidationError

from softphone.model import Call, CallDirection, CallStatus, HangupBy, HangupReason, Timestamp
from softphone.model.policy import IncomingPolicy, is_missed

IN, OUT = CallDirection.INCOMING, CallDirection.OUTGOING
L, R = HangupBy.LOCAL, HangupBy.REMOTE
HR = HangupReason

CASES = [
    # direction, answered, hangup_by, hangup_reason -> missed
    (IN, False, R, HR.CANCEL, True),  # the caller gave up
    (IN, False, L, HR.NOANSWER, True),  # it rang out (our ring timeout)
    (IN, False, R, HR.FAILED, True),  # the caller never ACKed our 200: nobody talked
    (IN, False, L, HR.BUSY, False),  # we declined it (button, do-not-disturb, call limit)
    (IN, True, R, HR.NORMAL, False),  # answered
    (IN, True, L, HR.TIMEOUT, False),
    (OUT, False, R, HR.NOANSWER, False),  # our own call that nobody answered
    (OUT, False, L, HR.CANCEL, False),
]


@pytest.mark.parametrize(("direction", "answered", "by", "reason", "missed"), CASES)
def test_is_missed(direction, answered, by, reason, missed):
    now = Timestamp.now()
    call = Call(direction=direction, status=CallStatus.HANGUP, hangup_by=by,
                hangup_reason=reason, tm_create=now, tm_progressing=now if answered else None,
                tm_hangup=now)
    assert is_missed(call) is missed


def test_a_live_call_is_not_missed_yet():
    call = Call(direction=IN, status=CallStatus.RINGING, tm_create=Timestamp.now())
    assert not is_missed(call)


@pytest.mark.parametrize("field", [{"reject_code": 200}, {"answer_after_s": -1},
                                   {"ring_timeout_s": 0}, {"surprise": True}])
def test_incoming_policy_refuses_what_cannot_be_applied(field):
    with pytest.raises(ValidationError):
        IncomingPolicy(**field)
