"""Call-event hooks: run the user's command as a call comes in, rings, is answered, ends.

As MicroSIP's cmdIncomingCall and friends: the Call JSON on the command's stdin, and the
facts a script branches on in environment variables. Wire text never reaches a command
line (no shell is used; names and numbers travel in the environment and on stdin). Each
run is bounded in time and happens on a worker thread, so a slow or hanging command never
blocks a call or the window; failures are reported, one line each.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum

from softphone.model import Call, CallChange, CallDirection, CallStatus
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.explain import plain_outcome
from softphone.pydantic_plugins import child_environment

_log = logging.getLogger(__name__)
HOOK_TIMEOUT_S = 10.0
MAX_PENDING = 16  # a burst of calls must not pile up hundreds of processes


class CallEvent(StrEnum):
    INCOMING = "incoming"  # an incoming call arrived
    RINGING = "ringing"  # the call rings (either direction)
    ANSWERED = "answered"
    ENDED = "ended"


def events_of(call: Call, changes: frozenset[CallChange]) -> list[CallEvent]:
    """Which hook events one call update is."""
    events: list[CallEvent] = []
    if CallChange.CREATED in changes and call.direction is CallDirection.INCOMING:
        events.append(CallEvent.INCOMING)
    if CallChange.STATUS in changes:
        match call.status:
            case CallStatus.RINGING:
                events.append(CallEvent.RINGING)
            case CallStatus.PROGRESSING:
                events.append(CallEvent.ANSWERED)
            case CallStatus.HANGUP:
                events.append(CallEvent.ENDED)
    return events


def hook_environment(
    event: CallEvent, call: Call, diagnostics: CallDiagnostics | None
) -> dict[str, str]:
    code = diagnostics.sip_code if diagnostics is not None else None
    remote = call.remote
    return {
        "SOFTPHONE_EVENT": event.value,
        "SOFTPHONE_CALL_ID": str(call.id),
        "SOFTPHONE_DIRECTION": call.direction.value,
        "SOFTPHONE_STATUS": call.status.value,
        "SOFTPHONE_REMOTE": remote.target,
        "SOFTPHONE_REMOTE_NAME": remote.name,
        "SOFTPHONE_HANGUP_BY": call.hangup_by.value,
        "SOFTPHONE_HANGUP_REASON": call.hangup_reason.value,
        "SOFTPHONE_SIP_CODE": str(code) if code else "",
        "SOFTPHONE_OUTCOME": plain_outcome(call, code),
    }


def split_command(command: str) -> list[str]:
    """The command as argv (no shell): POSIX quoting rules, Windows' own on Windows."""
    if sys.platform == "win32":
        return [command]
    return shlex.split(command)


class HookRunner:
    """Runs one command for every call event; call :meth:`__call__` with each update."""

    def __init__(self, command: str, *, timeout_s: float = HOOK_TIMEOUT_S) -> None:
        self.argv = split_command(command)
        if not self.argv:
            raise ValueError("the event command is empty")
        self.timeout_s = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hook")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()
        # Failures, one line each, for the thread that shows them (the window's, the CLI's).
        self.failures: queue.SimpleQueue[str] = queue.SimpleQueue()

    def on_update(
        self, call: Call, diagnostics: CallDiagnostics | None, changes: frozenset[CallChange]
    ) -> None:
        for event in events_of(call, changes):
            self.run(event, call, diagnostics)

    def run(self, event: CallEvent, call: Call, diagnostics: CallDiagnostics | None) -> None:
        with self._lock:
            if len(self._pending) >= MAX_PENDING:
                self._fail(f"event command skipped for {event.value}: {MAX_PENDING} still run")
                return
            env = {**child_environment(), **hook_environment(event, call, diagnostics)}
            future = self._pool.submit(self._execute, event, call.model_dump_json(), env)
            self._pending.add(future)
        # Outside the lock: a command already done runs _done here, at once.
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _execute(self, event: CallEvent, call_json: str, env: Mapping[str, str]) -> None:
        try:
            result = subprocess.run(
                self.argv, input=call_json, text=True, env=dict(env), timeout=self.timeout_s,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
            )
        except subprocess.TimeoutExpired:
            self._fail(f"event command for {event.value} ran longer than "
                       f"{self.timeout_s:g} s and was stopped")
        except OSError as exc:
            self._fail(f"event command {self.argv[0]!r} could not run: {exc.strerror or exc}")
        else:
            if result.returncode != 0:
                last = (result.stderr or "").strip().splitlines()[-1:] or [""]
                detail = f": {last[0][:200]}" if last[0] else ""
                self._fail(f"event command for {event.value} exited {result.returncode}{detail}")

    def _fail(self, message: str) -> None:
        _log.warning("%s", message)
        self.failures.put(message)

    def close(self, wait_s: float | None = None) -> None:
        """Let running commands finish, all within one deadline (their own timeout by
        default), then stop; commands not started by then are dropped, and said so."""
        deadline = time.monotonic() + (wait_s if wait_s is not None else self.timeout_s + 1)
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            # A timeout here is harmless: the command's own limit stops it.
            with contextlib.suppress(Exception):
                future.result(timeout=max(0.0, deadline - time.monotonic()))
        dropped = sum(1 for future in pending if future.cancel())
        if dropped:
            self._fail(f"{dropped} event command(s) not run: softphone is closing")
        self._pool.shutdown(wait=False, cancel_futures=True)
