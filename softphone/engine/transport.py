"""The engine's UDP transport: where it listens for SIP."""

from __future__ import annotations

from dataclasses import dataclass

import pjsua2 as pj

from softphone.engine.config import DEFAULT_PORT_SEARCH, DEFAULT_SIP_PORT, BindAddress
from softphone.engine.errors import EngineError
from softphone.engine.wire import wire_text

ANY_HOST = ("0.0.0.0", "::")


def error_text(exc: pj.Error) -> str:
    reason = wire_text(getattr(exc, "reason", "") or exc)
    # pjsua2 reasons look like "Address already in use (PJ_STATUS_FROM_OS(98))"
    return reason.split(" (PJ", 1)[0].strip() or "unknown error"


@dataclass(frozen=True)
class Listening:
    transport_id: int
    host: str  # the address peers reach us at
    port: int


def create_udp_transport(ep: pj.Endpoint, bind: BindAddress) -> Listening:
    """Bind where asked; with no port given, 5060 or the next free one (another softphone
    may hold 5060)."""
    kind = pj.PJSIP_TRANSPORT_UDP6 if bind.is_ipv6 else pj.PJSIP_TRANSPORT_UDP
    if bind.port is None:
        ports = list(range(DEFAULT_SIP_PORT, DEFAULT_SIP_PORT + DEFAULT_PORT_SEARCH))
    else:
        ports = [bind.port]
    last_error = ""
    for port in ports:
        tc = pj.TransportConfig()
        tc.port = port
        if bind.host not in ANY_HOST:
            tc.boundAddress = bind.host
        try:
            transport_id = int(ep.transportCreate(kind, tc))
            break
        except pj.Error as exc:
            last_error = error_text(exc)
    else:
        where = str(bind) if bind.port is not None else f"{bind.host}:{ports[0]}-{ports[-1]}"
        raise EngineError(f"cannot listen for SIP on {where}: {last_error}")
    info = ep.transportGetInfo(transport_id)
    host, _, port_text = info.localName.rpartition(":")
    # Bound to all interfaces: pjsua's published address is the one peers can reach.
    host = host.strip("[]") if bind.host in ANY_HOST else bind.host
    return Listening(transport_id, host, int(port_text))
