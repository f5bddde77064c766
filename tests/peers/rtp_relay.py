"""An impaired media path for quality tests: a UDP relay that drops, delays and jitters.

The machine's kernel has no netem, so the impairment is made here. A pjsua2 peer binds its
RTP on one loopback address and advertises this relay's (same port, another loopback
address) in its SDP. We send RTP and RTCP to the relay, which forwards them to the peer
from its own socket; the peer latches on to that source (symmetric RTP) and from then on
sends to the relay too, which forwards to us. Both directions cross the impairment.
"""

from __future__ import annotations

import heapq
import random
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    data: bytes = field(compare=False)
    sock: socket.socket = field(compare=False)
    to: tuple[str, int] = field(compare=False)


class RtpRelay:
    """Relays RTP (port) and RTCP (port + 1) between the far side and ``peer_host``."""

    def __init__(self, listen_host: str, peer_host: str, port: int, *, loss_pct: float = 0.0,
                 delay_ms: float = 0.0, jitter_ms: float = 0.0, seed: int = 7) -> None:
        self.loss = loss_pct / 100.0
        self.delay = delay_ms / 1000.0
        self.jitter = jitter_ms / 1000.0
        self._random = random.Random(seed)
        self._peer_host = peer_host
        self._socks = []
        for p in (port, port + 1):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((listen_host, p))
            sock.setblocking(False)
            self._socks.append(sock)
        self._far: dict[int, tuple[str, int]] = {}  # the side that is not the peer, per port
        self._queue: list[_Pending] = []
        self._seq = 0
        self.forwarded = 0
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rtp-relay")

    def __enter__(self) -> RtpRelay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for sock in self._socks:
            sock.close()

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        for sock in self._socks:
            selector.register(sock, selectors.EVENT_READ)
        while not self._stop.is_set():
            timeout = 0.05
            if self._queue:
                timeout = max(0.0, min(timeout, self._queue[0].due - time.monotonic()))
            for key, _ in selector.select(timeout):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    data, source = sock.recvfrom(65535)
                except OSError:
                    continue
                self._route(sock, data, source)
            now = time.monotonic()
            while self._queue and self._queue[0].due <= now:
                item = heapq.heappop(self._queue)
                try:
                    item.sock.sendto(item.data, item.to)
                    self.forwarded += 1
                except OSError:
                    pass
        selector.close()

    def _route(self, sock: socket.socket, data: bytes, source: tuple[str, int]) -> None:
        port = sock.getsockname()[1]
        if source[0] == self._peer_host:
            to = self._far.get(port)
            if to is None:
                return  # the peer spoke first: nobody to relay to yet
        else:
            self._far[port] = source
            to = (self._peer_host, port)
        if self._random.random() < self.loss:
            self.dropped += 1
            return
        delay = self.delay + (self._random.uniform(0, self.jitter) if self.jitter else 0.0)
        self._seq += 1
        heapq.heappush(self._queue, _Pending(time.monotonic() + delay, self._seq, data, sock, to))
