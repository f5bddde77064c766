"""The window's poll of the engine (softphone/ui/engine_poller.py) asleep on the SIP socket:
an idle window polls seldom, yet an incoming INVITE is seen at once, a call dialled while
it sleeps is paced fast at once, and it only falls asleep a while after the last SIP.

The sleeping interval is stretched to 30 s here, so that a poller that did not wake on the
socket, or on our own INVITE, would miss the test's 10 s deadlines by far."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from softphone.engine import CallUpdate, Engine
from softphone.model import CallStatus, parse_target
from softphone.model.account import AccountSettings, Transport
from softphone.ui import poll_pace
from softphone.ui.engine_poller import EnginePoller
from softphone.ui.poll_pace import FAST_MS, IDLE_MS
from tests.peers.sipp import run_uac, run_uas

pytestmark = pytest.mark.sip

ASLEEP_MS = 30_000


@pytest.fixture
def poller(engine: Engine, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[EnginePoller]:
    monkeypatch.setattr(poll_pace, "ASLEEP_MS", ASLEEP_MS)
    monkeypatch.setattr(poll_pace, "RECENT_S", 0.3)
    paced = EnginePoller(engine, lambda: None)
    paced.start()
    yield paced
    paced.stop()
    # Leave the shared engine as found: nothing live, nothing pending.
    deadline = time.monotonic() + 10
    while engine.live_call_count and time.monotonic() < deadline:
        engine.poll(20)


def wait_asleep(qtbot: QtBot, poller: EnginePoller) -> None:
    qtbot.waitUntil(lambda: poller.interval_ms == ASLEEP_MS, timeout=5000)


def statuses_of(engine: Engine) -> tuple[list[CallUpdate], object]:
    seen: list[CallUpdate] = []
    engine.add_listener(seen.append)
    return seen, seen.append


def test_the_poller_watches_the_sip_socket(engine: Engine, poller: EnginePoller,
                                           qtbot: QtBot) -> None:
    assert engine.wake_fds(), "psutil found no UDP socket on the engine's port"
    wait_asleep(qtbot, poller)  # it looks for the socket once quiet, not at start
    assert poller.watching


def test_an_incoming_call_wakes_a_sleeping_window(
    engine: Engine, poller: EnginePoller, qtbot: QtBot
) -> None:
    wait_asleep(qtbot, poller)
    seen, listener = statuses_of(engine)
    try:
        with run_uac("uac_expect_reject", f"127.0.0.1:{engine.local_port}") as peer:
            qtbot.waitUntil(
                lambda: any(u.call.status is CallStatus.RINGING for u in seen), timeout=10_000)
            assert poller.interval_ms == FAST_MS  # a call is live: fast from here on
            ringing = next(u for u in seen if u.call.status is CallStatus.RINGING)
            engine.reject(ringing.call.id)
            qtbot.waitUntil(lambda: peer.wait(timeout=0) is not None, timeout=10_000)
            peer.assert_success(timeout=1)
    finally:
        engine.remove_listener(listener)  # type: ignore[arg-type]


def test_a_call_dialled_while_asleep_is_paced_fast_at_once(
    engine: Engine, poller: EnginePoller, qtbot: QtBot
) -> None:
    wait_asleep(qtbot, poller)
    seen, listener = statuses_of(engine)
    try:
        with run_uas("uas_answer_wait", variables={"ring_ms": 200}) as peer:
            call = engine.make_call(parse_target(peer.uri()))
            assert poller.interval_ms == FAST_MS  # our INVITE woke the pace, not a timer
            qtbot.waitUntil(
                lambda: any(u.call.status is CallStatus.PROGRESSING for u in seen),
                timeout=10_000)
            engine.hangup(call.id)
            # SIPp's 200 to our BYE frees pjsua's call slot: the peer must see it through.
            qtbot.waitUntil(lambda: peer.wait(timeout=0) is not None, timeout=10_000)
            peer.assert_success(timeout=1)
    finally:
        engine.remove_listener(listener)  # type: ignore[arg-type]


def test_it_falls_asleep_only_a_while_after_the_last_sip(
    engine: Engine, poller: EnginePoller, qtbot: QtBot
) -> None:
    wait_asleep(qtbot, poller)
    with run_uac("uac_expect_reject", f"127.0.0.1:{engine.local_port}") as peer:
        seen, listener = statuses_of(engine)
        try:
            qtbot.waitUntil(lambda: any(u.call.status is CallStatus.RINGING for u in seen),
                            timeout=10_000)
            engine.reject(seen[-1].call.id)
            qtbot.waitUntil(lambda: engine.live_call_count == 0, timeout=10_000)
        finally:
            engine.remove_listener(listener)  # type: ignore[arg-type]
        ended = time.monotonic()
        qtbot.waitUntil(lambda: poller.interval_ms == IDLE_MS, timeout=5000)  # still recent
        wait_asleep(qtbot, poller)
        assert time.monotonic() - ended >= 0.3 - 0.05  # RECENT_S after the last message
        peer.assert_success(timeout=5)


def test_a_tcp_account_keeps_the_window_awake_until_it_is_removed(
    engine: Engine, poller: EnginePoller, qtbot: QtBot
) -> None:
    # SIP for a TCP account arrives on sockets pjsip opens and closes as it likes, which
    # the poller does not watch: while one is active the idle pace must stay steady.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    account = AccountSettings(name="over-tcp", user="alice", domain=f"127.0.0.1:{port}",
                              transport=Transport.TCP)
    engine.add_account(account, None)
    try:
        assert not poller.watching
        qtbot.wait(800)  # past RECENT_S after its REGISTER
        assert poller.interval_ms == IDLE_MS
    finally:
        engine.remove_account("over-tcp")
    wait_asleep(qtbot, poller)  # the transport outlives the account, but nothing uses it now
    assert poller.watching
