"""The flow runner: one flow on one call, an action at a time, on the engine's poll thread.

State: the flow's variables, the action running now (a :class:`Step`), loop counters for
``goto``, digits the caller pressed that no action has taken yet. An action never blocks: it
starts timers, players or taps through the call's port and calls ``step.done()`` later; the
runner then moves to ``done``'s target, else the action's ``next_id``, else the next in the
list. Running past the last action hangs the call up (as VoIPBIN does); ``stop`` ends the
flow and leaves the call as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from uuid import UUID

from softphone.flows.errors import ActionFailed
from softphone.flows.flow import Flow, FlowStep
from softphone.flows.port import CallPort, Cancel
from softphone.flows.registry import action_type
from softphone.model import CallStatus, CallType
from softphone.model.ids import NIL_ID

_log = logging.getLogger(__name__)

DIGITS_VARIABLE = "voipbin.call.digits"
# Actions that finish at once, in a row, before the runner suspects a loop with no wait.
_MAX_INSTANT_STEPS = 1000
_VARIABLE_REF = re.compile(r"\$\{([A-Za-z0-9_.\-]+)\}")


class Step:
    """One action while it runs: what it may touch, and how it ends."""

    def __init__(self, runner: FlowRunner, flow_step: FlowStep) -> None:
        self.runner = runner
        self.flow_step = flow_step
        self.active = True
        self._stops: list[Cancel] = []
        self.digit_handler: Callable[[str], None] | None = None
        self.answer_handler: Callable[[], None] | None = None

    @property
    def port(self) -> CallPort:
        return self.runner.port

    @property
    def variables(self) -> dict[str, str]:
        return self.runner.variables

    @property
    def index(self) -> int:
        return self.flow_step.index

    def expand(self, text: str) -> str:
        """``${name}`` replaced by the flow variable's value (empty if unset)."""
        return _VARIABLE_REF.sub(lambda m: self.variables.get(m.group(1), ""), text)

    def keep(self, handle: Cancel) -> Cancel:
        """Stop ``handle`` (a player, an echo, a timer) when this action ends."""
        self._stops.append(handle)
        return handle

    def guard(self, callback: Callable[[], None]) -> Callable[[], None]:
        """``callback``, run only while this action is still the running one."""

        def guarded() -> None:
            if self.active:
                self.runner.run_callback(callback)

        return guarded

    def later(self, delay_s: float, callback: Callable[[], None]) -> Cancel:
        return self.keep(self.port.later(delay_s, self.guard(callback)))

    def done(self, goto: UUID | None = None) -> None:
        """This action is over: continue at ``goto``, else where the flow says."""
        if not self.active:
            return
        self._close()
        self.runner.advance(self, goto)

    def stop_flow(self) -> None:
        if self.active:
            self._close()
            self.runner.finish("stopped")

    def _close(self) -> None:
        self.active = False
        stops, self._stops = self._stops, []
        for handle in reversed(stops):
            try:
                handle.cancel()
            except Exception:  # a port gone with the call's media: nothing left to stop
                _log.debug("stopping an action's media failed", exc_info=True)


