"""The engine in-process: every status a call passes through, published live to listeners."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from softphone.engine import MAX_CALLS, CallLimitReached, CallUpdate, Engine
from softphone.model import Call, CallChange, CallStatus, parse_target
from tests.peers.sipp import run_uas

pytestmark = pytest.mark.sip


class Recorder:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.updates: list[CallUpdate] = []
        engine.add_listener(self.updates.append)

    def statuses(self, call: Call) -> list[str]:
        seen: list[str] = []
        for update in self.updates:
            if update.call.id == call.id and (not seen or seen[-1] != update.call.status.value):
                seen.append(update.call.status.value)
        return seen

    def final(self, call: Call) -> CallUpdate:
        return [u for u in self.updates if u.call.id == call.id][-1]

    def run_until(self, done: Callable[[], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "timed out waiting for the engine"
            self.engine.poll(20)

    def wait_status(self, call: Call, status: CallStatus, timeout: float = 20) -> None:
        self.run_until(lambda: any(
            u.call.id == call.id and u.call.status is status for u in self.updates), timeout)

    def wait_peer(self, peer, timeout: float = 15) -> None:
        """Keep the engine polled (ACKs, retransmissions) until SIPp's scenario ends."""
        self.run_until(lambda: peer.wait(timeout=0) is not None, timeout)
        peer.assert_success(timeout=1)

    def close(self) -> None:
        self.engine.remove_listener(self.updates.append)


@pytest.fixture
def recorder(engine: Engine):
    # The engine is shared by the whole session: start from no live call, whatever the
    # test before left ringing (its far end may take seconds to answer our CANCEL).
    deadline = time.monotonic() + 15
    while engine.active_calls and time.monotonic() < deadline:
        engine.poll(20)
    assert engine.active_calls == [], "a previous test left calls up"
    rec = Recorder(engine)
    yield rec
    rec.close()


@pytest.mark.parametrize(
    ("scenario", "act", "expected", "by", "reason"),
    [
        ("uas_480", None, ["dialing", "ringing", "hangup"], "remote", "noanswer"),
        ("uas_183_603", None, ["dialing", "hangup"], "remote", "noanswer"),
        ("uas_answer_bye", None, ["dialing", "ringing", "progressing", "hangup"], "remote",
         "normal"),
        ("uas_answer_wait", "hangup_when_progressing",
         ["dialing", "ringing", "progressing", "terminating", "hangup"], "local", "normal"),
        ("uas_ring_until_cancel", "hangup_when_ringing",
         ["dialing", "ringing", "canceling", "hangup"], "local", "cancel"),
    ],
)
def test_status_passes_through_each_step(recorder, scenario, act, expected, by, reason):
    engine = recorder.engine
    with run_uas(scenario) as peer:
        call = engine.make_call(parse_target(peer.uri()))
        if act == "hangup_when_progressing":
            recorder.wait_status(call, CallStatus.PROGRESSING)
            engine.hangup(call.id)
        elif act == "hangup_when_ringing":
            recorder.wait_status(call, CallStatus.RINGING)
            engine.hangup(call.id)
        recorder.wait_status(call, CallStatus.HANGUP)
        recorder.wait_peer(peer)
    final = recorder.final(call)
    assert recorder.statuses(call) == expected
    assert (final.call.hangup_by.value, final.call.hangup_reason.value) == (by, reason)
    # tm_update moves with every change and never goes backwards.
    stamps = [u.call.tm_update for u in recorder.updates if u.call.id == call.id]
    assert stamps == sorted(stamps)
    assert final.diagnostics.call_id_header


def test_diagnostics_hold_final_code_and_post_dial_delay(recorder):
    with run_uas("uas_480") as peer:
        call = recorder.engine.make_call(parse_target(peer.uri()))
        recorder.wait_status(call, CallStatus.HANGUP)
    diag = recorder.final(call).diagnostics
    assert (diag.sip_code, diag.sip_reason) == (480, "Temporarily Unavailable")
    assert diag.post_dial_delay_ms is not None and 0 <= diag.post_dial_delay_ms < 2000
    assert diag.detail == "the far end answered 480 Temporarily Unavailable"


