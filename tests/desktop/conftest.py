"""A real X desktop for the window: Xvfb, the openbox window manager, a tray (trayer).

The window runs as the app runs (``python -m softphone``) in a process of its own on that
display (the test process's Qt is offscreen); the tests look at it through X (xdotool,
xprop) and call it with SIPp, as a user and a caller would.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

NEEDED = ("Xvfb", "openbox", "trayer", "xdotool", "xprop", "xmessage")


def wait_for(condition: Callable[[], object], timeout: float = 15, what: str = "") -> object:
    """Poll an outside state (X, a process) until it holds: there is no event to await."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


class Desktop:
    def __init__(self, display: str) -> None:
        self.display = display
        self.env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        self.env.pop("WAYLAND_DISPLAY", None)

    def x(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(list(args), env=self.env, capture_output=True, text=True,
                              timeout=10)
        if check and done.returncode != 0:
            raise AssertionError(f"{args}: {done.stderr.strip()}")
        return done.stdout.strip()

    def visible_windows(self, name: str) -> list[str]:
        out = self.x("xdotool", "search", "--onlyvisible", "--name", name, check=False)
        return out.split()

    def active_window(self) -> str:
        return self.x("xdotool", "getactivewindow", check=False)

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        values = dict(line.split("=", 1) for line in
                      self.x("xdotool", "getwindowgeometry", "--shell", window).splitlines())
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    def focus(self, window: str) -> None:
        """Bring a window to the front with the keyboard focus, and wait until it has it."""
        def active() -> bool:
            if self.active_window() == window:
                return True
            self.x("xdotool", "windowactivate", "--sync", window, check=False)
            return False

        wait_for(active, 10, f"window {window} to be active")

    def key(self, window: str, keys: str) -> None:
        self.focus(window)
        self.x("xdotool", "key", "--clearmodifiers", keys)

    def click(self, x: int, y: int) -> None:
        # --sync waits for the pointer to move: from where it already is it would never.
        self.x("xdotool", "mousemove", "--sync", "0", "0", check=False)
        self.x("xdotool", "mousemove", "--sync", str(x), str(y), "click", "1")


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _logs(folder: Path) -> str:
    return "\n".join(f"--- {log.name}:\n{log.read_text(errors='replace')[-2000:]}"
                     for log in sorted(folder.glob("*.log")))


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(procs):
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _start_desktop(folder: Path) -> tuple[Desktop, list[subprocess.Popen[bytes]]]:
    """Xvfb, then openbox and a tray on it; AssertionError if one does not come up."""
    read, write = os.pipe()
    with (folder / "xvfb.log").open("ab") as out:
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0",
                                 "1280x800x24", "-nolisten", "tcp"], pass_fds=(write,),
                                stdout=out, stderr=subprocess.STDOUT)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    procs: list[subprocess.Popen[bytes]] = [xvfb]
    try:
        if not number:
            raise AssertionError(f"Xvfb gave no display (exit {xvfb.wait(5)})")
        desk = Desktop(f":{number}")
        openbox = _start(["openbox"], desk.env, folder / "openbox.log")
        procs.append(openbox)

        def managed() -> bool:
            if openbox.poll() is not None:
                raise AssertionError(f"openbox exited with {openbox.returncode}")
            return "_NET_SUPPORTING_WM_CHECK(WINDOW)" in desk.x(
                "xprop", "-root", "_NET_SUPPORTING_WM_CHECK", check=False)

        wait_for(managed, 30, "openbox")
        procs.append(_start(["trayer", "--edge", "top", "--align", "right", "--widthtype",
                             "pixel", "--width", "80", "--height", "24"], desk.env,
                            folder / "trayer.log"))
        wait_for(lambda: desk.x("xdotool", "search", "--class", "trayer", check=False), 30,
                 "the tray")
    except BaseException:
        _stop(procs)
        raise
    return desk, procs


@pytest.fixture(scope="session")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"missing {', '.join(missing)} (.ci/run installs them)")
    # A second try on a fresh display: once in a full CI run openbox never came up in 10 s;
    # the failure keeps each try's X, openbox and tray output.
    failures = []
    for attempt in range(2):
        folder = tmp_path_factory.mktemp(f"desktop{attempt}")
        try:
            desk, procs = _start_desktop(folder)
            break
        except AssertionError as exc:
            failures.append(f"{exc}\n{_logs(folder)}")
    else:
        raise AssertionError("no desktop:\n" + "\n".join(failures))
    try:
        yield desk
    finally:
        _stop(procs)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AppWindow:
    """``python -m softphone`` on the desktop, with its own data folder and SIP port."""

    def __init__(self, desktop: Desktop, data_dir: Path, *args: str,
                 env: dict[str, str] | None = None, **settings: object):
        self.desktop = desktop
        self.data_dir = data_dir
        self.port = free_udp_port()
        base: dict[str, object] = {
            "network": {"interface": "127.0.0.1", "sip_port": self.port},
            "calls": {"ring_timeout_s": None},
        }
        base.update(settings)
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "settings.json").write_text(json.dumps(base))
        self.stderr = data_dir / "stderr.txt"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "softphone", "--data-dir", str(data_dir), *args],
            env={**desktop.env, "SOFTPHONE_TEST_KEYRING": str(data_dir / "keyring.json"),
                 "PYTHON_KEYRING_BACKEND": "tests.keyring_file_backend.FileKeyring",
                 **(env or {})},
            stdout=subprocess.DEVNULL, stderr=self.stderr.open("wb"), start_new_session=True,
        )

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def main_window(self, timeout: float = 20) -> str:
        found = wait_for(lambda: self._alive() and self.desktop.visible_windows("^softphone"),
                         timeout, "the main window")
        assert isinstance(found, list)
        self.wait_engine(timeout)
        return found[0]

    def wait_engine(self, timeout: float = 20) -> None:
        log = self.data_dir / "logs" / "softphone.log"
        wait_for(lambda: self._alive() and log.exists()
                 and "SIP engine listening" in log.read_text(), timeout, "the engine")

    def _alive(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"softphone exited {self.proc.returncode}: "
                                 f"{self.stderr.read_text()[-2000:]}")
        return True

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


@pytest.fixture
def app_window(desktop: Desktop, tmp_path: Path) -> Iterator[Callable[..., AppWindow]]:
    started: list[AppWindow] = []

    def start(*args: str, env: dict[str, str] | None = None, **settings: object) -> AppWindow:
        window = AppWindow(desktop, tmp_path / f"data{len(started)}", *args, env=env,
                           **settings)
        started.append(window)
        return window

    yield start
    for window in started:
        window.stop()


@pytest.fixture
def other_window(desktop: Desktop, tmp_path: Path) -> Iterator[str]:
    """Another program's window, in front and focused (where the user is typing)."""
    proc = _start(["xmessage", "-name", "otherapp", "-title", "other program",
                   "typing here"], desktop.env, tmp_path / "xmessage.log")
    found = wait_for(lambda: desktop.visible_windows("^other program$"), 10, "xmessage")
    assert isinstance(found, list)
    window = found[0]
    desktop.x("xdotool", "windowactivate", "--sync", window)
    try:
        yield window
    finally:
        proc.terminate()
        proc.wait(5)
