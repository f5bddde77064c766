"""The single-instance socket without Qt: `listen` serves it, `softphone ctl` talks to it.

The window serves the same path with QLocalServer (softphone/ui/single_instance.py); the
wire is one JSON line each way.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from softphone.store import instance_socket_path

_log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 8192
READ_TIMEOUT_S = 1.0
REPLY_TIMEOUT_S = 10.0  # a command (transfer, dial) answers at once; this is a safety net


class NotRunning(Exception):
    """Nothing serves this data folder."""


def request(data_dir: Path, message: dict[str, Any]) -> dict[str, Any]:
    """Send one message to the softphone running for ``data_dir``; its JSON reply."""
    path = instance_socket_path(data_dir)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(REPLY_TIMEOUT_S)
        try:
            sock.connect(str(path))
        except OSError:
            raise NotRunning(f"no softphone is running for {data_dir} (start the window "
                             "or 'softphone listen')") from None
        sock.sendall((json.dumps(message) + "\n").encode())
        data = b""
        try:
            while b"\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            raise NotRunning("the running softphone did not answer") from None
    try:
        answer = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        raise NotRunning("the running softphone is too old for 'ctl' commands") from None
    if not isinstance(answer, dict):
        raise NotRunning("the running softphone gave an answer 'ctl' cannot read")
    return answer


class ControlServer:
    """`listen`'s end of the socket, polled from its engine loop (no thread: commands run
    where pjsua2 callbacks run)."""

    def __init__(self, data_dir: Path, handle: Callable[[dict[str, object]], dict[str, Any]]):
        self.path = instance_socket_path(data_dir)
        self._handle = handle
        self._sock: socket.socket | None = None

    def listen(self) -> bool:
        """Start; False when another softphone (a window, a listen) serves this folder."""
        if self.path.exists():
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(str(self.path))
                    return False
                except OSError:
                    self.path.unlink(missing_ok=True)  # left by a process that died
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.bind(str(self.path))
            self.path.chmod(0o600)  # only this user may drive the softphone
            sock.listen(4)
        except OSError as exc:
            _log.warning("cannot listen on %s: %s", self.path, exc)
            sock.close()
            return False
        sock.setblocking(False)
        self._sock = sock
        return True

    def poll(self) -> None:
        if self._sock is None:
            return
        while True:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            with conn:
                self._serve(conn)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(READ_TIMEOUT_S)
        data = b""
        try:
            while b"\n" not in data and len(data) <= MAX_MESSAGE_BYTES:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            try:
                message = json.loads(data.split(b"\n", 1)[0])
            except ValueError:
                message = None
            if isinstance(message, dict) and "ctl" in message:
                answer = json.dumps(self._handle(message))
            else:
                answer = "error"  # `softphone URL` is the window's: listen dials nothing
            conn.sendall(answer.encode() + b"\n")
        except OSError as exc:
            _log.info("control connection dropped: %s", exc)

    def close(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
