"""Audio into the call: talk (offline speech), play (WAV, MP3), beep, echo, stream_echo."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from pydantic import Field

from softphone.flows.audio_files import playable_wav, synthesize
from softphone.flows.background import prepare
from softphone.flows.errors import ActionFailed
from softphone.flows.registry import Options, register_action
from softphone.flows.runner import Step

BEEP_HZ = 1000
BEEP_MS = 250


def _play(step: Step, path: Path) -> None:
    try:
        step.keep(step.port.play_file(path, step.guard(step.done)))
    except Exception as exc:  # the engine's one-line error (a bad file, the call gone)
        raise ActionFailed(str(exc)) from None


class TalkOptions(Options):
    text: str = Field(min_length=1)
    gender: str = ""  # VoIPBIN's: female, male, neutral
    language: str = Field(default="en-US", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    digits_handle: str = ""  # VoIPBIN's; digits pressed during talk wait for digits_receive


def run_talk(step: Step, options: TalkOptions) -> None:
    text = step.expand(options.text)
    prepare(step, lambda: synthesize(text, options.language, options.gender),
            lambda path: _play(step, path))


class PlayOptions(Options):
    # VoIPBIN's name; here local files: paths (relative to the flow file) or file: URLs.
    stream_urls: list[str] = Field(min_length=1)


def _local_path(step: Step, url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
    elif parsed.scheme in ("", ) or len(parsed.scheme) == 1:  # a path (C:\ on Windows)
        path = Path(url)
    else:
        raise ActionFailed(f"only local files can be played here, not {url!r}")
    if not path.is_absolute() and step.runner.flow.source:
        path = Path(step.runner.flow.source).parent / path
    return path


def run_play(step: Step, options: PlayOptions) -> None:
    paths = [_local_path(step, url) for url in options.stream_urls]

    def play_from(index: int) -> None:
        if index >= len(paths):
            step.done()
            return
        path = paths[index]

        def play(wav: Path) -> None:
            try:
                step.keep(step.port.play_file(wav, step.guard(lambda: play_from(index + 1))))
            except Exception as exc:
                raise ActionFailed(str(exc)) from None

        prepare(step, lambda: playable_wav(path), play)

    play_from(0)


class BeepOptions(Options):
    pass


def run_beep(step: Step, _options: BeepOptions) -> None:
    step.keep(step.port.play_tone((BEEP_HZ,), BEEP_MS, step.guard(step.done)))


class EchoOptions(Options):
    duration: int = Field(default=180000, ge=0, description="milliseconds")


def run_echo(step: Step, options: EchoOptions) -> None:
    step.keep(step.port.echo())
    step.later(options.duration / 1000, step.done)


def run_stream_echo(step: Step, options: EchoOptions) -> None:
    # The stream as it came, DTMF included: each digit received is sent back too.
    step.keep(step.port.echo())

    def send_back(digit: str) -> None:
        step.keep(step.port.send_digits(digit, 100, 0, lambda: None))

    step.digit_handler = send_back
    step.later(options.duration / 1000, step.done)


register_action("talk", TalkOptions, run_talk, needs_media=True)
register_action("play", PlayOptions, run_play, needs_media=True)
register_action("beep", BeepOptions, run_beep, needs_media=True)
register_action("echo", EchoOptions, run_echo, needs_media=True)
register_action("stream_echo", EchoOptions, run_stream_echo, needs_media=True)
