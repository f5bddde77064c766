"""The engine worker processes: each has its own pjsua2 Endpoint, SIP port and four calls.

Each worker's stdout is read by a thread of its own into one queue, so the scheduler waits
on a single queue for whichever worker speaks next.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from softphone.model.worker import Ready, WorkerProtocolError, parse_line
from softphone.tester.protocol import Bye, PlaceCall, Result, Started, Stop, parse_from_worker

# The pjsua2 wheel's limit (engine/config.py MAX_CALLS; the worker refuses a fifth call).
CALLS_PER_WORKER = 4
READY_TIMEOUT_S = 20.0


class PoolError(RuntimeError):
    """The workers could not start; the message is one line."""


@dataclass(frozen=True)
class Gone:
    """A worker's stdout ended (it exited); ``clean`` when it said bye first."""

    clean: bool
    detail: str = ""


Message = Result | Started | Bye | Gone


@dataclass
class WorkerProcess:
    index: int
    proc: subprocess.Popen[str]
    port: int = 0
    calls: set[tuple[int, int]] = field(default_factory=set)  # (job, attempt) in flight
    alive: bool = True
    said_bye: bool = False
    stderr_tail: list[str] = field(default_factory=list)

    def send(self, message: PlaceCall | Stop) -> bool:
        if not self.alive or self.proc.stdin is None:
            return False
        try:
            self.proc.stdin.write(message.model_dump_json() + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return False
        return True

    def close_input(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                self.proc.stdin.close()


def worker_command(host: str, recordings: Path | None, data_dir: Path | None,
                   account: str | None, log_level: int) -> list[str]:
    cmd = [sys.executable, "-m", "softphone.tester.engine_worker", "--host", host,
           "--log-level", str(log_level)]
    if recordings is not None:
        cmd += ["--recordings", str(recordings)]
    if account:
        cmd += ["--account", account]
        if data_dir is not None:
            cmd += ["--data-dir", str(data_dir)]
    return cmd


class WorkerPool:
    def __init__(self, count: int, command: list[str]) -> None:
        self.command = command
        self.count = count
        self.workers: list[WorkerProcess] = []
        self.messages: queue.Queue[tuple[int, Message]] = queue.Queue()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        for index in range(self.count):
            proc = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, env=env, bufsize=1,
            )
            worker = WorkerProcess(index, proc)
            self.workers.append(worker)
            self._spawn(self._read_errors, worker)
        deadline = time.monotonic() + READY_TIMEOUT_S
        for worker in self.workers:
            self._wait_ready(worker, deadline)
            self._spawn(self._read, worker)

    def _spawn(self, target: Callable[[WorkerProcess], None], worker: WorkerProcess) -> None:
        thread = threading.Thread(target=target, args=(worker,), daemon=True)
        thread.start()
        self._threads.append(thread)

    def _wait_ready(self, worker: WorkerProcess, deadline: float) -> None:
        assert worker.proc.stdout is not None
        # The first line is READY, or nothing (the worker failed: its error is on stderr).
        reader: queue.Queue[str] = queue.Queue()
        thread = threading.Thread(target=lambda: reader.put(worker.proc.stdout.readline()
                                                            if worker.proc.stdout else ""),
                                  daemon=True)
        thread.start()
        try:
            line = reader.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            self.shutdown()
            raise PoolError(
                f"an engine worker did not start within {READY_TIMEOUT_S:g} s") from None
        try:
            ready = parse_line(line)
        except WorkerProtocolError:
            worker.proc.wait(timeout=5)
            self.shutdown()
            raise PoolError(self._why_failed(worker)) from None
        if not isinstance(ready, Ready):
            self.shutdown()
            raise PoolError(f"an engine worker said {line.strip()[:80]!r} before READY")
        worker.port = ready.port

    def _why_failed(self, worker: WorkerProcess) -> str:
        time.sleep(0.1)  # let the stderr reader take the last lines
        for line in reversed(worker.stderr_tail):
            if line.startswith("softphone: error: "):
                return line[len("softphone: error: "):]
        tail = "; ".join(worker.stderr_tail[-2:]) or f"exit status {worker.proc.returncode}"
        return f"an engine worker could not start: {tail}"

    def _read_errors(self, worker: WorkerProcess) -> None:
        assert worker.proc.stderr is not None
        for line in worker.proc.stderr:
            text = line.rstrip()
            worker.stderr_tail = [*worker.stderr_tail[-19:], text]
            # Warnings and errors from the engine reach the user's terminal as they are.
            # (Not a full call slot: the worker places that call again itself.)
            if (text.startswith(("ERROR ", "CRITICAL ", "WARNING "))
                    and "Too many objects" not in text):
                sys.stderr.write(f"[worker {worker.index + 1}] {text}\n")

    def _read(self, worker: WorkerProcess) -> None:
        assert worker.proc.stdout is not None
        for line in worker.proc.stdout:
            if not line.strip():
                continue
            try:
                message = parse_from_worker(line)
            except ValidationError as exc:
                sys.stderr.write(f"softphone: worker {worker.index + 1} sent a bad line: "
                                 f"{exc.errors()[0]['msg']}\n")
                continue
            if isinstance(message, Bye):
                worker.said_bye = True
            self.messages.put((worker.index, message))
        self.messages.put((worker.index, Gone(worker.said_bye, " ".join(worker.stderr_tail[-3:]))))

    def least_loaded(self) -> WorkerProcess | None:
        """The live worker with the fewest calls, if one has a free slot."""
        free = [w for w in self.workers if w.alive and len(w.calls) < CALLS_PER_WORKER]
        return min(free, key=lambda w: len(w.calls)) if free else None

    def stop_calls(self) -> None:
        for worker in self.workers:
            worker.send(Stop())

    def shutdown(self, timeout_s: float = 10.0) -> None:
        for worker in self.workers:
            worker.close_input()  # a worker ends its calls, says bye and exits
        deadline = time.monotonic() + timeout_s
        for worker in self.workers:
            try:
                worker.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.proc.kill()
                worker.proc.wait()
        for thread in self._threads:  # the readers end at the pipes' end of file
            thread.join(timeout=2.0)
        for worker in self.workers:
            for stream in (worker.proc.stdout, worker.proc.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
