"""The window's Flows menu: the Test call reaches our own echo service (no server), and a
saved flow attached to outgoing calls runs on a call the window places (SIPp's built-in uas)."""

from __future__ import annotations

import json

import pytest

from softphone.model import CallDirection, CallStatus, CallType
from tests.peers.sipp import SippPeer, run_uac

pytestmark = [pytest.mark.gui, pytest.mark.sip]


def _menu(rig, folder):
    from softphone.ui.flows_menu import FlowsMenu
    from softphone.window_flows import WindowFlows

    flows = WindowFlows(rig.engine, folder)
    menu = FlowsMenu(rig.window, flows, rig.window.show_message)
    return flows, menu


def _shown_message(rig) -> str:
    return rig.window.statusBar().currentMessage()


def test_test_call_is_answered_by_the_echo_service(rig, tmp_path) -> None:
    from softphone.window_flows import TEST_USER

    flows, menu = _menu(rig, tmp_path / "flows")
    try:
        assert "Flows" in [a.text().replace("&", "") for a in rig.window.menuBar().actions()]
        menu.test_action.trigger()
        assert "hear yourself back" in _shown_message(rig)

        def legs():
            calls = rig.engine.active_calls
            out = [c for c in calls if c.direction is CallDirection.OUTGOING]
            inc = [c for c in calls if c.direction is CallDirection.INCOMING]
            return out, inc

        def echoing() -> bool:
            out, inc = legs()
            return (len(out) == 1 and out[0].status is CallStatus.PROGRESSING
                    and len(inc) == 1 and inc[0].type is CallType.SIP_SERVICE
                    and inc[0].action.type == "echo")

        rig.wait(echoing, 10)
        out, inc = legs()
        assert TEST_USER in out[0].destination.target
        # The user sees the test call talking, and the service leg's running action.
        cards = rig.window.calls.cards
        rig.wait(lambda: inc[0].id in cards and "echo" in cards[inc[0].id].plain.text(), 5)
        assert cards[out[0].id].plain.text().startswith("talking")
    finally:
        rig.end_calls()
        flows.close()


def test_saved_flow_runs_on_outgoing_calls(rig, tmp_path) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "short.json").write_text(json.dumps({"name": "short", "actions": [
        {"type": "sleep", "option": {"duration": 300}}, {"type": "hangup"}]}))
    (folder / "broken.json").write_text(json.dumps({"actions": [{"type": "dance"}]}))
    flows, menu = _menu(rig, folder)
    try:
        assert flows.names() == ["broken", "short"]
        menu.choose("broken", outgoing=True)
        assert "action 0" in _shown_message(rig) and "dance" in _shown_message(rig)
        assert flows.outgoing is None  # a flow that does not load is not attached
        menu.choose("short", outgoing=True)
        assert flows.outgoing == "short"
        assert json.loads((folder / "choices.json").read_text())["outgoing"] == "short"
        seen = []
        listener = seen.append
        rig.engine.add_listener(listener)
        try:
            with SippPeer("uas", builtin=True).start() as peer:
                rig.window.dial(peer.uri())
                # SIPp's uas ends well only on our BYE: the flow's hangup.
                rig.wait_peer(peer, 15)
        finally:
            rig.engine.remove_listener(listener)
        last = [u.call for u in seen if u.call.direction is CallDirection.OUTGOING][-1]
        assert last.type is CallType.FLOW and last.action.type == "hangup"
        assert last.status is CallStatus.HANGUP
        rig.wait_history(1)
        # A second window over the same folder keeps the choice.
        again, _ = _menu(rig, folder)
        assert again.outgoing == "short"
        again.close()
    finally:
        rig.end_calls()
        flows.close()


def test_saved_flow_answers_incoming_calls(rig, tmp_path) -> None:
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "greet.json").write_text(json.dumps({"actions": [
        {"type": "answer"}, {"type": "sleep", "option": {"duration": 300}},
        {"type": "hangup"}]}))
    flows, menu = _menu(rig, folder)
    try:
        menu.choose("greet", outgoing=False)
        assert "incoming calls: greet" in _shown_message(rig)
        seen = []
        rig.engine.add_listener(seen.append)
        try:
            # SIPp calls and waits for our BYE: only the flow's answer and hangup end it well.
            with run_uac("uac_wait_remote_bye", f"127.0.0.1:{rig.engine.local_port}") as peer:
                rig.wait_peer(peer, 15)
        finally:
            rig.engine.remove_listener(seen.append)
        last = [u.call for u in seen if u.call.direction is CallDirection.INCOMING][-1]
        assert (last.type, last.action.type, last.hangup_by.value) == (
            CallType.FLOW, "hangup", "local")
    finally:
        rig.end_calls()
        flows.close()
