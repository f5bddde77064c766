"""Python bridge ports (the tester's silence meter, AMD's tap, the device audio port) made
and freed while pjmedia's clock calls them: the process must live.

Freed by reference count, the same loop died with SIGSEGV or an abort in 6 runs of 6
(within 2 s each); with engine/port_free.py it survived 10 of 10:
`python -m tests.sip.port_churn --by-refcount` against `python -m tests.sip.port_churn`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sip
ROOT = Path(__file__).resolve().parents[2]


def test_ports_freed_under_the_bridge_clock_do_not_crash_the_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.sip.port_churn", "150"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "survived 150 rounds" in proc.stdout
    assert "Traceback" not in proc.stderr
