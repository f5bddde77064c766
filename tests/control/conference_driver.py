"""The engine with a tone as our microphone, through hold, call waiting, conference and
mute, for the audio tests (a subprocess: pjsua2 allows one Endpoint per process).

    python -m tests.control.conference_driver URI_A URI_B RECORDINGS_DIR

Stdout: one JSON object at the end: each phase's wall-clock start and end, and each
call's answer time (tm_progressing), so the far ends' recordings can be cut by phase.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import time
from pathlib import Path
from uuid import UUID

from softphone.engine import BindAddress, CallUpdate, Engine, EngineConfig
from softphone.model import CallStatus, parse_target
from tests.harness.silent_audio import SilentAudio

MIC_HZ = 700
PHASE_S = 2.0


class ToneMicrophone(SilentAudio):
    """Our microphone: a steady sine; what we hear is dropped."""

    def __init__(self) -> None:
        self._n = 0

    def capture_frame(self, nbytes: int) -> bytes:
        count = nbytes // 2
        samples = [int(8000 * math.sin(2 * math.pi * MIC_HZ * (self._n + i) / self.clock_rate))
                   for i in range(count)]
        self._n += count
        return struct.pack(f"<{count}h", *samples)


def main(argv: list[str]) -> int:
    uri_a, uri_b, recordings = argv
    engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0),
                                 recordings_dir=Path(recordings)), audio=ToneMicrophone())
    engine.start()
    last: dict[UUID, CallUpdate] = {}
    engine.add_listener(lambda u: last.__setitem__(u.call.id, u))

    def run(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            engine.poll(10)

    def until(done, timeout: float = 15) -> None:
        end = time.monotonic() + timeout
        while not done():
            if time.monotonic() > end:
                raise SystemExit("timed out")
            engine.poll(10)

    def answered(call_id: UUID) -> bool:
        return call_id in last and last[call_id].call.status is CallStatus.PROGRESSING

    phases: dict[str, list[float]] = {}

    def phase(name: str) -> None:
        start = time.time()
        run(PHASE_S)
        phases[name] = [start, time.time()]

    a = engine.make_call(parse_target(uri_a)).id
    until(lambda: answered(a))
    phase("a_alone")
    b = engine.make_call(parse_target(uri_b)).id  # call waiting: holds a
    until(lambda: answered(b) and last[a].diagnostics.held_by_us)
    phase("a_held")
    engine.conference()
    until(lambda: not last[a].diagnostics.held_by_us)
    run(0.5)  # the resume's re-INVITE settles
    engine.set_recording(a, True)  # a conference call's recording takes the whole mix
    phase("conference")
    engine.set_recording(a, False)
    engine.set_mute(a, True)
    phase("a_muted")
    engine.end_conference()
    until(lambda: not engine.active_calls)
    times = {str(k): last[k].call.tm_progressing.ns / 1e9 for k in (a, b)
             if last[k].call.tm_progressing is not None}
    print(json.dumps({"phases": phases, "answered": [times[str(a)], times[str(b)]],
                      "types": [last[a].call.type.value, last[b].call.type.value],
                      "ends": [[last[k].call.hangup_by.value, last[k].call.hangup_reason.value]
                               for k in (a, b)]}), flush=True)
    engine.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
