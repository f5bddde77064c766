"""DTMF: digits_send and digits_receive (into the variable voipbin.call.digits)."""

from __future__ import annotations

from pydantic import Field

from softphone.flows.registry import Options, register_action
from softphone.flows.runner import DIGITS_VARIABLE, Step

DTMF = "0123456789*#ABCDabcd"


class DigitsSendOptions(Options):
    digits: str = Field(min_length=1, pattern=r"^([0-9*#A-Da-d]|\$\{[A-Za-z0-9_.\-]+\})+$")
    duration: int = Field(default=100, ge=40, le=5000, description="ms per digit")
    interval: int = Field(default=100, ge=0, le=5000, description="ms between digits")


def run_digits_send(step: Step, options: DigitsSendOptions) -> None:
    digits = "".join(d for d in step.expand(options.digits) if d in DTMF).upper()
    if not digits:
        step.done()
        return
    step.keep(step.port.send_digits(digits, options.duration, options.interval,
                                    step.guard(step.done)))


class DigitsReceiveOptions(Options):
    duration: int = Field(default=5000, ge=0, description="ms to wait for the digits")
    length: int = Field(default=0, ge=0, description="stop after this many (0: no limit)")
    key: str = Field(default="", pattern=r"^[0-9*#A-Da-d]*$",
                     description="any of these ends the input (kept in the digits)")


def run_digits_receive(step: Step, options: DigitsReceiveOptions) -> None:
    collected: list[str] = []
    step.variables[DIGITS_VARIABLE] = ""
    terminators = options.key.upper()

    def finished() -> bool:
        if options.length and len(collected) >= options.length:
            return True
        return bool(collected) and collected[-1] in terminators

    def take(digit: str) -> None:
        collected.append(digit.upper())
        step.variables[DIGITS_VARIABLE] = "".join(collected)
        if finished():
            step.done()

    # Digits pressed ahead (during a prompt) count first, as an IVR's type-ahead does.
    ahead, step.runner.pending_digits = step.runner.pending_digits, ""
    for digit in ahead:
        take(digit)
        if not step.active:
            step.runner.pending_digits = ahead[len(collected):]
            return
    step.digit_handler = take
    step.later(options.duration / 1000, step.done)


register_action("digits_send", DigitsSendOptions, run_digits_send, needs_media=True)
register_action("digits_receive", DigitsReceiveOptions, run_digits_receive, needs_media=True)
