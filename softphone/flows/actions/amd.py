"""amd: answering-machine detection on the far end's audio (flows/amd_detector.py).

The verdict (HUMAN, MACHINE, NOTSURE) lands in the flow variable ``voipbin.amd.result``,
its cause in ``voipbin.amd.cause``, and a line in the call's details. ``machine_handle:
hangup`` ends an outgoing call judged a machine, with reason ``amd`` (an incoming one
ends normally: VoIPBIN never gives ``amd`` to incoming calls). ``async: true`` lets the
flow go on while the analysis listens; otherwise the flow waits for the verdict.
"""

from __future__ import annotations

from pydantic import ConfigDict, Field

from softphone.flows.amd_detector import AmdDetector, AmdResult, AmdSettings, AmdVerdict
from softphone.flows.registry import Options, register_action
from softphone.flows.runner import Step
from softphone.model import CallDirection, CallStatus, HangupReason

RESULT_VARIABLE = "voipbin.amd.result"
CAUSE_VARIABLE = "voipbin.amd.cause"
# How often the received audio is analysed: five 20 ms frames a turn, off pjmedia's clock.
POLL_S = 0.1


class AmdOptions(Options):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    machine_handle: str = Field(default="", pattern=r"^(|hangup|continue)$")
    run_async: bool = Field(default=False, alias="async")
    # Asterisk's amd.conf parameters, in milliseconds (its names; defaults in AmdSettings).
    initial_silence: int = Field(default=AmdSettings.initial_silence, ge=100, le=60000)
    greeting: int = Field(default=AmdSettings.greeting, ge=100, le=60000)
    after_greeting_silence: int = Field(default=AmdSettings.after_greeting_silence,
                                        ge=100, le=60000)
    total_analysis_time: int = Field(default=AmdSettings.total_analysis_time,
                                     ge=500, le=60000)
    min_word_length: int = Field(default=AmdSettings.min_word_length, ge=20, le=5000)
    between_words_silence: int = Field(default=AmdSettings.between_words_silence,
                                       ge=20, le=5000)
    maximum_number_of_words: int = Field(default=AmdSettings.maximum_number_of_words,
                                         ge=1, le=100)
    maximum_word_length: int = Field(default=AmdSettings.maximum_word_length,
                                     ge=100, le=60000)

    def settings(self) -> AmdSettings:
        return AmdSettings(
            initial_silence=self.initial_silence, greeting=self.greeting,
            after_greeting_silence=self.after_greeting_silence,
            total_analysis_time=self.total_analysis_time,
            min_word_length=self.min_word_length,
            between_words_silence=self.between_words_silence,
            maximum_number_of_words=self.maximum_number_of_words,
            maximum_word_length=self.maximum_word_length)


def run_amd(step: Step, options: AmdOptions) -> None:
    runner = step.runner
    port = step.port
    detector = AmdDetector(options.settings())
    tap = port.tap_audio()
    if not options.run_async:
        step.keep(tap)  # the step's end (the call's, the flow's) stops the analysis

    def decided(verdict: AmdVerdict) -> None:
        runner.variables[RESULT_VARIABLE] = verdict.result.value
        runner.variables[CAUSE_VARIABLE] = verdict.cause
        port.note(f"answering-machine detection: {verdict}")
        call = port.call
        if (verdict.result is AmdResult.MACHINE and options.machine_handle == "hangup"
                and call.status is not CallStatus.HANGUP):
            outgoing = call.direction is CallDirection.OUTGOING
            port.hangup(HangupReason.AMD if outgoing else None)
            return
        if not options.run_async:
            step.done()

    def listen() -> None:
        if runner.finished or (not options.run_async and not step.active):
            tap.cancel()
            return
        verdict = detector.feed(tap.take())
        if verdict is None:
            port.later(POLL_S, lambda: runner.run_callback(listen, step))
            return
        tap.cancel()
        decided(verdict)

    port.later(POLL_S, lambda: runner.run_callback(listen, step))
    if options.run_async:
        step.done()


register_action("amd", AmdOptions, run_amd, needs_media=True)
