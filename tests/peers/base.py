"""One way to run a SIP peer as a subprocess: start, wait until it is ready, stop.

Every peer the suite starts (the pjsua2 peer, SIPp, Kamailio, baresip, linphonec) is a
``PeerProcess``. The base class owns what they share:

- the process runs in its own session (``os.killpg`` takes every child down), stderr and
  (unless the peer reads it itself) stdout go to a log file in the peer's work folder;
- ``start()`` waits for the peer's readiness, which each kind defines by overriding
  ``ready()``: a parsed ready line on stdout (``wait_line``), or its SIP socket seen bound
  (``udp_ports``, for peers that print nothing useful), never a fixed sleep;
- a peer that exits or never gets ready raises ``PeerError`` with its log tail;
- ``stop()``: SIGTERM to the group, SIGKILL after a grace period;
- every peer started during a test is remembered, and a failing test's report carries
  each one's log tail (``peer_log_sections``, used by tests/conftest.py).

Peers bind port 0 and report the port they got where they can: the pjsua2 peer prints it,
SIPp's is read from its socket (``-p 0``; its own screen says 5060, wrongly), baresip and
linphonec cannot bind 0 for SIP (see their modules).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

HOST = "127.0.0.1"

# Peers started since the current test began (reset by tests/conftest.py).
STARTED: list[PeerProcess] = []


class PeerError(AssertionError):
    """A peer process failed to start, died, or did not do what the test waited for."""


def tail(path: Path, max_lines: int = 60, max_chars: int = 8000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-max_lines:])[-max_chars:]


def _socket_inodes(pid: int) -> dict[int, int]:
    """inode -> fd of every socket the process holds."""
    out: dict[int, int] = {}
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        entries = list(fd_dir.iterdir())
    except OSError:
        return out
    for entry in entries:
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith("socket:["):
            out[int(target[8:-1])] = int(entry.name)
    return out


def _hex_host(host: str) -> str:
    """/proc/net/udp's spelling of an IPv4 address (little-endian hex)."""
    return "".join(f"{int(p):02X}" for p in reversed(host.split(".")))


def udp_ports(pid: int, host: str = HOST, any_v6: bool = False) -> list[int]:
    """UDP ports the process has bound on ``host`` (and on IPv6's ``[::]`` if ``any_v6``:
    a dual-stack socket that takes 127.0.0.1 too), in the order of its fds (the order it
    opened them), read from Linux's /proc in the process's own network namespace (it may
    live in another one: unshare -n)."""
    inodes = _socket_inodes(pid)
    want = {_hex_host(host)}
    tables = [Path(f"/proc/{pid}/net/udp")]
    if any_v6:
        want.add("0" * 32)
        tables.append(Path(f"/proc/{pid}/net/udp6"))
    found: list[tuple[int, int]] = []
    for table in tables:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            addr, port_hex = fields[1].split(":")
            inode = int(fields[9])
            if addr in want and inode in inodes:
                found.append((inodes[inode], int(port_hex, 16)))
    return [port for _, port in sorted(found)]


class PeerProcess:
    """A subprocess SIP peer. Subclasses give ``command()`` and ``ready()``."""

    kind = "peer"
    ready_timeout = 15.0
    # True: stdout is a pipe read line by line (wait_line); False: it goes to the log.
    reads_stdout = False
    # True: stderr is also read line by line (wait_line(stream="stderr")), copied to the log.
    reads_stderr = False
    stdin_pipe = False

    def __init__(self, workdir: Path | None = None) -> None:
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix=f"{self.kind}-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / f"{self.kind}.log"
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._err_lines: queue.Queue[str | None] = queue.Queue()
        self.stdout_lines: list[str] = []
        self._log_file: IO[str] | None = None
        self._stopped_by_us = False
        self._readers: list[threading.Thread] = []

    # -- what each kind defines ----------------------------------------------------------
    def command(self) -> Sequence[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str] | None:
        return None

    def ready(self, deadline: float) -> None:
        """Return once the peer serves; raise PeerError otherwise. Sets ``self.port``."""
        raise NotImplementedError

    # -- life cycle ----------------------------------------------------------------------
    def start(self) -> PeerProcess:
        self._log_file = self.log.open("a", errors="replace")
        self.proc = subprocess.Popen(
            list(self.command()), cwd=self.workdir, env=self.env(), text=True,
            errors="replace", bufsize=1,
            stdin=subprocess.PIPE if self.stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE if self.reads_stdout else self._log_file,
            stderr=subprocess.PIPE if self.reads_stderr else self._log_file,
            start_new_session=True,
        )
        STARTED.append(self)
        for wanted, target in ((self.reads_stdout, self._read_stdout),
                               (self.reads_stderr, self._read_stderr)):
            if wanted:
                reader = threading.Thread(target=target, daemon=True)
                reader.start()
                self._readers.append(reader)
        try:
            self.ready(time.monotonic() + self.ready_timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _read_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stdout_lines.append(line)
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        log = self._log_file
        for line in self.proc.stderr:
            if log is not None and not log.closed:
                log.write(line)
                log.flush()
            self._err_lines.put(line.rstrip("\n"))
        self._err_lines.put(None)

    def wait_line(self, timeout: float, what: str = "a line", stream: str = "stdout") -> str:
        """The next line of stdout (or stderr); PeerError (with the log) if none in time."""
        lines = self._err_lines if stream == "stderr" else self._lines
        try:
            line = lines.get(timeout=max(0.0, timeout))
        except queue.Empty:
            raise self.error(f"no {what} within {timeout:.1f} s") from None
        if line is None:
            lines.put(None)  # stays at the end for later readers
            self.wait(5)
            raise self.error(f"stdout ended before {what} (exit {self.returncode})")
        return line

    def wait_port(self, deadline: float, pick: int = 0, any_v6: bool = False) -> int:
        """Wait until the process has a UDP socket on HOST; the ``pick``-th one's port."""
        while time.monotonic() < deadline:
            self.check_alive()
            assert self.proc is not None
            ports = udp_ports(self.proc.pid, any_v6=any_v6)
            if len(ports) > pick:
                return ports[pick]
            time.sleep(0.02)  # polling /proc: there is no event for "socket bound"
        raise self.error("no UDP socket bound in time")

    def check_alive(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            raise self.error(f"exited (status {self.returncode})")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout: float | None = None) -> int | None:
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace: float = 3.0) -> int | None:
        """SIGTERM to the peer's process group, SIGKILL if it has not ended in ``grace`` s."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self._stopped_by_us = True
            for sig, wait_s in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                if self.wait(wait_s) is not None:
                    break
        self.wait(5)
        # The readers end at EOF once the process group is gone; closing a pipe under a
        # reader would raise in its thread.
        for reader in self._readers:
            reader.join(5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return self.proc.returncode

    # -- failure reports -----------------------------------------------------------------
    def log_tail(self, max_lines: int = 60) -> str:
        text = tail(self.log, max_lines)
        if self.reads_stdout and self.stdout_lines:
            text += "\n--- stdout ---\n" + "".join(self.stdout_lines[-max_lines:])
        return text

    def error(self, problem: str) -> PeerError:
        return PeerError(f"{self.kind} (pid {self.pid}): {problem}\n"
                         f"--- {self.kind} log ({self.log}) ---\n{self.log_tail()}")

    def __enter__(self) -> Any:
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def peer_log_sections() -> Iterator[tuple[str, str]]:
    """(title, log tail) of every peer started during the current test."""
    for peer in STARTED:
        yield f"{peer.kind} pid {peer.pid} log ({peer.log})", peer.log_tail()
