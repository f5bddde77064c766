"""VoIPBIN flows run locally on our calls: the loader, the runner, the action families.

The engine is reached only through :class:`softphone.flows.port.CallPort`.
"""

from softphone.flows.errors import ActionFailed, FlowError
from softphone.flows.flow import Flow, FlowStep
from softphone.flows.loader import load_flow, parse_flow
from softphone.flows.port import CallEvents, CallPort, Cancel
from softphone.flows.registry import ActionRef, NoOptions, Options, known_types, register_action
from softphone.flows.runner import DIGITS_VARIABLE, FlowRunner, Step
from softphone.flows.services import service_flow, service_names

__all__ = [
    "DIGITS_VARIABLE",
    "ActionFailed",
    "ActionRef",
    "CallEvents",
    "CallPort",
    "Cancel",
    "Flow",
    "FlowError",
    "FlowRunner",
    "FlowStep",
    "NoOptions",
    "Options",
    "Step",
    "known_types",
    "load_flow",
    "parse_flow",
    "register_action",
    "service_flow",
    "service_names",
]