def test_fifth_outgoing_call_is_refused_clearly(recorder):
    engine = recorder.engine
    with run_uas("uas_answer_wait", extra_args=["-m", str(MAX_CALLS)]) as peer:
        calls = [engine.make_call(parse_target(peer.uri())) for _ in range(MAX_CALLS)]
        for call in calls:
            recorder.wait_status(call, CallStatus.PROGRESSING)
        with pytest.raises(CallLimitReached, match=f"at most {MAX_CALLS} calls"):
            engine.make_call(parse_target(peer.uri()))
        for call in calls:
            engine.hangup(call.id)
        for call in calls:
            recorder.wait_status(call, CallStatus.HANGUP)
        recorder.wait_peer(peer)
    assert len(engine.active_calls) == 0
    assert all(recorder.final(c).call.hangup_reason.value == "normal" for c in calls)


@pytest.mark.expect_error(r"a call listener failed")
def test_listener_errors_do_not_break_the_call(recorder):
    engine = recorder.engine

    def broken(update: CallUpdate) -> None:
        raise RuntimeError("listener bug")

    engine.add_listener(broken)
    try:
        with run_uas("uas_486") as peer:
            call = engine.make_call(parse_target(peer.uri()))
            recorder.wait_status(call, CallStatus.HANGUP)
    finally:
        engine.remove_listener(broken)
    assert recorder.final(call).call.hangup_reason.value == "busy"


def test_failed_attempt_is_published_as_a_failed_call(recorder):
    call = recorder.engine.record_failed_attempt(
        parse_target("sip:bob@no-such-host.invalid"), "cannot resolve no-such-host.invalid")
    final = recorder.final(call)
    assert recorder.statuses(call) == ["dialing", "hangup"]
    assert (final.call.hangup_by.value, final.call.hangup_reason.value) == ("remote", "failed")
    assert final.diagnostics.detail == (
        "the INVITE could not be sent (cannot resolve no-such-host.invalid)")
    assert recorder.engine.active_calls == []


def test_call_placed_right_after_another_ends_is_not_killed(recorder):
    """pjsua reuses call slots. A finished call's pjsua2 object must be gone before a new
    call can take its slot: deleted later, its destructor cleared the new call's link to
    us and hung it up, so the new call never reported its end (seen under load)."""
    engine = recorder.engine
    follow_ups: list[Call] = []
    first_ids: list[object] = []

    def place_next(update) -> None:
        if update.call.id in first_ids and update.call.is_over:
            # As a redial or an auto-answer would: from a timer, right after the end.
            engine.call_later(0, lambda: follow_ups.append(engine.make_call(target)))

    with run_uas("uas_486", extra_args=["-m", "8"]) as peer:
        target = parse_target(peer.uri())
        engine.add_listener(place_next)  # four calls, four follow-ups
        try:
            # Enough calls to cycle through every one of pjsua's 4 slots.
            for _ in range(4):
                first_ids.append(engine.make_call(target).id)
            recorder.run_until(lambda: len(follow_ups) == 4 and all(
                recorder.final(c).call.is_over for c in follow_ups), timeout=15)
        finally:
            engine.remove_listener(place_next)
    for call in follow_ups:
        final = recorder.final(call).call
        assert (final.hangup_by.value, final.hangup_reason.value) == ("remote", "busy")
    assert engine.active_calls == []


def test_every_sip_message_of_a_call_reaches_the_trace(recorder):
    engine = recorder.engine
    seen = []
    engine.add_trace_listener(seen.append)
    try:
        with run_uas("uas_480") as peer:
            call = engine.make_call(parse_target(peer.uri()))
            recorder.wait_status(call, CallStatus.HANGUP)
            recorder.wait_peer(peer)
    finally:
        engine.remove_trace_listener(seen.append)
    call_id = recorder.final(call).diagnostics.call_id_header
    ladder = [(m.direction.value, m.label) for m in seen if m.call_id == call_id]
    assert ladder == [("sent", "INVITE"), ("received", "100 (INVITE)"),
                      ("received", "180 (INVITE)"), ("received", "480 (INVITE)"),
                      ("sent", "ACK")]


def test_updates_say_what_changed(recorder):
    engine = recorder.engine
    with run_uas("uas_answer_bye") as peer:
        call = engine.make_call(parse_target(peer.uri()))
        recorder.wait_status(call, CallStatus.HANGUP)
        recorder.wait_peer(peer)
    updates = [u for u in recorder.updates if u.call.id == call.id]
    assert CallChange.CREATED in updates[0].changes
    status_moves = [u.call.status.value for u in updates if CallChange.STATUS in u.changes]
    assert status_moves == ["dialing", "ringing", "progressing", "hangup"]
    # Media changes reach the window but are not history's business.
    media = [u for u in updates if u.changes == {CallChange.MEDIA}]
    assert media and not any(u.persisted for u in media)
