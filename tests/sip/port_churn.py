"""Make and free Python bridge ports while the bridge clock runs (the pattern of the number
tester's silence meter and AMD's tap, one per call), then shut the engine down.

Run as a script: exit 0 when the process survived. `--by-refcount` frees each port the way
the engine did before port_free (dropping the last reference), for comparison.
"""

from __future__ import annotations

import os
import sys
import time

from softphone.engine.config import BindAddress, EngineConfig
from softphone.engine.engine import Engine
from softphone.engine.port_free import free_port
from softphone.engine.receive_meter import ReceiveMeter


class BusyMeter(ReceiveMeter):
    """A meter whose frames take 2 ms, as numpy's on a loaded machine: the clock thread
    spends most of each tick inside Python ports, where a badly timed free hurts."""

    def onFrameReceived(self, frame: object) -> None:
        super().onFrameReceived(frame)
        until = time.perf_counter() + BUSY_S
        while time.perf_counter() < until:  # holding the GIL, as numpy's small work does
            pass


PORTS = int(os.environ.get("CHURN_PORTS", "24"))
BUSY_S = float(os.environ.get("CHURN_BUSY_S", "0.0005"))


def main() -> int:
    by_refcount = "--by-refcount" in sys.argv
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 250
    engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0), log_level=1))
    engine.start()
    source = engine.capture_media()
    heard = 0
    for i in range(rounds):
        meters = [BusyMeter().create(f"churn-{i}-{n}") for n in range(PORTS)]
        # Fed as a call's stream feeds them: connected, so the bridge clock runs (an idle
        # bridge stops it a second after its last connection goes, engine.SND_IDLE_CLOSE_S).
        for meter in meters:
            source.startTransmit(meter)
        # Long enough for the bridge to add them and clock them, varied so frees land at
        # every point of the 20 ms tick.
        deadline = time.monotonic() + 0.021 + (i % 7) * 0.003
        while time.monotonic() < deadline:
            engine.poll(2)
        heard += sum(meter.frames for meter in meters)
        for meter in meters:
            if not by_refcount:
                free_port(meter)
        del meters, meter
    engine.shutdown()
    print(f"survived {rounds} rounds; the bridge clocked the meters {heard} times")
    return 0 if heard else 2


if __name__ == "__main__":
    sys.exit(main())
