"""Which process owns a live history row, and whether that process is surely gone.

A row is stamped with its writer's host name, pid and a start token that tells two
processes with the same pid apart (pids are reused). Recovery ends a row only when its
owner is *surely* gone; whenever that cannot be known (another host, another pid
namespace, no permission to look, an unknown token) the row is left alone.

Linux: the token is read from /proc: the pid namespace, the boot id and the process's
start time in clock ticks since boot. All are exact, so equal means "the same process".
Elsewhere (Windows, macOS) psutil's ``create_time()``, which those systems store with the
process (GetProcessTimes, kinfo_proc), so it reads the same every time. On Linux psutil
derives it from the boot time and the wall clock, which can drift by a second when the
clock is stepped: that is why Linux reads /proc itself.
"""

from __future__ import annotations

import functools
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

_LINUX = "linux"
_PSUTIL = "psutil"


@dataclass(frozen=True)
class Owner:
    host: str
    pid: int
    token: str | None  # None: this system gives no way to tell pid reuse apart


def _linux_start_ticks(pid: int) -> int | None:
    """The process's start time in ticks since boot; None if there is no such process.

    Raises OSError when /proc cannot say (then the caller is unsure).
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ")": split after
    # the last one. Field 22 (starttime) is then the 20th.
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[19])


def _linux_context() -> tuple[str, str]:
    """(pid namespace, boot id) of this process."""
    namespace = os.readlink("/proc/self/ns/pid")
    boot_id = Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    return namespace, boot_id


def _linux_token(pid: int) -> str | None:
    try:
        namespace, boot_id = _linux_context()
        ticks = _linux_start_ticks(pid)
    except (OSError, ValueError, IndexError):
        return None
    if ticks is None:
        return None
    return f"{_LINUX}:{namespace}:{boot_id}:{ticks}"


def _psutil_token(pid: int) -> str | None:
    try:
        import psutil

        return f"{_PSUTIL}:{psutil.Process(pid).create_time()!r}"
    except Exception:  # any failure only means "no token": rows stay safely untouched
        return None


def _token(pid: int, use_proc: bool) -> str | None:
    return _linux_token(pid) if use_proc else _psutil_token(pid)


def _uses_proc() -> bool:
    return sys.platform.startswith("linux") and Path("/proc/self/stat").exists()


def this_process() -> Owner:
    """The owner to stamp on the rows this process writes."""
    # Keyed by pid: a forked child must not stamp its parent's identity.
    return _owner_of(os.getpid())


@functools.cache
def _owner_of(pid: int) -> Owner:
    return Owner(socket.gethostname(), pid, _token(pid, _uses_proc()))


def is_gone(owner: Owner, *, use_proc: bool | None = None) -> bool:
    """True only when the owner process surely no longer runs; False when alive or unsure."""
    if use_proc is None:
        use_proc = _uses_proc()
    if owner.host != socket.gethostname() or owner.pid <= 0:
        return False  # another machine sharing the file: its processes are not ours to see
    if owner.token is not None and owner.token.startswith(f"{_LINUX}:"):
        return use_proc and _linux_owner_gone(owner.pid, owner.token)
    return _psutil_owner_gone(owner.pid, owner.token)


def _linux_owner_gone(pid: int, token: str) -> bool:
    try:
        _, namespace_kind, namespace_id, boot_id, ticks = token.split(":")
        here_namespace, here_boot = _linux_context()
    except (OSError, ValueError):
        return False
    if f"{namespace_kind}:{namespace_id}" != here_namespace:
        return False  # another container: its pids mean other processes
    if boot_id != here_boot:
        return True  # the machine has restarted since: every process of then is gone
    try:
        now = _linux_start_ticks(pid)
    except (OSError, ValueError, IndexError):
        return False
    return now is None or str(now) != ticks


def _psutil_owner_gone(pid: int, token: str | None) -> bool:
    try:
        import psutil
    except ImportError:
        return False
    try:
        if not psutil.pid_exists(pid):
            return True
        if token is None or not token.startswith(f"{_PSUTIL}:"):
            return False  # a live pid and nothing to tell reuse apart: unsure
        return f"{_PSUTIL}:{psutil.Process(pid).create_time()!r}" != token
    except psutil.NoSuchProcess:
        return True
    except Exception:  # AccessDenied and the like: unsure
        return False
