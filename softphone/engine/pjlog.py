"""pjsip's log into Python logging on stderr, with credentials redacted."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import sys
from collections.abc import Callable, Iterator

import pjsua2 as pj

from softphone.engine.redact import redact_sip
from softphone.engine.wire import wire_message
from softphone.model import Timestamp
from softphone.model.siptrace import SipMessage, parse_message_entry, printable

_log = logging.getLogger("softphone.pjsip")
# The engine reports every failure that matters to the user in its own words (one line);
# pjsip's own log is the detail behind it, shown with -v.
_LEVELS = {0: logging.CRITICAL, 1: logging.DEBUG, 2: logging.DEBUG}


TraceListener = Callable[[SipMessage], None]
# pjsip's message logger writes at level 4: the engine always asks for it (every call's
# ladder is kept), and shows pjsip's own lines only as verbose as the user asked.
MESSAGE_LOG_LEVEL = 4


class PythonLogWriter(pj.LogWriter):  # type: ignore[misc]
    def __init__(self, show_level: int = 3) -> None:
        super().__init__()
        self.show_level = show_level  # pjsip levels shown on stderr: 3 -v 4, -vv 5
        self.trace_listeners: list[TraceListener] = []

    def write(self, entry: pj.LogEntry) -> None:
        try:
            text = wire_message(entry.msg)
            if text.startswith(("TX ", "RX ")):
                message = parse_message_entry(text, Timestamp.now())
                if message is not None:
                    self._trace(message)
                    if self.show_level < 5:
                        return  # every SIP message on stderr only with -vv
            if entry.level > self.show_level:
                return
            level = _LEVELS.get(entry.level, logging.DEBUG)
            if _log.isEnabledFor(level):
                _log.log(level, "%s", printable(redact_sip(text.rstrip())))
        except Exception:
            pass

    def _trace(self, message: SipMessage) -> None:
        safe = message.model_copy(update={"text": redact_sip(message.text)})
        for listener in list(self.trace_listeners):
            try:
                listener(safe)
            except Exception:
                _log.debug("a SIP trace listener failed", exc_info=True)


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
