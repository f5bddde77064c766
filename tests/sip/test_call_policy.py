"""The incoming-call policy on the engine side (the window's and `listen`'s), SIPp calling in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from softphone.engine import CallUpdate, Engine
from softphone.model import Call, CallStatus, HangupBy, HangupReason
from softphone.model.policy import IncomingMode, IncomingPolicy
from tests.peers.sipp import run_uac

pytestmark = pytest.mark.sip


class Calls:
    """Every update the engine publishes, and a poll loop that waits on them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.updates: list[CallUpdate] = []
        engine.add_listener(self.updates.append)

    def ended(self) -> list[Call]:
        return [u.call for u in self.updates if u.call.is_over]

    def run_until(self, done: Callable[[], bool], timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, "timed out waiting for the engine"
            self.engine.poll(20)

    def wait_peer(self, peer, timeout: float = 20) -> None:
        self.run_until(lambda: peer.wait(timeout=0) is not None, timeout)
        peer.assert_success(timeout=1)

    def close(self) -> None:
        self.engine.remove_listener(self.updates.append)


@pytest.fixture
def calls(engine: Engine) -> Iterator[Calls]:
    deadline = time.monotonic() + 15
    while engine.active_calls and time.monotonic() < deadline:
        engine.poll(20)
    assert engine.active_calls == [], "a previous test left calls up"
    ring_timeout, engine.ring_timeout_s = engine.ring_timeout_s, None
    rec = Calls(engine)
    yield rec
    rec.close()
    engine.ring_timeout_s = ring_timeout


def test_ring_timeout_ends_the_call_as_noanswer_and_counts_it_missed(engine, calls):
    policy = engine.attach_policy(IncomingPolicy(ring_timeout_s=0.5))
    try:
        with run_uac("uac_ring_until_final", f"127.0.0.1:{engine.local_port}") as peer:
            calls.wait_peer(peer)
            assert 480 in peer.received_status_codes()
        [call] = calls.ended()
        assert (call.hangup_by, call.hangup_reason) == (HangupBy.LOCAL, HangupReason.NOANSWER)
        rang = call.tm_hangup.seconds_since(call.tm_create)
        assert rang >= 0.45
        assert policy.missed.count == 1
    finally:
        policy.close()


def test_reject_answers_the_chosen_code_and_is_not_missed(engine, calls):
    policy = engine.attach_policy(IncomingPolicy(mode=IncomingMode.REJECT, reject_code=603))
    try:
        with run_uac("uac_ring_until_final", f"127.0.0.1:{engine.local_port}") as peer:
            calls.wait_peer(peer)
            assert 603 in peer.received_status_codes()
        [call] = calls.ended()
        assert (call.hangup_by, call.hangup_reason) == (HangupBy.LOCAL, HangupReason.BUSY)
        assert call.tm_progressing is None
        assert policy.missed.count == 0
    finally:
        policy.close()


def test_answer_after_waits_then_answers_and_max_duration_hangs_up(engine, calls):
    policy = engine.attach_policy(
        IncomingPolicy(mode=IncomingMode.ANSWER, answer_after_s=0.4, max_duration_s=0.5)
    )
    try:
        with run_uac("uac_wait_remote_bye", f"127.0.0.1:{engine.local_port}") as peer:
            calls.wait_peer(peer)
        [call] = calls.ended()
        assert call.tm_progressing.seconds_since(call.tm_create) >= 0.35
        assert (call.hangup_by, call.hangup_reason) == (HangupBy.LOCAL, HangupReason.TIMEOUT)
        assert policy.missed.count == 0
    finally:
        policy.close()


def test_a_caller_giving_up_is_missed_once_and_reset_clears_it(engine, calls):
    policy = engine.attach_policy(IncomingPolicy())  # let it ring
    seen: list[int] = []
    policy.missed.add_listener(seen.append)
    try:
        with run_uac("uac_cancel", f"127.0.0.1:{engine.local_port}",
                     variables={"cancel_after_ms": 300}) as peer:
            calls.wait_peer(peer)
        [call] = calls.ended()
        assert (call.hangup_by, call.hangup_reason) == (HangupBy.REMOTE, HangupReason.CANCEL)
        assert policy.missed.count == 1
        policy.missed.reset()
        assert seen == [1, 0]
    finally:
        policy.close()


def test_a_closed_policy_no_longer_answers(engine, calls):
    """The window closed: its auto-answer must not pick up the next call."""
    policy = engine.attach_policy(IncomingPolicy(mode=IncomingMode.ANSWER))
    policy.close()
    with run_uac("uac_cancel", f"127.0.0.1:{engine.local_port}",
                 variables={"cancel_after_ms": 500}) as peer:
        calls.wait_peer(peer)  # SIPp's CANCEL scenario fails if we answer 200 first
    [call] = calls.ended()
    assert call.status is CallStatus.HANGUP and call.tm_progressing is None
    assert policy.missed.count == 0  # nobody was counting any more
