"""Freeing a bridge port written in Python (a pjsua2.AudioMediaPort subclass) safely.

pjmedia's clock thread calls such a port (onFrameReceived, onFrameRequested) every 20 ms,
even with nothing connected to it, until the bridge carries out its queued removal. Freed
by Python's reference count, the C++ destructor runs while the Python object is already
being torn down; a clock tick landing in that window calls back into the dying object and
the process dies with SIGSEGV (1 run in 4 of a 400-port loop; a `softphone call` once at
exit; a number tester worker mid-run). Destroying the C++ side while we still hold the
Python object is safe: pjsua2's destructor waits for a callback under way, and after it
the port is never called again.
"""

from __future__ import annotations

import pjsua2 as pj


def free_port(port: pj.AudioMediaPort) -> None:
    """Destroy the port's C++ side now (it leaves the bridge on the next clock tick). The
    Python object must not be used afterwards."""
    if port.thisown:
        pj.AudioMediaPort.__swig_destroy__(port)  # disowns it: no second delete later
