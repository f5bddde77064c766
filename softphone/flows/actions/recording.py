"""recording_start and recording_stop: the call's recording (a WAV in the recordings folder).

The recording goes on while the flow moves on; its own limits (duration, end_of_silence,
end_of_key) are watched by the runner, not by the action that started it.
"""

from __future__ import annotations

from pydantic import Field

from softphone.flows.actions.media import BEEP_HZ, BEEP_MS
from softphone.flows.registry import NoOptions, Options, register_action
from softphone.flows.runner import Step

# pjmedia's level (0-255) under which the far end counts as silent.
SILENCE_LEVEL = 3
LEVEL_POLL_S = 0.1


class RecordingStartOptions(Options):
    format: str = Field(default="wav", pattern=r"^wav$")  # VoIPBIN's; WAV is what we write
    duration: int = Field(default=0, ge=0, description="seconds, 0: until stopped")
    end_of_silence: int = Field(default=0, ge=0, description="seconds of silence that stop it")
    end_of_key: str = Field(default="", pattern=r"^[0-9*#A-Da-d]*$")
    beep_start: bool = False


def run_recording_start(step: Step, options: RecordingStartOptions) -> None:
    runner = step.runner
    port = step.port
    generation = runner.recording_generation = runner.recording_generation + 1

    def live() -> bool:
        return not runner.finished and runner.recording_generation == generation

    def stop() -> None:
        if live():
            runner.recording_generation += 1
            port.stop_recording()

    def start() -> None:
        port.start_recording()
        if options.duration:
            port.later(options.duration, stop)
        if options.end_of_key:
            keys = options.end_of_key.upper()
            runner.digit_watchers.append(lambda d: stop() if d in keys else None)
        if options.end_of_silence:
            quiet = {"since": 0.0}

            def meter() -> None:
                if not live():
                    return
                quiet["since"] = quiet["since"] + LEVEL_POLL_S if (
                    port.rx_level() <= SILENCE_LEVEL) else 0.0
                if quiet["since"] >= options.end_of_silence:
                    stop()
                else:
                    port.later(LEVEL_POLL_S, meter)

            port.later(LEVEL_POLL_S, meter)
        step.done()

    if options.beep_start:
        step.keep(port.play_tone((BEEP_HZ,), BEEP_MS, step.guard(start)))
    else:
        start()


def run_recording_stop(step: Step, _options: NoOptions) -> None:
    step.runner.recording_generation += 1
    step.port.stop_recording()
    step.done()


register_action("recording_start", RecordingStartOptions, run_recording_start,
                needs_media=True)
register_action("recording_stop", NoOptions, run_recording_stop)
