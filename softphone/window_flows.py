"""The window's flows: a saved flow attached to outgoing and to incoming calls, and the
"Test call" that checks microphone and speaker through the echo service with no server.

Saved flows are the ``*.json`` files of one folder (``<data>/flows``). The two choices are
kept in ``choices.json`` beside them: the settings schema belongs to the store, and a flow
choice is only meaningful next to the files it names.

The Test call is a loopback: the engine calls its own listening address at a user part the
FlowHost always answers with the built-in echo flow, so what the microphone takes comes
back through the speaker, through SIP and RTP as a real call goes.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from uuid import UUID

from softphone.engine import CallUpdate, Engine
from softphone.engine.errors import EngineError
from softphone.flow_host import FlowHost
from softphone.flows import Flow, load_flow
from softphone.flows.errors import FlowError
from softphone.model import CallChange, CallDirection, parse_target
from softphone.model.ids import NIL_ID

_log = logging.getLogger(__name__)

TEST_USER = "softphone-echo-test"
_CHOICES = "choices.json"


class WindowFlows:
    """What the window's Flows menu drives (ui/flows_menu.py's FlowChoices, by shape)."""

    def __init__(self, engine: Engine, folder: Path, host: FlowHost | None = None) -> None:
        self.engine = engine
        self.folder = folder
        self.host = host or FlowHost(engine)
        self.host.service_aliases[TEST_USER] = "echo"
        self.outgoing: str | None = None
        self.incoming: str | None = None
        self._outgoing_flow: Flow | None = None
        self.test_calls: set[UUID] = set()
        self._read_choices()
        engine.add_listener(self._changed)

    def close(self) -> None:
        self.engine.remove_listener(self._changed)
        self.host.close()

    # -- saved flows --------------------------------------------------------------------------

    def names(self) -> list[str]:
        """The saved flows, by file name without ``.json``."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if p.name != _CHOICES)

    def choose_outgoing(self, name: str | None) -> None:
        """Run ``name`` on each call the window places, from its answer (None: no flow).
        FlowError (one line) if the file does not load; the old choice then stays."""
        flow = self._load(name)
        self.outgoing, self._outgoing_flow = name, flow
        self._save_choices()

    def choose_incoming(self, name: str | None) -> None:
        """Run ``name`` on every incoming call (its ``answer`` action answers)."""
        flow = self._load(name)
        self.incoming = name
        self.host.incoming_flow = flow
        self._save_choices()

    def _load(self, name: str | None) -> Flow | None:
        if name is None:
            return None
        return load_flow(self.folder / f"{name}.json")

    def _read_choices(self) -> None:
        try:
            data = json.loads((self.folder / _CHOICES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return  # none saved yet (or unreadable: start with no flow attached)
        for key, choose in (("outgoing", self.choose_outgoing),
                            ("incoming", self.choose_incoming)):
            name = data.get(key) if isinstance(data, dict) else None
            if isinstance(name, str):
                try:
                    choose(name)
                except FlowError as exc:
                    _log.warning("the saved %s flow is not used: %s", key, exc)

    def _save_choices(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / _CHOICES).write_text(
                json.dumps({"outgoing": self.outgoing, "incoming": self.incoming}),
                encoding="utf-8")
        except OSError as exc:
            _log.warning("could not save the flow choices: %s", exc)

    # -- the Test call ------------------------------------------------------------------------

    def test_call(self) -> UUID:
        """Call our own echo service; the caller hears their microphone back."""
        host = self.engine.config.bind.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        target = parse_target(f"sip:{TEST_USER}@{host}:{self.engine.local_port}")
        try:
            call = self.engine.make_call(target, max_duration_s=300)
        except EngineError as exc:  # no free call slot, the transport gone: one line
            raise RuntimeError(str(exc)) from None
        self.test_calls.add(call.id)
        return call.id

    def _changed(self, update: CallUpdate) -> None:
        call = update.call
        if call.is_over:
            self.test_calls.discard(call.id)
            return
        if (CallChange.CREATED in update.changes and call.direction is CallDirection.OUTGOING
                and self._outgoing_flow is not None and call.id not in self.test_calls
                and call.master_call_id == NIL_ID  # a flow's connect placed it, not the user
                and TEST_USER not in call.destination.target):
            self.host.run_when_answered(call.id, self._outgoing_flow)