class FlowRunner:
    """Runs ``flow`` on the call behind ``port``; start() from the poll thread."""

    def __init__(
        self,
        flow: Flow,
        port: CallPort,
        *,
        call_type: CallType = CallType.FLOW,
        on_finished: Callable[[FlowRunner], None] | None = None,
    ) -> None:
        self.flow = flow
        self.port = port
        self.call_type = call_type
        self.on_finished = on_finished
        self.variables: dict[str, str] = {}
        self.loop_counts: dict[UUID, int] = {}
        self.pending_digits = ""  # pressed while no action was collecting them
        # Watchers that outlive an action (a recording's end_of_key) see every digit.
        self.digit_watchers: list[Callable[[str], None]] = []
        self.recording_generation = 0  # bumped when a recording starts or stops
        self.current: Step | None = None
        self.finished = False
        self.end_reason = ""
        self._instant = 0
        self._advancing = False
        self._next: tuple[int, UUID | None] | None = None

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        call = self.port.call
        self.variables.update({
            "voipbin.call.id": str(call.id),
            "voipbin.call.direction": call.direction.value,
            "voipbin.call.source.target": call.source.target,
            "voipbin.call.destination.target": call.destination.target,
            DIGITS_VARIABLE: "",
        })
        self.port.set_flow(self.flow.id, self.call_type)
        self.port.watch(self)
        self._go(0)

    def finish(self, why: str) -> None:
        if self.finished:
            return
        self.finished = True
        self.end_reason = why
        if self.current is not None and self.current.active:
            self.current._close()
        self.current = None
        if self.on_finished is not None:
            self.on_finished(self)

    # -- CallEvents --------------------------------------------------------------------

    def on_answered(self) -> None:
        step = self.current
        if step is not None and step.active and step.answer_handler is not None:
            self.run_callback(step.answer_handler)

    def on_digit(self, digit: str) -> None:
        for watcher in list(self.digit_watchers):
            self.run_callback(lambda w=watcher: w(digit))  # type: ignore[misc]
        step = self.current
        if step is not None and step.active and step.digit_handler is not None:
            handler = step.digit_handler
            self.run_callback(lambda: handler(digit))
        else:
            self.pending_digits += digit

    def on_ended(self) -> None:
        self.finish("the call ended")

    # -- moving on -------------------------------------------------------------------------

    def advance(self, step: Step, goto: UUID | None) -> None:
        if self.finished:
            return
        action = step.flow_step.action
        target = goto if goto is not None and goto != NIL_ID else None
        if target is None and action.next_id != NIL_ID:
            target = action.next_id
        if target is not None:
            index = self.flow.index_of(target)
            if index is None:  # the loader checked targets: only a runtime goto lands here
                _log.warning("flow %s: no action %s; the flow ends", self.flow.name, target)
                self._end_of_flow()
                return
            self._go(index)
        else:
            self._go(step.index + 1)

    def _go(self, index: int) -> None:
        # A trampoline: actions that finish at once do not nest calls (a long flow or a
        # tight loop would otherwise exhaust the stack).
        self._next = (index, None)
        if self._advancing:
            return
        self._advancing = True
        try:
            while self._next is not None and not self.finished:
                index, _ = self._next
                self._next = None
                self._instant += 1
                if self._instant > _MAX_INSTANT_STEPS:
                    _log.warning("flow %s loops without waiting: stopped after %d actions",
                                 self.flow.source, _MAX_INSTANT_STEPS)
                    self.port.note("flow stopped: it loops without waiting")
                    self.finish("loops without waiting")
                    return
                if index >= len(self.flow.steps):
                    self._end_of_flow()
                    return
                self._run(self.flow.steps[index])
        finally:
            self._advancing = False

    def _end_of_flow(self) -> None:
        self.finish("the flow ran out of actions")
        if self.port.call.status is not CallStatus.HANGUP:
            self.port.hangup()

    def _run(self, flow_step: FlowStep) -> None:
        spec = action_type(flow_step.action.type)
        assert spec is not None  # the loader refused unknown types
        step = Step(self, flow_step)
        self.current = step
        self.port.set_action(flow_step.action)
        if spec.needs_media and self._ringing_in():
            # Audio needs an answered call: answer first, then run the action.
            step.answer_handler = lambda: self._start(step)
            self.port.answer()
            return
        self._start(step)

    def _ringing_in(self) -> bool:
        call = self.port.call
        return call.status is CallStatus.RINGING and call.direction.value == "incoming"

    def _start(self, step: Step) -> None:
        spec = action_type(step.flow_step.action.type)
        assert spec is not None
        step.answer_handler = None
        self.run_callback(lambda: spec.run(step, step.flow_step.options), step)

    def run_callback(self, callback: Callable[[], None], step: Step | None = None) -> None:
        """Run an action's code; a failure ends that action (logged), the flow goes on."""
        if not self._advancing:
            self._instant = 0  # something waited: this is a new turn of the poll loop
        step = step or self.current
        try:
            callback()
        except ActionFailed as exc:
            self._failed(step, str(exc))
        except Exception as exc:
            _log.exception("flow action failed")
            self._failed(step, f"{type(exc).__name__}: {exc}")

    def _failed(self, step: Step | None, message: str) -> None:
        if step is None or not step.active:
            return
        kind = step.flow_step.action.type
        _log.warning("flow action %d (%s) failed: %s", step.index, kind, message)
        self.port.note(f"action {step.index} ({kind}) failed: {message}")
        step.done()
