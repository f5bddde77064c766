"""Headless runs of the engine for `call` and `listen`: a poll loop, history, output."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from types import FrameType
from uuid import UUID

from softphone.cli.args import pjsip_log_level
from softphone.cli.audio_choice import AudioChoice
from softphone.cli.output import summary_line
from softphone.engine import CallUpdate, Engine, EngineConfig, EngineError, UnknownCall
from softphone.engine.config import BindAddress
from softphone.hooks import HookRunner
from softphone.model import Call, CallChange, CallStatus
from softphone.model.diagnostics import CallDiagnostics
from softphone.store import DataDirs, History, LadderKeeper, StoreError

_log = logging.getLogger(__name__)


class HeadlessRun:
    """Owns an engine for one command: saves every change to history, prints finished calls."""

    def __init__(
        self,
        dirs: DataDirs,
        bind: BindAddress,
        *,
        as_json: bool,
        verbose: int,
        audio: AudioChoice | None = None,
        stun_servers: tuple[str, ...] = (),
        hooks: HookRunner | None = None,
    ) -> None:
        self.dirs = dirs
        self.hooks = hooks
        self.as_json = as_json
        # The recordings folder goes with each row: recovery repairs a crashed call's WAV.
        self.history = History.open(dirs.history_db, recordings_dir=dirs.recordings)
        self.engine = Engine(
            EngineConfig(
                bind=bind,
                recordings_dir=dirs.recordings,
                log_level=pjsip_log_level(verbose),
                stun_servers=stun_servers,
            ),
            audio=(audio or AudioChoice()).open(),
        )
        self.finished: list[tuple[Call, CallDiagnostics]] = []
        self.on_finished: Callable[[Call], None] | None = None
        self.on_update: Callable[[CallUpdate], None] | None = None
        self.on_tick: Callable[[], None] | None = None  # each loop turn (the ctl socket)
        self.interrupted = False
        self.store_error: StoreError | None = None
        self.engine.add_listener(self._changed)
        self.ladder = LadderKeeper(self.history)  # every call's SIP messages, in history
        self.engine.add_trace_listener(self.ladder.add)

    def _changed(self, update: CallUpdate) -> None:
        call = update.call
        if update.persisted:
            try:
                self.history.save(call, update.diagnostics)
            except StoreError as exc:
                # Keep the call going; report once at the end rather than lose the output.
                self.store_error = exc
                _log.error("%s", exc)
        self.ladder.follow(update)
        if self.hooks is not None:  # after the save: a hook never costs a call its row
            self.hooks.on_update(call, update.diagnostics, update.changes)
        status_moved = CallChange.STATUS in update.changes
        if not self.as_json and status_moved and call.status is not CallStatus.HANGUP:
            print(f"  {call.direction.value} {call.remote.target}: {call.status.value}",
                  file=sys.stderr, flush=True)
        if self.on_update is not None:
            self.on_update(update)
        if status_moved and call.status is CallStatus.HANGUP:
            self.finished.append((call, update.diagnostics))
            if self.as_json:
                print(call.model_dump_json(), flush=True)
            else:
                print(summary_line(call, update.diagnostics), flush=True)
                if update.diagnostics.quality is not None:
                    print(f"  {update.diagnostics.quality.line()}", flush=True)
            if self.on_finished is not None:
                self.on_finished(call)

    def start(self) -> None:
        self.dirs.recordings.mkdir(parents=True, exist_ok=True)
        self._install_signal_handlers()
        self.engine.start()

    def _install_signal_handlers(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            # No exception here: it could surface inside a pjsua2 callback.
            self.interrupted = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

    def hangup_if_live(self, call_id: UUID) -> None:
        with contextlib.suppress(UnknownCall):  # it already ended
            self.engine.hangup(call_id)

    def run_until(self, done: Callable[[], bool]) -> None:
        while not done() and not self.interrupted:
            self.engine.poll(50)
            self.ladder.flush()
            if self.on_tick is not None:
                self.on_tick()

    def close(self) -> None:
        try:
            self.engine.shutdown()
        except EngineError as exc:
            _log.error("%s", exc)
        finally:
            self.ladder.flush()
            self.history.close()
            if self.hooks is not None:
                self.hooks.close()  # the 'ended' commands of the last calls still run
