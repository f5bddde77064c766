"""A baresip peer for call-control tests, driven over its ctrl_tcp socket.

baresip (Debian's baresip-core) auto-answers with a sine tone as its microphone; its
ctrl_tcp module speaks netstring-framed JSON: ``{"command": "dial", "params": "sip:...",
"token": "1"}`` in, responses and call events out. Set-up pitfalls (DESIGN.md): ausine
needs ``ausrc_srate 48000`` and ``ausrc_channels 2``; ctrl_tcp's port must not be the SIP
port + 1 (SIP over TLS takes it).
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from tests.peers.sipp import free_udp_port

MODULES = ("g711", "ausine", "aufile", "account", "menu", "ctrl_tcp")
MODULE_PATH = "/usr/lib/baresip/modules"


def _free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Baresip:
    def __init__(self, workdir: Path, user: str = "bob", *, answer: str = "auto") -> None:
        self.workdir = workdir
        self.user = user
        self.answer = answer
        self.sip_port = free_udp_port()
        self.ctrl_port = _free_tcp_port()
        while self.ctrl_port == self.sip_port + 1:
            self.ctrl_port = _free_tcp_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._responses: dict[str, dict[str, Any]] = {}
        self._lock = threading.Condition()
        self._token = 0
        self._reader: threading.Thread | None = None

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@127.0.0.1:{self.sip_port}"

    def start(self) -> Baresip:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = [
            f"sip_listen 127.0.0.1:{self.sip_port}",
            "audio_source ausine,440",
            "ausrc_srate 48000",
            "ausrc_channels 2",
            f"answermode {self.answer}",
            f"module_path {MODULE_PATH}",
            *(f"module {m}.so" for m in MODULES),
            f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
        ]
        (self.workdir / "config").write_text("\n".join(config) + "\n")
        (self.workdir / "accounts").write_text(
            # baresip 1.0 reads answermode per account (the config line is for later ones).
            f"<sip:{self.user}@127.0.0.1:{self.sip_port}>;regint=0;answermode={self.answer}\n")
        log = (self.workdir / "baresip.log").open("wb")
        self.proc = subprocess.Popen(["baresip", "-f", str(self.workdir)],
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                self._sock = socket.create_connection(("127.0.0.1", self.ctrl_port), 1)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"baresip did not start: {self.log_tail()}") from None
                time.sleep(0.05)
        self._sock.settimeout(None)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        sock = self._sock
        assert sock is not None
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            self._buffer += chunk
            while b":" in self._buffer:
                size_text, _, rest = self._buffer.partition(b":")
                size = int(size_text)
                if len(rest) < size + 1:
                    break
                message = json.loads(rest[:size])
                self._buffer = rest[size + 1:]
                with self._lock:
                    if message.get("response"):
                        self._responses[str(message.get("token"))] = message
                    else:
                        self._events.append(message)
                    self._lock.notify_all()

    def command(self, command: str, params: str = "", timeout: float = 5) -> dict[str, Any]:
        assert self._sock is not None
        self._token += 1
        token = str(self._token)
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        self._sock.sendall(str(len(body)).encode() + b":" + body + b",")
        with self._lock:
            if not self._lock.wait_for(lambda: token in self._responses, timeout):
                raise TimeoutError(f"baresip did not answer {command!r}")
            return self._responses.pop(token)

    def wait_event(self, kind: str, timeout: float = 10, after: int = 0) -> dict[str, Any]:
        """The first event of type ``kind`` (CALL_ESTABLISHED, CALL_CLOSED, ...) from
        index ``after`` on."""
        def found() -> dict[str, Any] | None:
            return next((e for e in self._events[after:] if e.get("type") == kind), None)

        with self._lock:
            if not self._lock.wait_for(lambda: found() is not None, timeout):
                kinds = [e.get("type") for e in self._events]
                raise TimeoutError(f"no {kind} from baresip (saw {kinds})")
            event = found()
            assert event is not None
            return event

    @property
    def event_count(self) -> int:
        with self._lock:
            return len(self._events)

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._events)

    def log_tail(self, chars: int = 3000) -> str:
        path = self.workdir / "baresip.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            # With a call up, baresip waits for the answer to its BYE, which an engine the
            # test no longer polls never sends: how a test peer exits is not under test.
            try:
                self.proc.wait(1)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
