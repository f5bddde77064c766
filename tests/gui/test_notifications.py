"""Issue 15 point 2: notifications with Answer and Decline where the desktop has them."""

from __future__ import annotations

import pytest

from tests.gui.conftest import WindowRig
from tests.gui.test_window_calls import card_for_only_call
from tests.peers.notification_server import start_notification_server
from tests.peers.sipp import run_uac

pytestmark = [pytest.mark.gui, pytest.mark.sip]


@pytest.fixture
def desktop_bus(monkeypatch):
    server = start_notification_server()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", server.address)
    yield server
    server.stop()


@pytest.fixture
def bus_rig(qtbot, engine, data_dir, desktop_bus):
    engine.ring_timeout_s = None
    rig = WindowRig(qtbot, engine, data_dir)
    yield rig
    rig.close()


def test_answer_from_the_notification_button(bus_rig, desktop_bus, engine):
    rig = bus_rig
    # Not while the window is built (its first paint does not wait on the bus): app.py
    # connects just after that paint, and a first use connects too, as here.
    assert desktop_bus.methods == []
    assert rig.window.notifier.supports_actions
    assert desktop_bus.methods == ["GetCapabilities"]
    with run_uac("uac_bye", f"127.0.0.1:{engine.local_port}", variables={"hold_ms": 300}) as peer:
        card = card_for_only_call(rig)
        rig.wait(lambda: bool(desktop_bus.shown))
        [shown] = desktop_bus.shown
        assert shown.summary == "Incoming call" and "sipp" in shown.body
        assert shown.actions == {"answer": "Answer", "decline": "Decline", "default": "Open"}
        desktop_bus.press(shown, "answer")
        rig.wait(lambda: card.call.was_answered)
        rig.wait_peer(peer)
        assert 200 in peer.received_status_codes()
    assert shown.closed  # no longer ringing: the notification is withdrawn


def test_decline_from_the_notification_and_a_missed_call_notice(bus_rig, desktop_bus, engine):
    rig = bus_rig
    with run_uac("uac_expect_reject", f"127.0.0.1:{engine.local_port}") as peer:
        rig.wait(lambda: bool(desktop_bus.shown))
        desktop_bus.press(desktop_bus.shown[0], "decline")
        rig.wait_peer(peer)
        assert 486 in peer.received_status_codes()
    with run_uac("uac_cancel", f"127.0.0.1:{engine.local_port}") as peer:
        rig.wait_peer(peer)
    rig.wait(lambda: desktop_bus.shown[-1].summary == "Missed call")
    assert "before the call was answered" in desktop_bus.shown[-1].body
