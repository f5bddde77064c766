"""Which local address the kernel would use to reach a host: a network change shows here."""

from __future__ import annotations

import socket
from collections.abc import Callable

from softphone.engine.timers import TimerHandle

NETWORK_CHECK_S = 5.0


def local_address_towards(hostport: str) -> str | None:
    host = hostport.rsplit(":", 1)[0] if hostport.count(":") == 1 else hostport
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, 5060, type=socket.SOCK_DGRAM)
    except OSError:
        return None
    for family, _, _, _, address in infos:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect(address)  # UDP connect sends nothing; it only picks a route
                return str(sock.getsockname()[0])
        except OSError:
            continue
    return None


class NetworkWatch:
    """Notices a change of the machine's address (Wi-Fi switch, VPN) while registrars are
    in use. No portable change notification exists: every few seconds it asks the kernel
    which local address reaches the first registrar (no packet is sent) and compares."""

    def __init__(
        self,
        registrar: Callable[[], str | None],  # the first registrar's host[:port], or None
        changed: Callable[[], None],
        call_later: Callable[[float, Callable[[], None]], TimerHandle],
    ) -> None:
        self._registrar = registrar
        self._changed = changed
        self._call_later = call_later
        self._seen: str | None = None
        self._timer: TimerHandle | None = None

    def start(self) -> None:
        if self._timer is None:
            self._timer = self._call_later(0, self._check)

    def _check(self) -> None:
        self._timer = None
        registrar = self._registrar()
        if registrar is None:
            return  # no registrar left: stop watching until one is added
        address = local_address_towards(registrar)
        if self._seen is not None and address is not None and address != self._seen:
            self._changed()
        self._seen = address or self._seen
        self._timer = self._call_later(NETWORK_CHECK_S, self._check)
