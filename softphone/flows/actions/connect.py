"""connect: dial destinations and bridge the first to answer with this call.

The new calls are chained to this one (VoIPBIN's master/chained rules, kept by the engine:
our end hangs them up; theirs leaves us up). The flow waits while the bridge is up and goes
on when the bridged call ends, or at once when no destination answered; the outcome is in
``voipbin.connect.result`` (``answered`` / ``noanswer``) and the call's details.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from softphone.flows.errors import ActionFailed
from softphone.flows.registry import Options, register_action
from softphone.flows.runner import Step

RESULT_VARIABLE = "voipbin.connect.result"


class Address(Options):
    """VoIPBIN's address; here ``target`` is a SIP URI (``sip:user@host``)."""

    type: str = Field(default="sip", pattern=r"^(sip|tel|endpoint)$")
    target: str = Field(min_length=1)
    target_name: str = ""
    name: str = ""
    detail: str = ""


class ConnectOptions(Options):
    source: Address | None = None  # VoIPBIN's caller id; calls go out from our account
    destinations: list[Address] = Field(min_length=1, max_length=3)  # the wheel: 4 calls
    early_media: bool = False  # VoIPBIN's; the bridge is made at answer
    relay_reason: bool = False  # VoIPBIN's; the master's end is always "normal" here
    ring_timeout: int = Field(default=30000, ge=1000, description="milliseconds")


def run_connect(step: Step, options: ConnectOptions) -> None:
    port = step.port
    answered = {"who": ""}

    def bridged(target: str) -> None:
        answered["who"] = target
        port.note(f"connected to {target}")

    def done(outcome: str) -> None:
        step.variables[RESULT_VARIABLE] = "answered" if answered["who"] else "noanswer"
        if not answered["who"]:
            port.note(f"connect: {outcome}")
        step.done()

    def guarded(callback: Callable[[str], None]) -> Callable[[str], None]:
        # Only while this action runs (the engine's events may come after its end).
        def run(text: str) -> None:
            if step.active:
                step.runner.run_callback(lambda: callback(text), step)
        return run

    try:
        handle = port.connect([d.target for d in options.destinations],
                              options.ring_timeout / 1000, guarded(bridged), guarded(done))
    except Exception as exc:  # the engine's one line: a bad destination, the call gone
        raise ActionFailed(str(exc)) from None
    step.keep(handle)


register_action("connect", ConnectOptions, run_connect, needs_media=True)
