"""Flow variables: variable_set and condition_variable."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Literal

from softphone.flows.registry import ActionRef, Options, register_action
from softphone.flows.runner import Step
from softphone.model.ids import NIL_ID


class VariableSetOptions(Options):
    key: str
    value: str = ""


def run_variable_set(step: Step, options: VariableSetOptions) -> None:
    step.variables[options.key] = step.expand(options.value)
    step.done()


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, ">": operator.gt, ">=": operator.ge,
    "<": operator.lt, "<=": operator.le,
}


class ConditionVariableOptions(Options):
    # VoIPBIN's: compare the variable (as a string, a number, or by its length) with the
    # value; true goes on, false jumps to false_target_id.
    condition: Literal["==", "!=", ">", ">=", "<", "<="] = "=="
    variable: str
    value_type: Literal["string", "number", "length"] = "string"
    value_string: str = ""
    value_number: float = 0
    value_length: int = 0
    false_target_id: ActionRef = NIL_ID


def run_condition_variable(step: Step, options: ConditionVariableOptions) -> None:
    raw = step.variables.get(options.variable, "")
    compare = _COMPARE[options.condition]
    if options.value_type == "number":
        try:
            holds = compare(float(raw), options.value_number)
        except ValueError:
            holds = False  # not a number: the condition does not hold
    elif options.value_type == "length":
        holds = compare(len(raw), options.value_length)
    else:
        holds = compare(raw, options.value_string)
    if holds or options.false_target_id == NIL_ID:
        step.done()
    else:
        step.done(options.false_target_id)


register_action("variable_set", VariableSetOptions, run_variable_set)
register_action("condition_variable", ConditionVariableOptions, run_condition_variable,
                targets=lambda o: [o.false_target_id])
