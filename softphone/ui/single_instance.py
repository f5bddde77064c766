"""One window per user and data folder; sip:, sips: and tel: links dial through it.

The first window listens on a local socket (QLocalServer: a Unix socket, or a named pipe on
Windows) whose name is derived from the user and the data folder, so two windows over
different ``--data-dir`` folders (tests, a second profile) never meet. A later
``softphone [URL]`` connects to it, sends one JSON line (``{"dial": URL}`` or
``{"show": true}``), waits for ``ok`` and exits 0; the running window raises itself and dials.
With nobody listening, the caller opens the window itself (and dials the link there).

macOS delivers links to a running (or starting) app as Apple events, which Qt turns into
``QFileOpenEvent``: those dial through the same path.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from softphone.store import instance_name
from softphone.ui.first_paint import FirstPaint

_log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000
MAX_MESSAGE_BYTES = 8192
# Smoke tests and the cold-start benchmark: print "softphone: window ready" on stderr once
# the window has been shown and painted, then close it after this many seconds.
SMOKE_QUIT_ENV = "SOFTPHONE_SMOKE_QUIT_AFTER"
READY_LINE = "softphone: window ready"


def server_name(data_dir: Path) -> str:
    """The local socket name for this user and data folder (shared with `listen`)."""
    return instance_name(data_dir)


def forward(data_dir: Path, dial: str | None) -> bool:
    """Hand a link (or just "show yourself") to a running window; True if it took it.

    Needs no QCoreApplication: it uses the socket's blocking calls.
    """
    message = {"dial": dial} if dial else {"show": True}
    socket = QLocalSocket()
    socket.connectToServer(server_name(data_dir))
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write((json.dumps(message) + "\n").encode())
    if not socket.waitForBytesWritten(REPLY_TIMEOUT_MS):
        socket.abort()
        return False
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return reply.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later invocations and hands each message to ``on_message``."""

    def __init__(
        self,
        data_dir: Path,
        on_message: Callable[[dict[str, object]], None],
        parent: QObject | None = None,
        control: Callable[[dict[str, object]], dict[str, object]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = server_name(data_dir)
        self._on_message = on_message
        # `softphone ctl`: {"ctl": ...} messages get a JSON reply line (engine/remote.py).
        self._control = control
        self._server = QLocalServer(self)
        # Unix: the socket file is only usable by this user.
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; False if a live window already listens on this name.

        A socket file left by a crashed window is replaced. Ask first: with
        UserAccessOption, Qt's listen() would silently take the name over from a live one.
        """
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.disconnectFromServer()
            return False
        QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        _log.warning("single instance: cannot listen on %s: %s", self.name,
                     self._server.errorString())
        return False

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            if sock is None:
                break
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))

    def _drop(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _read(self, sock: QLocalSocket) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        if len(data) > MAX_MESSAGE_BYTES:
            _log.warning("single instance: message too long, dropped")
            sock.abort()
            return
        if b"\n" not in data:
            self._buffers[sock] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[sock] = b""
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            sock.write(b"error\n")
            sock.flush()
            return
        if "ctl" in message:
            if self._control is None:
                answer: dict[str, object] = {"ok": False, "exit": 1,
                                             "message": "this window takes no ctl commands"}
            else:
                answer = self._control(message)
            sock.write(json.dumps(answer).encode() + b"\n")
            sock.flush()
            return
        sock.write(b"ok\n")
        sock.flush()
        self._on_message(message)


def _raise_window(window: QWidget) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def dial_in(window: QWidget, link: str) -> None:
    """Ask the window to dial a link (``MainWindow.dial``); the window reports any error."""
    _raise_window(window)
    dial = getattr(window, "dial", None)
    if callable(dial):
        dial(link)
    else:  # a window without dial(): at least put the link where the user can see it
        _log.warning("this window cannot dial links; ignored %s", link)


class _FileOpenFilter(QObject):
    """macOS: sip:/tel: links opened while the app runs arrive as QFileOpenEvent."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            url = event.url().toString()
            if url.split(":", 1)[0].lower() in ("sip", "sips", "tel"):
                dial_in(self._window, url)
                return True
        return False


def _report_ready(window: QWidget, quit_after_ms: int) -> QObject:
    """Smoke tests and benchmarks: print READY_LINE once the window has painted, then close
    the window ``quit_after_ms`` later (and at the latest a minute after that, painted or not).
    """
    QTimer.singleShot(quit_after_ms + 60_000, window.close)

    def ready() -> None:
        print(READY_LINE, file=sys.stderr, flush=True)
        QTimer.singleShot(quit_after_ms, window.close)

    return FirstPaint(window, ready)


class WindowInstance:
    """Everything serve_window() set up; keep it alive as long as the window."""

    def __init__(self, server: InstanceServer | None, filters: list[QObject]) -> None:
        self.server = server
        self.filters = filters

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


def serve_window(
    window: QWidget,
    data_dir: Path,
    dial: str | None = None,
    control: Callable[[dict[str, object]], dict[str, object]] | None = None,
    on_terminate: Callable[[], object] | None = None,
) -> WindowInstance:
    """Make ``window`` the one window for ``data_dir``: listen, dial ``dial``, obey SIGTERM
    (``on_terminate``, default: close the window).

    Call it once the window is shown, before the event loop runs.
    """
    app = QCoreApplication.instance()
    assert app is not None, "serve_window() needs the QApplication"

    def on_message(message: dict[str, object]) -> None:
        link = message.get("dial")
        if isinstance(link, str) and link:
            dial_in(window, link)
        else:
            _raise_window(window)

    server: InstanceServer | None = InstanceServer(data_dir, on_message, window, control)
    assert server is not None
    if not server.listen():
        _log.warning("another window already serves %s; links go there", data_dir)
        server = None
    filters: list[QObject] = []
    if sys.platform == "darwin":
        # Only where QFileOpenEvent exists: an application filter is Python run for every
        # event of every widget (issue 16: idle cost).
        filters.append(_FileOpenFilter(window))
        app.installEventFilter(filters[0])
    if dial:
        QTimer.singleShot(0, lambda: dial_in(window, dial))

    # A desktop session's logout (and `kill`) sends SIGTERM: quit as the user would, so
    # calls are hung up and history is saved (a plain close() only hides to the tray).
    # Python runs the handler on the GUI thread the next time it runs Python code (the
    # engine's poll timer does, every few ms).
    terminate = on_terminate or window.close
    if hasattr(signal, "SIGTERM") and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:

        def on_term(_signum: int, _frame: FrameType | None) -> None:
            QTimer.singleShot(0, terminate)

        signal.signal(signal.SIGTERM, on_term)

    quit_after = os.environ.get(SMOKE_QUIT_ENV)
    if quit_after:
        try:
            quit_ms = max(0, int(float(quit_after) * 1000))
        except ValueError:
            _log.warning("%s=%r is not a number of seconds; ignored", SMOKE_QUIT_ENV, quit_after)
        else:
            filters.append(_report_ready(window, quit_ms))
    return WindowInstance(server, filters)
