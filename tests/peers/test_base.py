"""The subprocess peer base (tests/peers/base.py) with tiny stand-in processes."""

from __future__ import annotations

import sys
import time

import pytest

from tests.peers.base import PeerError, PeerProcess
from tests.peers.pjsua import PjsuaPeer


class Script(PeerProcess):
    kind = "script"
    reads_stdout = True
    ready_timeout = 3.0

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def command(self) -> list[str]:
        return [sys.executable, "-u", "-c", self.code]

    def ready(self, deadline: float) -> None:
        line = self.wait_line(deadline - time.monotonic(), "ready line")
        self.port = int(line.split()[1])


def test_ready_line_parsed_and_stop_ends_the_process():
    peer = Script("import sys, time; print('READY 4242'); time.sleep(60)").start()
    assert peer.port == 4242 and peer.running()
    peer.stop(grace=2)
    assert not peer.running()


def test_a_peer_that_dies_at_start_reports_its_log():
    peer = Script("import sys; sys.stderr.write('cannot bind: in use\\n'); sys.exit(3)")
    with pytest.raises(PeerError, match=r"(?s)stdout ended.*exit 3.*cannot bind: in use"):
        peer.start()


def test_a_peer_that_never_gets_ready_is_stopped():
    peer = Script("import time; time.sleep(60)")
    peer.ready_timeout = 0.5
    with pytest.raises(PeerError, match="no ready line within"):
        peer.start()
    assert not peer.running()


def test_pjsua_peer_binds_port_0_and_says_which_port():
    with PjsuaPeer("--listen", timeout_s=10) as peer:
        assert peer.port > 0
        assert peer.uri() == f"sip:peer@127.0.0.1:{peer.port}"
