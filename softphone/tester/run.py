"""One test run: the scheduler feeding the worker pool, retries, history, results in order.

Runs on the caller's thread (the CLI's, or a worker thread of the window): ``run()``
returns when every number has its result or the run was stopped (``stop()``, e.g. from a
SIGINT handler); calls up at a stop are ended by the workers and still reported.
"""

from __future__ import annotations

import logging
import math
import queue
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from softphone.model import Timestamp
from softphone.store import History, StoreError
from softphone.tester.jobs import Job
from softphone.tester.pacing import Pacer
from softphone.tester.pool import CALLS_PER_WORKER, Gone, WorkerPool, worker_command
from softphone.tester.protocol import PlaceCall, Result, Started
from softphone.tester.result import NumberResult, measure, stopped

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    concurrency: int = 4
    rate: float | None = None  # calls started per second; None: no limit
    dial_timeout_s: float | None = 30.0
    max_duration_s: float | None = 10.0
    record: bool = False
    retries: int = 0  # more attempts for a number whose expectation failed
    account: str | None = None
    host: str = "127.0.0.1"
    log_level: int = 1


def new_run_id() -> str:
    """A run's tag in history: its start time, readable and sortable."""
    return "run-" + Timestamp.now().to_datetime().strftime("%Y%m%d-%H%M%S")


ResultListener = Callable[[NumberResult], None]
StartListener = Callable[[Job, int], None]


class TestRun:
    __test__ = False  # not a pytest class, whatever its name

    def __init__(self, jobs: list[Job], options: RunOptions, *, history: History | None = None,
                 recordings: Path | None = None, data_dir: Path | None = None,
                 run_id: str | None = None) -> None:
        self.jobs = jobs
        self.options = options
        self.history = history
        self.recordings = recordings
        self.data_dir = data_dir
        self.run_id = run_id or new_run_id()
        self.results: dict[int, NumberResult] = {}
        self.on_result: ResultListener | None = None
        self.on_start: StartListener | None = None
        self.on_tick: Callable[[], None] | None = None
        self.on_call: Callable[[Result], None] | None = None  # every call as it ended
        self.stop_requested = False
        self.stopped = False
        self.store_error: StoreError | None = None
        self.in_flight = 0
        self.started_at = 0.0
        self.ended_at = 0.0

    def stop(self) -> None:
        """Safe from a signal handler: the loop ends every call at its next turn."""
        self.stop_requested = True

    @property
    def workers_needed(self) -> int:
        wanted = min(self.options.concurrency, len(self.jobs))
        return max(1, math.ceil(wanted / CALLS_PER_WORKER))

    def run(self) -> list[NumberResult]:
        self.started_at = time.monotonic()
        pool = WorkerPool(self.workers_needed, worker_command(
            self.options.host, self.recordings, self.data_dir, self.options.account,
            self.options.log_level))
        pool.start()
        try:
            self._loop(pool)
        finally:
            pool.shutdown()
            self.ended_at = time.monotonic()
        return self.ordered()

    def ordered(self) -> list[NumberResult]:
        return [self.results[job.index] if job.index in self.results else stopped(job)
                for job in self.jobs]

    def _loop(self, pool: WorkerPool) -> None:
        by_index = {job.index: job for job in self.jobs}
        pending: deque[tuple[Job, int]] = deque((job, 1) for job in self.jobs)
        pacer = Pacer(self.options.rate)
        stopping = False
        while pending or self.in_flight:
            if self.stop_requested and not stopping:
                stopping = True
                self.stopped = True
                pending.clear()
                pool.stop_calls()
            while not stopping and pending and self.in_flight < self.options.concurrency:
                worker = pool.least_loaded()
                if worker is None or not pacer.take():
                    break
                job, attempt = pending.popleft()
                worker.calls.add((job.index, attempt))
                self.in_flight += 1
                if not worker.send(self._place(job, attempt)):
                    worker.calls.discard((job.index, attempt))
                    self.in_flight -= 1
                    worker.alive = False
                    pending.appendleft((job, attempt))
                elif self.on_start is not None:
                    self.on_start(job, attempt)
            if not any(w.alive for w in pool.workers):
                _log.error("every engine worker has exited: the numbers left are not called")
                break
            wait = 0.1 if stopping or not pending else min(0.1, max(0.005, pacer.wait_s()))
            try:
                index, message = pool.messages.get(timeout=wait)
            except queue.Empty:
                if self.on_tick is not None:
                    self.on_tick()
                continue
            worker = pool.workers[index]
            if isinstance(message, Result) and message.chained:
                self._save(message)  # history only: the job's own call is its result
            elif isinstance(message, Result):
                self._finished(worker.calls, by_index[message.job], message, pending, stopping)
            elif isinstance(message, Gone):
                worker.alive = False
                if not message.clean:
                    _log.error("engine worker %d exited: %s", index + 1, message.detail)
                for job_index, attempt in list(worker.calls):
                    worker.calls.discard((job_index, attempt))
                    self.in_flight -= 1
                    self._finished(set(), by_index[job_index], _lost(job_index, attempt),
                                   pending, True)
            elif isinstance(message, Started):
                pass  # the live table already shows it as dialling
            if self.on_tick is not None:
                self.on_tick()

    def _place(self, job: Job, attempt: int) -> PlaceCall:
        o = self.options
        return PlaceCall(job=job.index, attempt=attempt, uri=job.uri,
                         dial_timeout_s=o.dial_timeout_s, max_duration_s=o.max_duration_s,
                         record=o.record, account=o.account, flow=job.flow or None)

    def _finished(self, calls: set[tuple[int, int]], job: Job, message: Result,
                  pending: deque[tuple[Job, int]], stopping: bool) -> None:
        if (job.index, message.attempt) in calls:
            calls.discard((job.index, message.attempt))
            self.in_flight -= 1
        self._save(message)
        result = measure(job, message, attempts=message.attempt, amd=message.amd)
        if (result.passed is False and message.attempt <= self.options.retries
                and not stopping and not self.stop_requested):
            pending.append((job, message.attempt + 1))  # again, after the others
            return
        self.results[job.index] = result
        if self.on_result is not None:
            self.on_result(result)


    def _save(self, message: Result) -> None:
        """A call that was placed: to whoever watches and to history, tagged with the run."""
        if message.error is not None:
            return
        if self.on_call is not None:
            self.on_call(message)
        if self.history is not None:
            try:
                self.history.save(message.call, message.diagnostics, test_run=self.run_id)
            except StoreError as exc:
                self.store_error = exc
                _log.error("%s", exc)


def _lost(job_index: int, attempt: int) -> Result:
    from softphone.model import Call
    from softphone.model.diagnostics import CallDiagnostics

    return Result(job=job_index, attempt=attempt, call=Call(), diagnostics=CallDiagnostics(),
                  error="its engine worker exited during the call")
