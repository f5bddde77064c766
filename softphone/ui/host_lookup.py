"""Host names in a dial target are looked up off the GUI thread before the call is placed.

pjsip resolves a host name synchronously inside makeCall; a slow or unreachable DNS
server would freeze the window for seconds. Looking the name up first on a worker thread
keeps the window painting, fails fast with a clear message for a name that does not
exist, and warms the system resolver for pjsip's own look-up.
"""

from __future__ import annotations

import ipaddress
import socket


def uri_host(uri: str) -> str:
    """The host of a ``sip:``/``sips:`` URI (without brackets, port or parameters)."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    rest = rest.split(";", 1)[0].split("?", 1)[0]
    hostport = rest.rsplit("@", 1)[-1]
    if hostport.startswith("["):
        return hostport[1:].split("]", 1)[0]
    return hostport.split(":", 1)[0]


def needs_lookup(uri: str) -> bool:
    host = uri_host(uri)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(host)
    return False


def resolve(host: str) -> str:
    """The first address of ``host``; raises OSError with the resolver's reason."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    return str(infos[0][4][0])
