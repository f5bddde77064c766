"""How the engine is set up: plain data, filled from the command line or settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from softphone import __version__

DEFAULT_SIP_PORT = 5060
# How many ports past 5060 to try when the default is taken (another softphone running).
DEFAULT_PORT_SEARCH = 20
# Compiled into the pjsua2-python wheel: a 5th simultaneous call cannot be made (DESIGN.md).
MAX_CALLS = 4


@dataclass(frozen=True)
class BindAddress:
    host: str = "0.0.0.0"
    port: int | None = None  # None: 5060 or the next free one; 0: any free port

    @classmethod
    def parse(cls, text: str) -> BindAddress:
        """Read ``HOST:PORT``, ``HOST``, ``:PORT`` or ``[IPV6]:PORT``."""
        text = text.strip()
        if not text:
            raise ValueError("empty bind address (expected HOST:PORT)")
        if text.startswith("["):
            host, sep, rest = text[1:].partition("]")
            if not sep:
                raise ValueError(f"bad bind address {text!r}: unbalanced [")
            port_text = rest[1:] if rest.startswith(":") else rest
        elif text.count(":") > 1:
            host, port_text = text, ""
        else:
            host, _, port_text = text.partition(":")
        host = host or "0.0.0.0"
        if not port_text:
            return cls(host, None)
        if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
            raise ValueError(f"bad bind address {text!r}: {port_text!r} is not a port (0-65535)")
        return cls(host, int(port_text))

    @property
    def is_ipv6(self) -> bool:
        return ":" in self.host

    def __str__(self) -> str:
        host = f"[{self.host}]" if self.is_ipv6 else self.host
        return f"{host}:{self.port if self.port is not None else DEFAULT_SIP_PORT}"


@dataclass(frozen=True)
class EngineConfig:
    bind: BindAddress = BindAddress()
    user: str = "softphone"
    display_name: str = ""
    user_agent: str = f"softphone/{__version__} (pjsip 2.15.1)"
    recordings_dir: Path | None = None
    # pjsip log verbosity: 3 is informative; 5 logs every SIP message (redacted).
    log_level: int = 3
    # RTP (media) ports: pjsua takes the first free pair from rtp_port; a range of 0 has
    # no upper limit. A firewall opened for a range needs the range here.
    rtp_port: int = 4000
    rtp_port_range: int = 0
    # STUN servers (host[:port]) for accounts that ask for STUN; pjsua needs them at start.
    stun_servers: tuple[str, ...] = ()
