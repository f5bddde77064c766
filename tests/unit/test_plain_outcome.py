"""Plain words for every way a call ends: one sentence, never contradicting the facts."""

from datetime import timedelta
from uuid import uuid4

import pytest

from softphone.model import Call, CallDirection, CallStatus, HangupBy, HangupReason, Timestamp
from softphone.model.explain import plain_outcome, sip_code_meaning

OUT, IN = CallDirection.OUTGOING, CallDirection.INCOMING
L, R = HangupBy.LOCAL, HangupBy.REMOTE
HR = HangupReason


def ended(direction, by, reason, *, ring_s=None, talk_s=None) -> Call:
    start = Timestamp.now()
    call = Call(direction=direction, status=CallStatus.HANGUP, hangup_by=by,
                hangup_reason=reason, tm_create=start)
    t = start.to_datetime()
    if ring_s is not None:
        call.tm_ringing = Timestamp.from_datetime(t)
        t += timedelta(seconds=ring_s)
    if talk_s is not None:
        call.tm_progressing = Timestamp.from_datetime(t)
        t += timedelta(seconds=talk_s)
    call.tm_hangup = Timestamp.from_datetime(t)
    return call


def chained(call: Call) -> Call:
    call.master_call_id = uuid4()
    return call


@pytest.mark.parametrize(
    ("call", "code", "words"),
    [
        (ended(OUT, R, HR.FAILED), 404, "does not exist at the server"),
        (ended(OUT, R, HR.FAILED), 484, "incomplete"),
        (ended(OUT, R, HR.FAILED), 401, "refused the password or auth user"),
        (ended(OUT, R, HR.FAILED), 407, "refused the password or auth user"),
        (ended(OUT, R, HR.FAILED), 403, "does not allow this call from this account"),
        (ended(OUT, R, HR.FAILED), 408, "check host, port, transport and firewall"),
        (ended(OUT, R, HR.FAILED), None, "check host, port, transport and firewall"),
        (ended(OUT, R, HR.NOANSWER), 480, "not reachable now"),
        (ended(OUT, R, HR.FAILED), 488, "no common audio codec"),
        (ended(OUT, R, HR.FAILED), 503, "out of service"),
        (ended(OUT, R, HR.NOANSWER), 603, "declined"),
        (ended(OUT, R, HR.BUSY), 486, "busy"),
        (ended(OUT, R, HR.FAILED), 302, "does not follow redirects"),
        (ended(OUT, L, HR.DIALOUT, ring_s=30), None, "our dialing timeout ran out"),
        (ended(IN, L, HR.BUSY, ring_s=3), 486, "You declined"),
        (ended(IN, L, HR.NOANSWER, ring_s=60), 480, "rang out after 60 s"),
        (ended(IN, R, HR.CANCEL, ring_s=5), 487, "missed call"),
        (ended(OUT, L, HR.CANCEL, ring_s=5), None, "You hung up before"),
        (ended(OUT, R, HR.NORMAL, ring_s=1, talk_s=100), 200, "after 1 min 40 s: the callee hung up"),
        (ended(IN, L, HR.NORMAL, ring_s=1, talk_s=5), 200, "you hung up"),
        (ended(OUT, L, HR.TIMEOUT, talk_s=30), 200, "maximum call duration of 30 s"),
        (ended(IN, L, HR.FAILED), 488, "audio offer cannot be used"),
        (ended(IN, L, HR.BUSY), 486, "declined"),
        (chained(ended(OUT, L, HR.NORMAL, ring_s=4)), 487, "the call it was dialled for had ended"),
        (ended(IN, R, HR.NORMAL, ring_s=4), 487, "ended before it was answered"),
    ],
)
def test_sentences(call, code, words):
    sentence = plain_outcome(call, code)
    assert words in sentence
    assert sentence.endswith(".")


def test_live_call_has_no_outcome_yet():
    assert plain_outcome(Call(direction=OUT, status=CallStatus.DIALING)) == ""


def test_every_final_code_has_a_meaning():
    for code in range(300, 700):
        assert sip_code_meaning(code)


def test_the_sentence_counts_talk_as_the_cards_clock_does() -> None:
    # The card's talk clock shows whole seconds down (0:45 for 45.7 s); the sentence beside
    # it must not say 46.
    from softphone.ui.text import clock

    call = ended(CallDirection.OUTGOING, HangupBy.REMOTE, HangupReason.NORMAL, talk_s=45.7)
    assert clock(call.talk_seconds()) == "0:45"
    assert "ended normally after 45 s" in plain_outcome(call, 200)
