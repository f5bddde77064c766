"""The engine with real sound devices, driven as the window drives it: for what the
`softphone` command has no option for (DTMF keys pressed mid-call, a separate ring device).

Run by the audio tests as a subprocess (pjsua2 allows one Endpoint per process), with the
test's PulseAudio in its environment:

    python -m tests.audio.engine_driver call URI [--dtmf DIGITS] [--dtmf-after S] ...
    python -m tests.audio.engine_driver listen [--ring-device NAME] [--answer-after S] ...
    python -m tests.audio.engine_driver test-call [--hangup-after S]   (the window's Test call)

Stdout: ``READY <port>`` (listen) then one JSON line per event: ``{"t": seconds since
start, "event": "status" | "dtmf" | "devices", ...}``; the last one is the Call itself
(``"event": "hangup"``). Logs (device choices included) go to stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from uuid import UUID

from softphone.audio import DeviceAudio
from softphone.engine import BindAddress, CallUpdate, Engine, EngineConfig, EngineError
from softphone.model import CallStatus, parse_target
from softphone.window_flows import WindowFlows


def _emit(started: float, event: str, **fields: object) -> None:
    line = {"t": round(time.monotonic() - started, 3), "event": event, **fields}
    print(json.dumps(line), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["call", "listen", "test-call"])
    parser.add_argument("target", nargs="?", default="")
    parser.add_argument("--mic", default="")
    parser.add_argument("--speaker", default="")
    parser.add_argument("--ring-device", default="")
    parser.add_argument("--answer-after", type=float, default=0.0,
                        help="listen: answer S seconds after the call rings in")
    parser.add_argument("--dtmf", default="", help="digits to send once the call is answered")
    parser.add_argument("--dtmf-after", type=float, default=1.0, help="seconds after answer")
    parser.add_argument("--hangup-after", type=float, default=3.0, help="seconds after answer")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--devices-later", action="store_true",
                        help="start on the null device, attach the devices once the call is "
                             "up (as the window does for a link dialled at start)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(message)s")

    audio = DeviceAudio(args.mic, args.speaker, args.ring_device)
    engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0)),
                    audio=None if args.devices_later else audio)
    started = time.monotonic()
    done: list[CallUpdate] = []
    ours: set[UUID] = set()  # the calls this driver acts on (not the test call's echo leg)
    seen: dict[UUID, CallStatus] = {}

    def answer(call_id: UUID) -> None:
        try:
            engine.answer(call_id)
        except (EngineError, ValueError) as exc:
            logging.warning("could not answer: %s", exc)

    def send_dtmf(call_id: UUID) -> None:
        engine.send_dtmf(call_id, args.dtmf)
        _emit(started, "dtmf", digits=args.dtmf)

    def hangup(call_id: UUID) -> None:
        if any(c.id == call_id for c in engine.active_calls):
            engine.hangup(call_id)

    def on_update(update: CallUpdate) -> None:
        call = update.call
        if seen.get(call.id) is call.status:
            return
        seen[call.id] = call.status
        if args.mode == "listen" and call.status is CallStatus.RINGING:
            ours.add(call.id)
        _emit(started, "status", status=call.status.value)
        if call.status is CallStatus.RINGING and args.mode == "listen":
            engine.call_later(args.answer_after, lambda: answer(call.id))
        elif call.status is CallStatus.PROGRESSING and call.id in ours:
            if args.devices_later and engine.audio is None:
                engine.call_later(0.3, lambda: engine.attach_audio(audio))
            if args.dtmf:
                engine.call_later(args.dtmf_after, lambda: send_dtmf(call.id))
            engine.call_later(args.hangup_after, lambda: hangup(call.id))
        elif call.status is CallStatus.HANGUP and call.id in ours:
            _emit(started, "hangup", call=json.loads(call.model_dump_json()))
            done.append(update)

    engine.add_listener(on_update)
    engine.start()
    try:
        if args.mode == "listen":
            print(f"READY {engine.local_port}", flush=True)
        elif args.mode == "test-call":
            flows = WindowFlows(engine, Path(tempfile.mkdtemp(prefix="driver-flows-")))
            ours.add(flows.test_call())
        else:
            ours.add(engine.make_call(parse_target(args.target, None)).id)
        deadline = started + args.timeout
        last_devices: dict[str, str | None] = {}
        while not done and time.monotonic() < deadline:
            engine.poll(20)
            devices = audio.open_devices()
            if devices != last_devices:
                last_devices = devices
                _emit(started, "devices", devices=devices)
    finally:
        engine.shutdown()
    return 0 if done else 3


if __name__ == "__main__":
    sys.exit(main())
