"""Flows in an engine worker process: each answered call of a job with a flow runs it
(FlowHost.run_when_answered), and when the call ends its runner's AMD verdict, if the flow
set one, goes back with the Result. The Call's own ``action`` already carries the flow's last
action (the engine keeps it at hangup), so only the verdict travels beside it."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from softphone.engine import Engine
from softphone.flow_host import FlowHost
from softphone.flows import Flow, FlowError, FlowRunner, load_flow

# Where VoIPBIN's amd action leaves its verdict (HUMAN / MACHINE / NOTSURE).
AMD_VARIABLE = "voipbin.amd.result"


class WorkerFlows:
    def __init__(self, engine: Engine) -> None:
        self.host = FlowHost(engine)
        self.host.on_runner = self._started
        self._flows: dict[str, Flow] = {}  # by path: each file read once per process
        self._runners: dict[UUID, FlowRunner] = {}  # kept past the call's end, for verdict()

    def load(self, path: str) -> Flow:
        """The flow at ``path``; FlowError (one line) if it does not load."""
        flow = self._flows.get(path)
        if flow is None:
            flow = self._flows[path] = load_flow(Path(path))
        return flow

    def run_when_answered(self, call_id: UUID, flow: Flow) -> None:
        self.host.run_when_answered(call_id, flow)

    def _started(self, runner: FlowRunner) -> None:
        self._runners[runner.port.call.id] = runner

    def verdict(self, call_id: UUID) -> str:
        """machine / human / notsure, or "" when no flow ran on it or none set a verdict."""
        runner = self._runners.pop(call_id, None)
        if runner is None:
            return ""
        return runner.variables.get(AMD_VARIABLE, "").strip().lower()


__all__ = ["AMD_VARIABLE", "FlowError", "WorkerFlows"]
