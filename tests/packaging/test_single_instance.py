"""Single instance: a second `softphone [URL]` hands its link to the window already open.

The window side runs in this process (pytest-qt, offscreen); the second invocation is a
real second process, as when a desktop opens a sip: link.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtWidgets import QWidget

from softphone.ui.single_instance import (
    READY_LINE,
    InstanceServer,
    WindowInstance,
    forward,
    serve_window,
    server_name,
)
from tests.softphone_cli import ROOT, clean_env, history_json, start_cli

pytestmark = pytest.mark.gui


def forward_in_subprocess(data_dir: Path, dial: str | None) -> subprocess.Popen[str]:
    code = (
        "import sys; from pathlib import Path; "
        "from softphone.ui.single_instance import forward; "
        "print(forward(Path(sys.argv[1]), sys.argv[2] or None))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(data_dir), dial or ""],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=clean_env({"QT_QPA_PLATFORM": "offscreen"}),
    )


class FakeWindow(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.dialled: list[str] = []

    def dial(self, text: str) -> None:
        self.dialled.append(text)


def test_names_differ_per_data_dir(tmp_path: Path) -> None:
    a, b = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert a != b
    assert a == server_name(tmp_path / "a")
    assert a.startswith("softphone-") and len(a) < 40  # short: Unix socket paths are limited


def test_forward_without_a_window_says_false_fast(tmp_path: Path) -> None:
    started = time.monotonic()
    assert forward(tmp_path, "sip:alice@example.com") is False
    assert time.monotonic() - started < 2


def test_second_process_hands_its_link_to_the_window(qtbot, tmp_path: Path) -> None:
    window = FakeWindow()
    qtbot.addWidget(window)
    window.show()
    instance = serve_window(window, tmp_path, None)
    try:
        assert isinstance(instance, WindowInstance) and instance.server is not None
        proc = forward_in_subprocess(tmp_path, "sip:alice@example.com")
        qtbot.waitUntil(lambda: window.dialled == ["sip:alice@example.com"], timeout=10_000)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10_000)
        out, err = proc.communicate()
        assert proc.returncode == 0, err
        assert out.strip() == "True"

        # Without a link: the window only shows itself, nothing is dialled.
        proc = forward_in_subprocess(tmp_path, None)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10_000)  # the loop must run
        out, err = proc.communicate()
        assert out.strip() == "True", err
        qtbot.wait(100)
        assert window.dialled == ["sip:alice@example.com"]

        # Another data folder is another instance: nobody answers there.
        proc = forward_in_subprocess(tmp_path / "other", "sip:bob@example.com")
        out, _ = proc.communicate(timeout=10)
        assert out.strip() == "False"
    finally:
        instance.close()


def test_link_given_at_start_is_dialled(qtbot, tmp_path: Path) -> None:
    window = FakeWindow()
    qtbot.addWidget(window)
    instance = serve_window(window, tmp_path, "tel:+821028286521")
    try:
        qtbot.waitUntil(lambda: window.dialled == ["tel:+821028286521"], timeout=5000)
    finally:
        instance.close()


def test_second_server_does_not_steal_a_live_one(qtbot, tmp_path: Path) -> None:
    first = InstanceServer(tmp_path, lambda message: None)
    second = InstanceServer(tmp_path, lambda message: None)
    try:
        assert first.listen()
        assert not second.listen()
    finally:
        first.close()
        second.close()


def test_garbage_is_refused_and_ignored(qtbot, tmp_path: Path) -> None:
    received: list[dict[str, object]] = []
    server = InstanceServer(tmp_path, received.append)
    assert server.listen()
    try:
        code = (
            "import sys; from PySide6.QtNetwork import QLocalSocket; s = QLocalSocket(); "
            "s.connectToServer(sys.argv[1]); assert s.waitForConnected(2000); "
            "s.write(b'not json\\n'); s.waitForBytesWritten(2000); s.waitForReadyRead(2000); "
            "print(bytes(s.readAll().data()).decode().strip())"
        )
        proc = subprocess.Popen([sys.executable, "-c", code, server.name], text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10_000)
        out, err = proc.communicate()
        assert out.strip() == "error", err
        assert received == []
    finally:
        server.close()


@pytest.mark.skipif(os.name != "posix", reason="socket files are a Unix matter")
def test_stale_socket_file_of_a_crashed_window_is_replaced(qtbot, tmp_path: Path) -> None:
    path = Path(QDir.tempPath()) / server_name(tmp_path)
    path.unlink(missing_ok=True)
    crashed = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    crashed.bind(str(path))  # bound, never listening, never unlinked: what a crash leaves
    crashed.close()
    assert path.exists()
    server = InstanceServer(tmp_path, lambda message: None)
    try:
        assert server.listen()
    finally:
        server.close()


@pytest.mark.sip
def test_the_real_window_takes_a_link_from_a_second_softphone(tmp_path: Path) -> None:
    """End to end with the real app: window up, `softphone sip:...` exits 0, the window dials."""
    from tests.peers.sipp import run_uas

    data = tmp_path / "data"
    env = {"QT_QPA_PLATFORM": "offscreen", "SOFTPHONE_SMOKE_QUIT_AFTER": "120"}
    window = subprocess.Popen(
        [sys.executable, "-m", "softphone", "--data-dir", str(data)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env=clean_env(env), stdin=subprocess.DEVNULL,
    )
    try:
        assert window.stderr is not None
        lines = []
        for line in window.stderr:
            lines.append(line)
            if line.strip() == READY_LINE:
                break
        assert lines and lines[-1].strip() == READY_LINE, "".join(lines)
        with run_uas("uas_486", timeout_s=60) as peer:
            second = start_cli(peer.uri(), data_dir=data)
            out, err = second.communicate(timeout=30)
            assert second.returncode == 0, err
            assert out == ""
            deadline = time.monotonic() + 30
            calls: list[dict] = []
            while time.monotonic() < deadline:
                calls = history_json(data)
                if calls and calls[0]["status"] == "hangup":
                    break
                time.sleep(0.5)
            peer.assert_success(timeout=10)
        assert len(calls) == 1, json.dumps(calls, indent=1)
        assert calls[0]["destination"]["target"] == peer.uri()
        assert (calls[0]["direction"], calls[0]["hangup_by"], calls[0]["hangup_reason"]) == (
            "outgoing", "remote", "busy")
        assert window.poll() is None, "the first window must stay up"
        window.terminate()  # SIGTERM: closes like the user would
        assert window.wait(20) == 0
    finally:
        if window.poll() is None:
            window.kill()
            window.wait()
