"""baresip (Debian's baresip-core) as a SIP peer nobody here wrote, driven over ctrl_tcp.

Configured in its own folder: SIP on 127.0.0.1 port 0 (the port it got is read from its
socket: baresip prints it nowhere), ``answermode auto`` unless told otherwise, audio from
``ausine`` (a sine tone; it needs ``ausrc_srate 48000`` and ``ausrc_channels 2`` or
baresip answers 486), played into ``aubridge`` (a sink that needs no sound card). Codecs
PCMU and PCMA by default, so an answer carries two codecs as most PBXs' do.

Control is ctrl_tcp: netstring-framed JSON commands (the menu's: ``/dial``, ``/accept``,
``/hangup``, ``/hold``, ``/resume``, ``/transfer``), answered with a response carrying the
command's token; events (``CALL_INCOMING``, ``CALL_ESTABLISHED``, ``CALL_CLOSED``, ...)
come on the same connection. The ctrl_tcp port is picked then bound (TCP, not SIP+1,
which baresip takes for SIP over TLS when the SIP port is fixed).
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

from tests.peers.base import HOST, PeerError, PeerProcess


def baresip_available() -> bool:
    return shutil.which("baresip") is not None


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


CONFIG = """\
poll_method epoll
sip_listen {host}:0
sip_trans_def udp
audio_player aubridge,nil
audio_source ausine,{tone_hz}
audio_alert aubridge,nil
ausrc_srate 48000
ausrc_channels 2
auplay_srate 48000
auplay_channels 2
audio_level no
rtp_ports {rtp_lo}-{rtp_hi}
module_path /usr/lib/baresip/modules
{modules}
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen {host}:{ctrl_port}
"""


class Baresip(PeerProcess):
    kind = "baresip"
    reads_stdout = True

    def __init__(self, *, user: str = "bob", answer: str = "auto", codecs: str = "PCMU,PCMA",
                 tone_hz: int = 440, workdir: Path | None = None) -> None:
        super().__init__(workdir)
        self.user = user
        self.answer = answer  # auto | manual
        self.codecs = codecs
        self.tone_hz = tone_hz
        self.ctrl_port = free_tcp_port()
        self.events: list[dict[str, Any]] = []
        self._responses: dict[str, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._sock: socket.socket | None = None
        self._token = 0

    def command(self) -> list[str]:
        mods = {"PCMU": "g711.so", "PCMA": "g711.so", "G722": "g722.so", "GSM": "gsm.so",
                "opus": "opus.so"}
        wanted = {mods[c] for c in self.codecs.split(",") if c in mods} | {
            "ausine.so", "aubridge.so"}
        # RTP ports from a range of its own per peer, away from pjsua's default 4000+.
        lo = 20000 + (self.ctrl_port % 400) * 100
        (self.workdir / "config").write_text(CONFIG.format(
            host=HOST, tone_hz=self.tone_hz, ctrl_port=self.ctrl_port, rtp_lo=lo,
            rtp_hi=lo + 99, modules="\n".join(f"module {m}" for m in sorted(wanted))))
        (self.workdir / "accounts").write_text(
            f"<sip:{self.user}@{HOST}>;regint=0;answermode={self.answer};"
            f"audio_codecs={self.codecs}\n")
        return ["baresip", "-f", str(self.workdir)]

    def ready(self, deadline: float) -> None:
        while True:
            line = self.wait_line(deadline - time.monotonic(), "'baresip is ready.'")
            if "baresip is ready." in line:
                break
        self.port = self.wait_port(deadline)
        self._sock = socket.create_connection((HOST, self.ctrl_port), timeout=5)
        self._sock.settimeout(None)
        threading.Thread(target=self._read_ctrl, daemon=True).start()

    def uri(self, user: str | None = None) -> str:
        return f"sip:{user or self.user}@{HOST}:{self.port}"

    # -- ctrl_tcp ----------------------------------------------------------------------
    def _read_ctrl(self) -> None:
        assert self._sock is not None
        buf = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self.events.append({"type": "CTRL_CLOSED"})
                    self._cond.notify_all()
                return
            buf += chunk
            while b":" in buf:
                size_text, _, rest = buf.partition(b":")
                size = int(size_text)
                if len(rest) < size + 1:
                    break
                msg = json.loads(rest[:size].decode(errors="replace"))
                buf = rest[size + 1:]
                with self._cond:
                    if msg.get("response"):
                        self._responses[str(msg.get("token"))] = msg
                    else:
                        self.events.append(msg)
                    self._cond.notify_all()

    def cmd(self, command: str, params: str = "", timeout: float = 10) -> dict[str, Any]:
        """Run a menu command (``"dial"``, ``"hangup"``...); its response."""
        assert self._sock is not None
        self._token += 1
        token = str(self._token)
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        self._sock.sendall(str(len(body)).encode() + b":" + body + b",")
        deadline = time.monotonic() + timeout
        with self._cond:
            while token not in self._responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self.error(f"no response to {command} {params}")
                self._cond.wait(left)
            return self._responses.pop(token)

    def wait_event(self, kind: str, timeout: float = 20, after: int = 0) -> dict[str, Any]:
        """The first event of ``kind`` (e.g. ``"CALL_ESTABLISHED"``) from index ``after``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for ev in self.events[after:]:
                    if ev.get("type") == kind:
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or not self.running():
                    raise self.error(f"no {kind} event within {timeout} s; events: "
                                     f"{[e.get('type') for e in self.events]}")
                self._cond.wait(min(left, 0.5))

    def dial(self, uri: str) -> dict[str, Any]:
        return self.cmd("dial", uri)

    def stop(self, grace: float = 3.0) -> int | None:
        if self._sock is not None and self.running():
            try:
                self.cmd("quit", timeout=2)
            except (PeerError, OSError):
                pass
            self.wait(grace)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        return super().stop(grace)
