"""One engine worker process of the number tester: ``python -m softphone.tester.engine_worker``.

The pjsua2 wheel allows four calls per process and one Endpoint per process (DESIGN.md),
so the tester runs several of these, each with its own Endpoint and SIP port. It reads
protocol.PlaceCall / Stop lines on stdin and writes READY, then one Result per call, on
stdout (pjlib's own prints are kept off it by the engine). Ctrl+C in the terminal reaches
every process of the group: a worker ignores SIGINT and ends its calls when the tester
says stop (or closes stdin), so every call is hung up cleanly and still reported.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import queue
import signal
import sys
import threading
import time
from pathlib import Path
from uuid import UUID

from pydantic import ValidationError

from softphone.engine import MAX_CALLS, CallUpdate, Engine, EngineConfig, EngineError
from softphone.engine import find_recording as find_wav
from softphone.engine.config import BindAddress
from softphone.model import Call, CallChange, CallDirection, CallStatus, parse_target
from softphone.model.account import RegistrationState
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.siptrace import SipMessage
from softphone.model.worker import Ready
from softphone.tester.protocol import Bye, PlaceCall, Result, Started, Stop, parse_to_worker
from softphone.tester.sipinfo import SipFacts
from softphone.tester.worker_flows import WorkerFlows

_log = logging.getLogger("softphone.tester.worker")
REGISTER_TIMEOUT_S = 15.0
# How long the worker waits, once told to stop, for its calls' BYE/CANCEL to complete.
STOP_GRACE_S = 5.0
_EOF = object()
SLOT_BUSY = "Too many objects"  # pjsua's PJ_ETOOMANY text: every call slot still taken
SLOT_RETRY_S = 0.1
SLOT_RETRIES = 100


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Worker:
    def __init__(self, engine: Engine, recordings: Path | None) -> None:
        self.engine = engine
        self.recordings = recordings
        self.jobs: dict[UUID, PlaceCall] = {}
        # Every job's call by id, kept past its end: a chained call may end after it.
        self.masters: dict[UUID, PlaceCall] = {}
        self._placing_now = False
        self.facts: dict[str, SipFacts] = {}  # by SIP Call-ID
        self._placing: PlaceCall | None = None
        self._ended_while_placing: Result | None = None
        # Calls pjsua had no slot for yet, to place again: (when, call, tries so far).
        self.waiting: list[tuple[float, PlaceCall, int]] = []
        self.stopping = False
        self.flows = WorkerFlows(engine)
        engine.add_listener(self._changed)
        engine.add_trace_listener(self._traced)

    def _traced(self, message: SipMessage) -> None:
        if message.call_id:
            self.facts.setdefault(message.call_id, SipFacts()).add(message)

    def _changed(self, update: CallUpdate) -> None:
        call = update.call
        if (CallChange.CREATED in update.changes and self._placing is not None
                and call.direction is CallDirection.OUTGOING and call.id not in self.jobs):
            self.jobs[call.id] = self.masters[call.id] = self._placing
            self._placing = None
        if call.status is not CallStatus.HANGUP:
            return
        job = self.jobs.get(call.id)
        if job is None:
            master = self.masters.get(call.master_call_id)
            if master is not None:  # dialled by the job's flow (connect)
                chained = self._result(master, call, update)
                _emit(chained.model_copy(update={"chained": True}).model_dump_json())
            return
        del self.jobs[call.id]
        if not call.chained_call_ids:
            del self.masters[call.id]  # no chained call can come now
        result = self._result(job, call, update)
        if self._placing_now:
            self._ended_while_placing = result  # place() decides: a full slot is retried
            return
        _emit(result.model_dump_json())

    def _result(self, job: PlaceCall, call: Call, update: CallUpdate) -> Result:
        diagnostics = update.diagnostics
        facts = self.facts.pop(diagnostics.call_id_header or "", SipFacts())
        recording = None
        if self.recordings is not None:
            for rec_id in call.recording_ids:
                path = find_wav(self.recordings, rec_id)
                if path is not None:
                    recording = str(path)
        return Result(job=job.job, attempt=job.attempt, call=call, diagnostics=diagnostics,
                      q850_cause=facts.q850.cause if facts.q850 else None,
                      q850_text=facts.q850.text if facts.q850 else "",
                      early_media=facts.early_media, recording=recording,
                      heard_pct=self.engine.heard_pct.pop(call.id, None),
                      amd=self.flows.verdict(call.id))

    def place(self, job: PlaceCall, tries: int = 0) -> None:
        self._placing = job
        self._placing_now = True
        self._ended_while_placing = None
        try:
            flow = self.flows.load(job.flow) if job.flow else None
            target = parse_target(job.uri)
            call = self.engine.make_call(target, dial_timeout_s=job.dial_timeout_s,
                                  max_duration_s=job.max_duration_s, record=job.record,
                                  account=job.account)
        except (EngineError, ValueError) as exc:  # FlowError is a ValueError
            # Not placed at all (the call limit, a bad URI): the job still gets its line.
            _emit(Result(job=job.job, attempt=job.attempt, call=Call(),
                         diagnostics=CallDiagnostics(), error=str(exc)).model_dump_json())
            return
        finally:
            self._placing = None
            self._placing_now = False
        ended = self._ended_while_placing
        if ended is not None:
            self._ended_while_placing = None
            # pjsua frees a call's slot only when its BYE transaction ends, a moment after
            # the call is over for us: then the INVITE "could not be sent" (PJ_ETOOMANY).
            # Not the number's fault: place it again shortly, never report it as failed.
            if (SLOT_BUSY in (ended.diagnostics.sip_reason or "")
                    and tries < SLOT_RETRIES and not self.stopping):
                self.waiting.append((time.monotonic() + SLOT_RETRY_S, job, tries + 1))
                return
            _emit(ended.model_dump_json())
            return
        if call.id in self.jobs:  # not already ended inside make_call (INVITE not sent)
            if flow is not None:
                self.flows.run_when_answered(call.id, flow)
            _emit(Started(job=job.job, attempt=job.attempt).model_dump_json())

    def stop_all(self) -> None:
        self.stopping = True
        for call_id in list(self.jobs):
            with contextlib.suppress(EngineError):  # it ended: its result is out already
                self.engine.hangup(call_id)


def _read_stdin(lines: queue.Queue[object]) -> None:
    for line in sys.stdin:
        if line.strip():
            lines.put(line)
    lines.put(_EOF)


def _bring_up_account(engine: Engine, data_dir: Path, name: str) -> str | None:
    from softphone.store import SettingsStore, resolve_data_dirs
    from softphone.store.accounts import password_for

    dirs = resolve_data_dirs(data_dir)
    account = SettingsStore.open(dirs.settings_file).settings.account(name)
    if account is None:
        return f"no account named {name!r}"
    state = engine.add_account(account, password_for(account))
    latest = {name: state}
    engine.add_account_listener(lambda s: latest.__setitem__(s.name, s))
    deadline = time.monotonic() + REGISTER_TIMEOUT_S
    while (latest[name].registration is RegistrationState.REGISTERING
           and time.monotonic() < deadline):
        engine.poll(50)
    current = latest[name]
    if current.registration is RegistrationState.FAILED:
        return f"account {name!r}: {current.describe()}"
    if current.registration is RegistrationState.REGISTERING:
        return f"account {name!r}: no answer from the registrar within {REGISTER_TIMEOUT_S:g} s"
    return None


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the tester tells us when to stop
    parser = argparse.ArgumentParser(prog="softphone-test-worker")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--recordings", type=Path)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--account")
    parser.add_argument("--log-level", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    engine = Engine(EngineConfig(bind=BindAddress(args.host, 0), recordings_dir=args.recordings,
                                 log_level=args.log_level))
    try:
        engine.start()
        if args.account:
            problem = _bring_up_account(engine, args.data_dir, args.account)
            if problem:
                sys.stderr.write(f"softphone: error: {problem}\n")
                return 1
    except EngineError as exc:
        sys.stderr.write(f"softphone: error: {exc}\n")
        return 1
    # Each number is a call of its own: placing one must not hold the others (the
    # window's call waiting would re-INVITE them sendonly).
    engine.call_waiting = False
    engine.meter_received = True  # the share of received audio that was not silence
    worker = Worker(engine, args.recordings)
    lines: queue.Queue[object] = queue.Queue()
    threading.Thread(target=_read_stdin, args=(lines,), daemon=True).start()
    _emit(Ready(port=engine.local_port).line())
    stop_deadline: float | None = None
    try:
        while True:
            engine.poll(20)
            now = time.monotonic()
            due = [w for w in worker.waiting if w[0] <= now]
            worker.waiting = [w for w in worker.waiting if w[0] > now]
            for _, job, tries in due:
                worker.place(job, tries)
            while True:
                try:
                    item = lines.get_nowait()
                except queue.Empty:
                    break
                message: PlaceCall | Stop | None = None
                if item is not _EOF:
                    try:
                        message = parse_to_worker(str(item))
                    except ValidationError as exc:
                        _log.error("tester sent a bad line: %s", exc.errors()[0]["msg"])
                        continue
                if item is _EOF or isinstance(message, Stop):
                    if not worker.stopping:
                        worker.stop_all()
                        stop_deadline = time.monotonic() + STOP_GRACE_S
                elif isinstance(message, PlaceCall) and not worker.stopping:
                    if len(worker.jobs) >= MAX_CALLS:
                        _log.error("tester sent a call past this worker's %d", MAX_CALLS)
                    worker.place(message)
            if worker.stopping and worker.waiting:  # never placed: reported as ended now
                for _, job, _tries in worker.waiting:
                    _emit(Result(job=job.job, attempt=job.attempt, call=Call(),
                                 diagnostics=CallDiagnostics(),
                                 error="not placed: the run was stopped").model_dump_json())
                worker.waiting = []
            if worker.stopping and (not worker.jobs or (
                    stop_deadline is not None and time.monotonic() > stop_deadline)):
                break
    finally:
        try:
            engine.shutdown()
        except EngineError as exc:
            _log.error("%s", exc)
    _emit(Bye().model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
