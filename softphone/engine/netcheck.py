"""Which local address the kernel would use to reach a host: a network change shows here."""

from __future__ import annotations

import socket


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
