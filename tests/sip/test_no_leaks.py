"""Calls leave nothing behind: after many calls no CallSession or PjCall is alive.

Counts objects (gc), never time. The found leak: a cancelled call timer (ring timeout,
dial timeout, maximum duration) kept its callback, and with it the whole CallSession, for
as long as its delay whenever a live timer due sooner sat on top of the heap (the engine's
network check every few seconds, with a registrar account): with a one-hour maximum call
duration, every call of the last hour stayed in memory.
"""

from __future__ import annotations

import gc
import time
import weakref

import pytest

from softphone.engine import CallUpdate, Engine
from softphone.engine.session import CallSession, PjCall
from softphone.engine.timers import Timers
from softphone.model import CallDirection, CallStatus, parse_target
from tests.peers.sipp import run_uac, run_uas

CALLS = 6


def live(cls: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, cls))


class Probe:
    """Something a timer callback holds, whose survival a weak reference shows."""

    def run(self) -> None:
        pass


def test_cancelled_timers_hold_nothing_and_do_not_pile_up():
    now = [0.0]
    timers = Timers(clock=lambda: now[0])
    blocker = timers.call_later(5, lambda: None)  # live, and due before all the others
    refs = []
    for _ in range(1000):
        probe = Probe()
        refs.append(weakref.ref(probe))
        timers.call_later(3600, probe.run).cancel()
        del probe
    gc.collect()
    assert sum(ref() is not None for ref in refs) == 0
    assert len(timers._heap) < 200  # compacted, not 1001 entries until their due time
    assert blocker.active
    now[0] = 10.0
    assert timers.run_due() == 1


def _run(engine: Engine, done, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out waiting for the engine"
        engine.poll(20)


@pytest.mark.sip
def test_no_call_session_survives_its_call(engine: Engine):
    _run(engine, lambda: not engine.active_calls, 15)
    baseline_sessions, baseline_calls = live(CallSession), live(PjCall)
    ended: list[CallUpdate] = []
    answered: set[object] = set()

    def listener(update: CallUpdate) -> None:
        call = update.call
        if call.is_over:
            ended.append(update)
        elif (call.direction is CallDirection.INCOMING and call.status is CallStatus.RINGING
              and call.id not in answered):
            answered.add(call.id)
            engine.call_later(0, lambda: engine.answer(call.id))

    # A live timer due before every call timer, as the network check keeps one with a
    # registrar account; the calls' own timers are long, as users set them.
    blocker = engine.call_later(600, lambda: None)
    engine.add_listener(listener)
    ring_timeout = engine.ring_timeout_s
    engine.ring_timeout_s = 3600
    try:
        with run_uas("uas_answer_bye", variables={"ring_ms": 0, "hold_ms": 50},
                     extra_args=["-m", str(CALLS)]) as peer:
            target = parse_target(peer.uri())
            for _ in range(CALLS):
                count = len(ended)
                engine.make_call(target, dial_timeout_s=3600, max_duration_s=3600)
                _run(engine, lambda count=count: len(ended) > count)
            _run(engine, lambda: peer.wait(timeout=0) is not None)
        with run_uac("uac_bye", f"127.0.0.1:{engine.local_port}", variables={"hold_ms": 50},
                     extra_args=["-m", str(CALLS), "-l", "1", "-r", "20"]) as peer:
            _run(engine, lambda: len(ended) >= 2 * CALLS)
            _run(engine, lambda: peer.wait(timeout=0) is not None)
        _run(engine, lambda: not engine.active_calls)
        for _ in range(5):
            engine.poll(10)
        assert [u.call.hangup_reason.value for u in ended] == ["normal"] * (2 * CALLS)
        del ended[:]
        assert live(CallSession) - baseline_sessions == 0
        assert live(PjCall) - baseline_calls == 0
    finally:
        engine.remove_listener(listener)
        engine.ring_timeout_s = ring_timeout
        blocker.cancel()
