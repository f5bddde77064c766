"""Fixtures for call-control tests: the shared engine, watched; baresip peers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from softphone.engine import CallUpdate, Engine
from softphone.model import Call, CallStatus
from tests.peers.baresip_ctl import Baresip


class Watch:
    """Every update the engine publishes, and a poll loop that waits for a condition."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.updates: list[CallUpdate] = []
        engine.add_listener(self.updates.append)

    def last(self, call_id: object) -> CallUpdate:
        return [u for u in self.updates if u.call.id == call_id][-1]

    def calls(self) -> list[Call]:
        """Each call seen, in order of creation, as last published."""
        order: dict[object, Call] = {}
        for update in self.updates:
            order[update.call.id] = update.call
        return list(order.values())

    def until(self, done: Callable[[], object], timeout: float = 20, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not done():
            assert time.monotonic() < deadline, f"timed out waiting for {what or done}"
            self.engine.poll(20)

    def until_status(self, call_id: object, status: CallStatus, timeout: float = 20) -> None:
        self.until(lambda: any(u.call.id == call_id and u.call.status is status
                               for u in self.updates), timeout, f"{call_id} {status}")

    def close(self) -> None:
        self.engine.remove_listener(self.updates.append)


@pytest.fixture
def watch(engine: Engine) -> Iterator[Watch]:
    deadline = time.monotonic() + 15
    while engine.active_calls and time.monotonic() < deadline:
        engine.poll(20)
    assert engine.active_calls == [], "a previous test left calls up"
    engine.refuse_transfers = False
    w = Watch(engine)
    yield w
    for call in engine.active_calls:
        engine.end_call(call.id)
    w.until(lambda: not engine.active_calls, 10, "calls to end")
    w.close()


@pytest.fixture
def baresips(tmp_path: Path) -> Iterator[Callable[..., Baresip]]:
    started: list[Baresip] = []

    def start(user: str = "bob", answer: str = "auto") -> Baresip:
        peer = Baresip(tmp_path / f"baresip-{user}", user, answer=answer).start()
        started.append(peer)
        return peer

    yield start
    for peer in started:
        peer.stop()
