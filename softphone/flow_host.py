"""Flows on the engine's calls: the glue between softphone.flows (which never sees pjsua2)
and the engine (which never sees flows). Used by `call --flow`, `listen --flow`,
`listen --sip-services` and the window.

Every runner starts from a 0-second engine timer, outside pjsua2's callbacks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from uuid import UUID

from softphone.engine import CallUpdate, Engine
from softphone.engine.flow_port import EngineCallPort
from softphone.flows import Flow, FlowRunner, service_flow
from softphone.flows.services import LIMIT_S
from softphone.model import CallChange, CallDirection, CallStatus, CallType

_log = logging.getLogger(__name__)
_USER = re.compile(r"^sips?:([^@;>]+)@", re.IGNORECASE)


def user_part(target: str) -> str:
    """``echo`` from ``sip:echo@host:5060``."""
    match = _USER.match(target.strip().strip("<"))
    return match.group(1) if match else ""


class FlowHost:
    """Starts flows on calls as they come (incoming) or are answered (outgoing)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.incoming_flow: Flow | None = None  # run on every incoming call
        self.sip_services = False  # answer incoming calls by their destination's user part
        self.runners: dict[UUID, FlowRunner] = {}
        self._on_answer: dict[UUID, Flow] = {}
        self.on_runner: Callable[[FlowRunner], None] | None = None  # each one started
        engine.add_listener(self._changed)

    def close(self) -> None:
        self.engine.remove_listener(self._changed)

    def run_when_answered(self, call_id: UUID, flow: Flow) -> None:
        """An outgoing call runs ``flow`` from its answer."""
        self._on_answer[call_id] = flow

    def run(self, call_id: UUID, flow: Flow, call_type: CallType = CallType.FLOW) -> None:
        """Run ``flow`` on a live call now (from the next poll turn)."""
        if call_id in self.runners:
            return
        runner = FlowRunner(flow, EngineCallPort(self.engine, call_id), call_type=call_type,
                            on_finished=self._finished)
        self.runners[call_id] = runner
        self.engine.call_later(0, runner.start)
        if self.on_runner is not None:
            self.on_runner(runner)

    def _finished(self, runner: FlowRunner) -> None:
        _log.info("flow %s on call %s: %s", runner.flow.name or runner.flow.id,
                  runner.port.call.id, runner.end_reason)

    def _changed(self, update: CallUpdate) -> None:
        call = update.call
        if call.is_over:
            self._on_answer.pop(call.id, None)
            self.runners.pop(call.id, None)
            return
        if CallChange.CREATED in update.changes and call.direction is CallDirection.INCOMING:
            if self.sip_services:
                flow = service_flow(user_part(call.destination.target))
                self.engine.set_max_duration(call.id, LIMIT_S)
                self.run(call.id, flow, CallType.SIP_SERVICE)
            elif self.incoming_flow is not None:
                self.run(call.id, self.incoming_flow)
        elif call.status is CallStatus.PROGRESSING and call.id in self._on_answer:
            self.run(call.id, self._on_answer.pop(call.id))
