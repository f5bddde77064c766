"""pjsip's log into Python logging on stderr, with credentials redacted."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
from collections.abc import Iterator

import pjsua2 as pj

from softphone.engine.redact import redact_sip
from softphone.engine.wire import wire_message

_log = logging.getLogger("softphone.pjsip")
# The engine reports every failure that matters to the user in its own words (one line);
# pjsip's own log is the detail behind it, shown with -v.
_LEVELS = {0: logging.CRITICAL, 1: logging.DEBUG, 2: logging.DEBUG}


class PythonLogWriter(pj.LogWriter):  # type: ignore[misc]
    def write(self, entry: pj.LogEntry) -> None:
        try:
            level = _LEVELS.get(entry.level, logging.DEBUG)
            if _log.isEnabledFor(level):
                _log.log(level, "%s", redact_sip(wire_message(entry.msg).rstrip()))
        except Exception:
            pass


def _flush_c_stdio() -> None:
    try:
        libc = ctypes.CDLL(None) if os.name == "posix" else ctypes.cdll.msvcrt
        libc.fflush(None)
    except (OSError, AttributeError):
        pass  # no C runtime to reach: nothing of ours is buffered there


@contextlib.contextmanager
def stdout_redirected(to_devnull: bool = False) -> Iterator[None]:
    """Keep pjlib's own prints (before and after our log writer applies) off stdout.

    stdout may carry JSON for scripts; pjlib writes to fd 1 directly, so the redirect is
    done at the file-descriptor level: to stderr, or to nowhere for start-up banners.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    target = os.open(os.devnull, os.O_WRONLY) if to_devnull else 2
    _flush_c_stdio()
    try:
        os.dup2(target, 1)
        yield
    finally:
        # pjlib prints through C's buffered stdio: flush it while fd 1 still points away,
        # or the lines leak onto stdout at exit (after a script's JSON).
        _flush_c_stdio()
        os.dup2(saved, 1)
        os.close(saved)
        if to_devnull:
            os.close(target)
