"""The window's poll pace (softphone/ui/poll_pace.py) on a real engine and real SIPp calls:
slow only while nothing is live, fast for the whole of a call, and an incoming call still
reaches the window while it polls slowly."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from softphone.engine import CallUpdate, Engine
from softphone.model import CallStatus, parse_target
from softphone.ui.poll_pace import FAST_MS, IDLE_MS, next_interval_ms
from tests.peers.sipp import run_uac, run_uas

pytestmark = pytest.mark.sip


def paced_until(engine: Engine, done: Callable[[], bool], seen: list[int],
                timeout: float = 20) -> None:
    """Poll as the window does: wait the pace's interval, poll, ask the pace again."""
    deadline = time.monotonic() + timeout
    interval = next_interval_ms(engine)
    while not done():
        assert time.monotonic() < deadline, "timed out waiting for the engine"
        time.sleep(interval / 1000)
        engine.poll(0)
        interval = next_interval_ms(engine)
        seen.append(interval)


def test_idle_is_slow_and_a_call_is_fast(engine: Engine) -> None:
    assert engine.live_call_count == 0
    assert next_interval_ms(engine) == IDLE_MS
    statuses: list[CallStatus] = []

    def follow(update: CallUpdate) -> None:
        statuses.append(update.call.status)

    engine.add_listener(follow)
    try:
        with run_uas("uas_answer_wait", variables={"ring_ms": 300}) as peer:
            call = engine.make_call(parse_target(peer.uri()))
            seen: list[int] = []
            paced_until(engine, lambda: CallStatus.PROGRESSING in statuses, seen)
            assert set(seen) == {FAST_MS}  # ringing and answer, all at the fast pace
            engine.hangup(call.id)
            paced_until(engine, lambda: CallStatus.HANGUP in statuses, seen)
        paced_until(engine, lambda: engine.live_call_count == 0, seen)
        assert next_interval_ms(engine) == IDLE_MS  # slow again once it is over
    finally:
        engine.remove_listener(follow)


def test_an_incoming_call_is_seen_while_idle(engine: Engine) -> None:
    assert next_interval_ms(engine) == IDLE_MS
    ringing: list[tuple[float, CallUpdate]] = []

    def follow(update: CallUpdate) -> None:
        if update.call.status is CallStatus.RINGING and not ringing:
            ringing.append((time.monotonic(), update))

    engine.add_listener(follow)
    try:
        port = engine.local_port
        with run_uac("uac_expect_reject", f"127.0.0.1:{port}") as peer:
            started = time.monotonic()
            seen: list[int] = []
            paced_until(engine, lambda: bool(ringing), seen)
            # Seen within a few idle intervals (SIPp's own start-up included), not lost.
            assert ringing[0][0] - started < 5
            engine.reject(ringing[0][1].call.id)
            paced_until(engine, lambda: peer.wait(timeout=0) is not None, seen)
            peer.assert_success(timeout=1)
    finally:
        engine.remove_listener(follow)
