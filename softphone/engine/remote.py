"""`softphone ctl`: commands sent to a running softphone (the window or `listen`).

One JSON message in (``{"ctl": "hold", "call": "<id or prefix>", "all": false,
"arg": "..."}``), one JSON reply out (``{"ok": true, "message": "...", "exit": 0}``;
``status`` adds ``"calls"``). Without a call id a command acts on the current call: the
answered call we talk on; ``answer``/``decline``: the first call ringing in; ``resume``:
the call we hold last. Both the window and `listen` answer through this one dispatcher.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from softphone.engine.errors import EngineError
from softphone.model import Call, Target, TargetError
from softphone.model.diagnostics import CallDiagnostics

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
COMMANDS = ("status", "answer", "decline", "hangup", "hold", "resume", "mute", "unmute",
            "conference", "transfer", "dtmf", "dial")
# Which call a command picks when none is named (Engine.current_call's wishes).
_PICK = {"answer": "ring", "decline": "ring", "hangup": "any", "resume": "held"}


class Controlled(Protocol):
    """What the dispatcher needs of the engine (Engine satisfies it)."""

    @property
    def active_calls(self) -> list[Call]: ...

    def current_call(self, want: str = "talk") -> Call | None: ...

    def call_state(self, call_id: UUID) -> CallDiagnostics: ...

    def answer(self, call_id: UUID) -> None: ...

    def reject(self, call_id: UUID, sip_code: int = 486) -> None: ...

    def hangup(self, call_id: UUID) -> None: ...

    def hold(self, call_id: UUID) -> None: ...

    def resume(self, call_id: UUID) -> None: ...

    def set_mute(self, call_id: UUID, muted: bool) -> None: ...

    def transfer(self, call_id: UUID, target: Target) -> None: ...

    def send_dtmf(self, call_id: UUID, digits: str) -> None: ...

    def conference(self, call_ids: list[UUID] | None = None) -> list[UUID]: ...

    def complete_transfer(self, call_id: UUID, consult_id: UUID) -> None: ...


class UsageError(Exception):
    """Bad input in a ctl command (exit 2)."""


def reply(ok: bool, message: str, code: int | None = None, **extra: Any) -> dict[str, Any]:
    exit_code = code if code is not None else (EXIT_OK if ok else EXIT_FAILURE)
    return {"ok": ok, "message": message, "exit": exit_code, **extra}


class ControlCommands:
    def __init__(
        self,
        engine: Controlled,
        dial: Callable[[str], str],
        parse: Callable[[str], Target],
    ) -> None:
        """``dial``: place a call to a target the user typed (the window's own way, or
        `listen`'s), returning one line; ``parse``: a target as the user's domain reads it."""
        self._engine = engine
        self._dial = dial
        self._parse = parse

    def handle(self, message: dict[str, object]) -> dict[str, Any]:
        command = message.get("ctl")
        arg = message.get("arg")
        arg = arg if isinstance(arg, str) else ""
        call = message.get("call")
        try:
            if command not in COMMANDS:
                raise UsageError(f"unknown command {command!r} (one of {', '.join(COMMANDS)})")
            assert isinstance(command, str)
            if command == "status":
                return self._status()
            if command == "dial":
                if not arg:
                    raise UsageError("dial needs a target")
                return reply(True, self._dial(arg))
            if command == "conference":
                members = self._engine.conference()
                return reply(True, f"{len(members)} calls in the conference")
            if command == "hangup" and message.get("all"):
                calls = self._engine.active_calls
                if not calls:
                    return reply(False, "no call is up")
                for live in calls:
                    self._engine.hangup(live.id)
                return reply(True, f"hung up {len(calls)} call(s)")
            target = self._pick(command, call if isinstance(call, str) else None)
            consult = message.get("to_call")
            if command == "transfer" and isinstance(consult, str) and consult:
                other = self._pick(command, consult)
                self._engine.complete_transfer(target.id, other.id)
                return reply(True, f"connecting {target.remote.target} with "
                             f"{other.remote.target}", call=str(target.id))
            return self._act(command, target, arg)
        except UsageError as exc:
            return reply(False, str(exc), EXIT_USAGE)
        except (TargetError, ValueError) as exc:
            return reply(False, str(exc), EXIT_USAGE)
        except EngineError as exc:
            return reply(False, str(exc))

    def _pick(self, command: str, wanted: str | None) -> Call:
        if wanted:
            matches = [c for c in self._engine.active_calls if str(c.id).startswith(wanted)]
            if len(matches) != 1:
                raise EngineError(f"no live call with id {wanted}" if not matches
                                  else f"call id {wanted} fits {len(matches)} calls")
            return matches[0]
        call = self._engine.current_call(_PICK.get(command, "talk"))
        if call is None:
            kind = {"ring": "no call is ringing in", "held": "no call is on hold"}
            raise EngineError(kind.get(_PICK.get(command, ""), "no answered call is up"))
        return call

    def _act(self, command: str, call: Call, arg: str) -> dict[str, Any]:
        e, who = self._engine, call.remote.target
        if command == "answer":
            e.answer(call.id)
        elif command == "decline":
            e.reject(call.id)
        elif command == "hangup":
            e.hangup(call.id)
        elif command == "hold":
            e.hold(call.id)
        elif command == "resume":
            e.resume(call.id)
        elif command in ("mute", "unmute"):
            e.set_mute(call.id, command == "mute")
        elif command == "transfer":
            if not arg:
                raise UsageError("transfer needs a target (or --to-call ID)")
            e.transfer(call.id, self._parse(arg))
        elif command == "dtmf":
            if not arg:
                raise UsageError("dtmf needs digits")
            try:
                e.send_dtmf(call.id, arg)
            except EngineError as exc:
                if "not DTMF digits" in str(exc):
                    raise UsageError(str(exc)) from None
                raise
        done = {"hangup": f"hung up {who}", "hold": f"holding {who}",
                "resume": f"resuming {who}", "mute": f"muted {who}",
                "unmute": f"unmuted {who}", "transfer": f"transferring {who} to {arg}",
                "dtmf": f"sent {arg} to {who}", "answer": f"answered {who}",
                "decline": f"declined {who}"}
        return reply(True, done[command], call=str(call.id))

    def _status(self) -> dict[str, Any]:
        current = self._engine.current_call("any")
        calls = []
        for call in self._engine.active_calls:
            try:
                state = self._engine.call_state(call.id)
            except EngineError:
                continue  # ended meanwhile
            calls.append({
                "call": json.loads(call.model_dump_json()),
                "current": current is not None and current.id == call.id,
                "held_by_us": state.held_by_us,
                "held_by_them": state.held_by_them,
                "muted": state.muted,
                "transfer": state.transfer,
                "dtmf_received": state.dtmf_received,
            })
        return reply(True, f"{len(calls)} call(s) up", calls=calls)


def status_lines(calls: list[dict[str, Any]]) -> list[str]:
    """`ctl status` for people: one line a call."""
    lines = []
    for entry in calls:
        call = entry["call"]
        remote = (call["destination"] if call["direction"] == "outgoing"
                  else call["source"])["target"]
        flags = [f for f, on in (("on hold", entry["held_by_us"]),
                                 ("held by the far end", entry["held_by_them"]),
                                 ("muted", entry["muted"])) if on]
        if call.get("type") == "conference":
            flags.append("conference")
        mark = "*" if entry["current"] else " "
        extra = f" ({', '.join(flags)})" if flags else ""
        lines.append(f"{mark} {call['id'][:8]} {call['direction']} {remote}: "
                     f"{call['status']}{extra}")
    return lines
