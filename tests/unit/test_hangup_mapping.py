"""DESIGN.md's call-semantics table, row by row: the heart of the product."""

import pytest

from softphone.model import CallDirection, CallStatus, EndCause, EndEvent, HangupBy, HangupReason
from softphone.model.hangup import (
    UnmappableEnd,
    local_end_status,
    outcome,
    reason_for_final_response,
)

OUT = CallDirection.OUTGOING
IN = CallDirection.INCOMING
L, R = HangupBy.LOCAL, HangupBy.REMOTE
HR = HangupReason

CASES = [
    # direction, answered, cause, sip code -> hangup_by, hangup_reason
    (OUT, True, EndCause.LOCAL_BYE, None, L, HR.NORMAL),
    (OUT, True, EndCause.REMOTE_BYE, None, R, HR.NORMAL),
    (IN, True, EndCause.LOCAL_BYE, None, L, HR.NORMAL),
    (IN, True, EndCause.REMOTE_BYE, None, R, HR.NORMAL),
    (OUT, True, EndCause.MAX_DURATION, None, L, HR.TIMEOUT),
    (IN, True, EndCause.MAX_DURATION, None, L, HR.TIMEOUT),
    (OUT, True, EndCause.AMD, None, L, HR.AMD),
    (OUT, False, EndCause.LOCAL_CANCEL, None, L, HR.CANCEL),
    (OUT, False, EndCause.LOCAL_BYE, None, L, HR.CANCEL),
    (OUT, False, EndCause.DIAL_TIMEOUT, None, L, HR.DIALOUT),
    (OUT, False, EndCause.NO_RESPONSE, None, R, HR.FAILED),
    (OUT, False, EndCause.TRANSPORT_ERROR, None, R, HR.FAILED),
    (IN, False, EndCause.REMOTE_CANCEL, None, R, HR.CANCEL),
    (IN, False, EndCause.NO_RESPONSE, 408, R, HR.FAILED),  # our 200 was never ACKed
    (IN, False, EndCause.LOCAL_REJECT, 486, L, HR.BUSY),
    (IN, False, EndCause.LOCAL_REJECT, 603, L, HR.BUSY),
    (IN, False, EndCause.LOCAL_REFUSED, 486, L, HR.BUSY),  # the call limit
    (IN, False, EndCause.LOCAL_REFUSED, 488, L, HR.FAILED),  # an offer we cannot use
    (IN, False, EndCause.LOCAL_REFUSED, 500, L, HR.FAILED),
    (IN, False, EndCause.RING_TIMEOUT, None, L, HR.NOANSWER),
    (IN, False, EndCause.AMD, None, L, HR.AMD),
    # A chained call whose master ended: normal, ringing or talking (VoIPBIN's rule).
    (OUT, False, EndCause.MASTER_ENDED, None, L, HR.NORMAL),
    (OUT, True, EndCause.MASTER_ENDED, None, L, HR.NORMAL),
]

# Every final-response class an INVITE can meet, from the far end.
FINAL_RESPONSES = [
    (300, HR.FAILED), (301, HR.FAILED), (302, HR.FAILED), (380, HR.FAILED),
    (400, HR.FAILED), (401, HR.FAILED), (403, HR.FAILED), (404, HR.FAILED),
    (405, HR.FAILED), (407, HR.FAILED), (408, HR.FAILED), (410, HR.FAILED),
    (415, HR.FAILED), (420, HR.FAILED), (480, HR.NOANSWER), (481, HR.FAILED),
    (484, HR.FAILED), (485, HR.FAILED), (486, HR.BUSY), (487, HR.NOANSWER),
    (488, HR.FAILED), (491, HR.FAILED), (500, HR.FAILED), (501, HR.FAILED),
    (502, HR.FAILED), (503, HR.FAILED), (504, HR.FAILED), (580, HR.FAILED),
    (600, HR.BUSY), (603, HR.NOANSWER), (604, HR.FAILED), (606, HR.FAILED),
]


@pytest.mark.parametrize(("direction", "answered", "cause", "code", "by", "reason"), CASES)
def test_table(direction, answered, cause, code, by, reason):
    result = outcome(EndEvent(cause, direction, answered, code))
    assert (result.hangup_by, result.hangup_reason) == (by, reason)


@pytest.mark.parametrize(("code", "reason"), FINAL_RESPONSES)
def test_remote_final_response(code, reason):
    result = outcome(EndEvent(EndCause.REMOTE_FINAL_RESPONSE, OUT, False, code))
    assert result.hangup_by is R
    assert result.hangup_reason is reason


@pytest.mark.parametrize("code", [100, 180, 200, 299, 700])
def test_non_failure_codes_are_refused(code):
    with pytest.raises(UnmappableEnd):
        reason_for_final_response(code)


@pytest.mark.parametrize(
    "event",
    [
        EndEvent(EndCause.REMOTE_CANCEL, OUT, False),  # a caller cannot CANCEL its own call
        EndEvent(EndCause.REMOTE_CANCEL, IN, True),  # nor CANCEL after answer
        EndEvent(EndCause.DIAL_TIMEOUT, IN, False),  # incoming calls have no dial timer
        EndEvent(EndCause.RING_TIMEOUT, OUT, False),
        EndEvent(EndCause.REMOTE_FINAL_RESPONSE, OUT, False),  # no code given
        EndEvent(EndCause.LOCAL_CANCEL, IN, False),
    ],
)
def test_impossible_events_are_refused(event):
    with pytest.raises(UnmappableEnd):
        outcome(event)


def test_local_means_we_acted():
    # hangup_by is local exactly for our own acts.
    from softphone.model.hangup import LOCAL_CAUSES

    assert {c for c in EndCause if c.value.startswith(("local", "dial", "max", "ring", "amd", "master"))} == set(
        LOCAL_CAUSES
    )


@pytest.mark.parametrize(
    ("direction", "answered", "status"),
    [
        (OUT, False, CallStatus.CANCELING),
        (OUT, True, CallStatus.TERMINATING),
        (IN, False, CallStatus.TERMINATING),  # only the originator cancels
        (IN, True, CallStatus.TERMINATING),
    ],
)
def test_local_end_status(direction, answered, status):
    assert local_end_status(direction, answered) is status
