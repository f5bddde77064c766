"""The pjsua2 peer (tests/peers/pjsua_peer.py) as a PeerProcess.

It binds port 0 and says which port it got in its ready line; then one CallEnded line per
call (softphone.model.worker). ``PjsuaPeer("--listen", "--tone", "440")``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from softphone.model.worker import CallEnded, Ready, WorkerProtocolError, parse_line
from tests.peers.base import HOST, PeerProcess

SCRIPT = Path(__file__).resolve().parent / "pjsua_peer.py"
ROOT = SCRIPT.parents[2]


class PjsuaPeer(PeerProcess):
    kind = "pjsua_peer"
    reads_stdout = True

    def __init__(self, *args: str, timeout_s: float = 60, workdir: Path | None = None) -> None:
        super().__init__(workdir)
        self.args = args
        self.timeout_s = timeout_s

    def command(self) -> list[str]:
        return [sys.executable, str(SCRIPT), "--timeout", str(self.timeout_s), *self.args]

    def ready(self, deadline: float) -> None:
        line = self.wait_line(deadline - time.monotonic(), "READY line")
        try:
            msg = parse_line(line)
        except WorkerProtocolError as exc:
            raise self.error(str(exc)) from None
        if not isinstance(msg, Ready):
            raise self.error(f"first line is not READY: {line!r}")
        self.port = msg.port

    def uri(self, user: str = "peer") -> str:
        return f"sip:{user}@{HOST}:{self.port}"

    def next_call(self, timeout: float = 30) -> CallEnded:
        """The next call the peer saw end."""
        line = self.wait_line(timeout, "call-ended line")
        msg = parse_line(line)
        if not isinstance(msg, CallEnded):
            raise self.error(f"expected a call-ended line, got {line!r}")
        return msg

    def finish(self, timeout: float = 30) -> list[CallEnded]:
        """Wait for the peer to exit by itself (exit 0), then every call line it wrote."""
        rc = self.wait(timeout)
        if rc != 0:
            raise self.error(f"did not end cleanly: exit {rc}")
        calls: list[CallEnded] = []
        while True:
            try:
                line = self._lines.get(timeout=5)
            except Exception:
                break
            if line is None:
                break
            msg = parse_line(line)
            if isinstance(msg, CallEnded):
                calls.append(msg)
        return calls
