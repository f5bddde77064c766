"""Fixtures for tests against independent SIP implementations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.interop.softphone_proc import Softphone
from tests.peers.base import PeerProcess


@pytest.fixture
def peers() -> Iterator[Callable[[PeerProcess], PeerProcess]]:
    """Start peer processes; each is stopped at the test's end, in reverse order."""
    started: list[PeerProcess] = []

    def start(peer: PeerProcess) -> PeerProcess:
        peer.start()
        started.append(peer)
        return peer

    yield start
    for peer in reversed(started):
        peer.stop()


@pytest.fixture
def softphone(data_dir: Path, peers: Callable[[PeerProcess], PeerProcess]
              ) -> Callable[..., Softphone]:
    """Start ``softphone <args>`` (audio null, bound to 127.0.0.1 port 0)."""
    count = [0]

    def start(*args: str) -> Softphone:
        count[0] += 1
        proc = Softphone(data_dir, *args, "--audio", "null", "--bind", "127.0.0.1:0",
                         workdir=data_dir.parent / f"softphone-{count[0]}")
        peers(proc)
        return proc

    return start
