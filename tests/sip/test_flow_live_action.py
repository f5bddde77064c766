"""The Call shows the running action live (CallChange.ACTION, tm_execute stamped as each
starts), in-process on the engine's poll loop, against the pjsua2 peer."""

from __future__ import annotations

import time

import pytest

from softphone.engine import Engine
from softphone.flow_host import FlowHost
from softphone.flows import parse_flow
from softphone.model import CallChange, CallStatus, CallType, parse_target
from tests.peers.pjsua import PjsuaPeer

pytestmark = pytest.mark.sip


def test_action_is_live_on_the_call(engine: Engine) -> None:
    peer = PjsuaPeer("--listen", "--codec", "PCMU")
    peer.start()
    host = FlowHost(engine)
    seen: list[tuple[str, str, CallType]] = []
    ended: list[object] = []

    def on_update(update) -> None:
        if CallChange.ACTION in update.changes:
            call = update.call
            seen.append((call.action.type, str(call.action.tm_execute), call.type))
        if update.call.status is CallStatus.HANGUP:
            ended.append(update.call)

    engine.add_listener(on_update)
    try:
        flow = parse_flow({"actions": [
            {"type": "sleep", "option": {"duration": 300}},
            {"type": "beep"},
            {"type": "variable_set", "option": {"key": "k", "value": "v"}},
            {"type": "sleep", "option": {"duration": 300}},
        ]})
        call = engine.make_call(parse_target(peer.uri()))
        host.run_when_answered(call.id, flow)
        deadline = time.monotonic() + 15
        while not ended:
            assert time.monotonic() < deadline, seen
            engine.poll(10)
    finally:
        engine.remove_listener(on_update)
        host.close()
        peer.stop()
    assert [s[0] for s in seen] == ["sleep", "beep", "variable_set", "sleep"]
    assert all(s[2] is CallType.FLOW for s in seen)
    stamps = [s[1] for s in seen]
    assert "None" not in stamps and stamps == sorted(stamps)
    final = ended[0]
    assert final.action.type == "sleep" and final.flow_id == flow.id
