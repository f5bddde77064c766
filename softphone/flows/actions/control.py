"""Call control: answer, sleep, hangup, stop, and the jumps goto and branch."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from pydantic import Field

from softphone.flows.registry import ActionRef, NoOptions, Options, register_action
from softphone.flows.runner import DIGITS_VARIABLE, Step
from softphone.model import CallStatus, HangupReason
from softphone.model.ids import NIL_ID


def run_answer(step: Step, _options: NoOptions) -> None:
    call = step.port.call
    if call.status is not CallStatus.RINGING or call.direction.value != "incoming":
        step.done()  # an outgoing call runs its flow from answer: nothing to do
        return
    step.answer_handler = step.done
    step.port.answer()


class SleepOptions(Options):
    duration: int = Field(ge=0, description="milliseconds")


def run_sleep(step: Step, options: SleepOptions) -> None:
    step.later(options.duration / 1000, step.done)


class HangupOptions(Options):
    # Only the reasons a local hangup can give a ringing call (its SIP answer): after
    # answer every hangup is a BYE, and the Call's reason stays the engine's (normal).
    reason: HangupReason = HangupReason.NORMAL
    reference_id: str = ""  # VoIPBIN's: hang up like another call; kept, not used locally


def run_hangup(step: Step, options: HangupOptions) -> None:
    step.port.hangup(options.reason)
    step.stop_flow()


def run_stop(step: Step, _options: NoOptions) -> None:
    step.stop_flow()


class GotoOptions(Options):
    target_id: ActionRef
    loop_count: int = Field(default=0, ge=0)


def run_goto(step: Step, options: GotoOptions) -> None:
    # VoIPBIN's goto jumps loop_count times, then lets the flow go on past it.
    me = step.flow_step.action.id
    done = step.runner.loop_counts.get(me, 0)
    if options.loop_count and done >= options.loop_count:
        step.runner.loop_counts[me] = 0  # a later visit loops again
        step.done()
        return
    step.runner.loop_counts[me] = done + 1
    step.done(options.target_id)


class BranchOptions(Options):
    variable: str = DIGITS_VARIABLE
    default_target_id: ActionRef = NIL_ID
    target_ids: dict[str, ActionRef] = Field(default_factory=dict)


def run_branch(step: Step, options: BranchOptions) -> None:
    value = step.variables.get(options.variable, "")
    target = options.target_ids.get(value, options.default_target_id)
    step.done(target if target != NIL_ID else None)


def _branch_targets(options: BranchOptions) -> Iterable[UUID]:
    return [options.default_target_id, *options.target_ids.values()]


register_action("answer", NoOptions, run_answer)
register_action("sleep", SleepOptions, run_sleep)
register_action("hangup", HangupOptions, run_hangup)
register_action("stop", NoOptions, run_stop)
register_action("goto", GotoOptions, run_goto, targets=lambda o: [o.target_id])
register_action("branch", BranchOptions, run_branch, targets=_branch_targets)


class ConfbridgeJoinOptions(Options):
    confbridge_id: str = ""  # VoIPBIN's; locally there is one conference, ours


def run_confbridge_join(step: Step, _options: ConfbridgeJoinOptions) -> None:
    step.port.join_conference()
    step.done()


register_action("confbridge_join", ConfbridgeJoinOptions, run_confbridge_join,
                needs_media=True)
