"""What the window needs from the engine, and no more: the UI never sees pjsua2."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

from softphone.model import Call, CallDirection, HangupReason, Target
from softphone.model.account import AccountState
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.policy import IncomingPolicy
from softphone.model.siptrace import SipMessage
from softphone.store import HistoryPages, HistoryScope


class Update(Protocol):
    @property
    def call(self) -> Call: ...

    @property
    def diagnostics(self) -> CallDiagnostics: ...


class MissedCount(Protocol):
    """Calls missed since the user last looked (engine/policy.py keeps the count)."""

    count: int

    def add_listener(self, listener: Callable[[int], None]) -> None: ...

    def reset(self) -> None: ...


class PolicyControl(Protocol):
    """The incoming-call policy the engine applies for the window (answer, decline, ring)."""

    @property
    def missed(self) -> MissedCount: ...

    def configure(self, policy: IncomingPolicy) -> None: ...

    def close(self) -> None: ...


class CallControl(Protocol):
    def add_listener(self, listener: Callable[[Update], None]) -> None: ...

    def remove_listener(self, listener: Callable[[Update], None]) -> None: ...

    def add_trace_listener(self, listener: Callable[[SipMessage], None]) -> None: ...

    def remove_trace_listener(self, listener: Callable[[SipMessage], None]) -> None: ...

    def make_call(
        self,
        target: Target,
        *,
        dial_timeout_s: float | None = None,
        max_duration_s: float | None = None,
        record: bool = False,
        account: str | None = None,  # an account's name; None: the local identity
    ) -> Call: ...

    def record_failed_attempt(
        self, target: Target, reason: str, account: str | None = None
    ) -> Call: ...

    def hangup(self, call_id: UUID) -> None: ...

    def answer(self, call_id: UUID) -> None: ...

    def reject(self, call_id: UUID, sip_code: int = 486) -> None: ...

    def poll(self, max_wait_ms: int = 0) -> int: ...

    def send_dtmf(self, call_id: UUID, digits: str) -> None: ...

    def hold(self, call_id: UUID) -> None: ...

    def resume(self, call_id: UUID) -> None: ...

    def set_mute(self, call_id: UUID, muted: bool) -> None: ...

    def transfer(self, call_id: UUID, target: Target) -> None: ...

    def complete_transfer(self, call_id: UUID, consult_id: UUID) -> None: ...

    def conference(self, call_ids: Iterable[UUID] | None = None) -> list[UUID]: ...

    def end_conference(self) -> None: ...

    def set_recording(self, call_id: UUID, wanted: bool) -> None: ...

    def account_states(self) -> list[AccountState]: ...

    def add_account_listener(self, listener: Callable[[AccountState], None]) -> None: ...

    def attach_policy(self, policy: IncomingPolicy | None = None) -> PolicyControl: ...


class AudioControl(Protocol):
    """The sound devices as the window drives them (softphone.audio.DeviceAudio)."""

    muted: bool
    speaker_volume: float  # 1.0 = as received; up to 2.0

    def levels(self) -> tuple[float, float]: ...  # (microphone, speaker) in dBFS

    def device_names(self) -> tuple[list[str], list[str]]: ...  # (microphones, speakers)

    def set_devices(self, capture: str, playback: str, ring: str) -> None: ...


class HistoryView(HistoryPages, Protocol):
    """The call history as the window reads it (softphone.store.History): pages (the
    exporter's HistoryPages), counts, ladders, and the user's own deletions. Saving calls is
    the composition root's history listener."""

    def count(
        self,
        *,
        direction: CallDirection | None = None,
        reason: HangupReason | None = None,
        search: str | None = None,
        scope: HistoryScope | None = None,
    ) -> int: ...

    def delete(self, ids: Iterable[UUID | str]) -> int: ...

    def test_runs(self, limit: int = 200) -> builtins.list[tuple[str, int]]: ...

    def sip_messages(self, call_id_header: str) -> builtins.list[SipMessage]: ...


class NumberTestRun(Protocol):
    run_id: str

    def stop(self) -> None: ...


class NumberTester(Protocol):
    """The number tester (softphone.tester.service) as the Number test pane drives it."""

    def check(self, text: str, domain: str | None = None, flow: str | None = None,
              list_dir: Path | None = None) -> str | None: ...

    def start(self, text: str, *, concurrency: int, account: str | None,
              domain: str | None, on_result: Callable[[Mapping[str, Any]], None],
              on_done: Callable[[str | None], None],
              only: Sequence[int] = (), flow: str | None = None,
              list_dir: Path | None = None) -> NumberTestRun: ...

    def export(self, path: Path, rows: Sequence[Mapping[str, Any]], run_id: str = "") -> int: ...


class ClipPlayback(Protocol):
    """One recording playing on the speaker (softphone.audio.clip_player.ClipPlayer)."""

    speaker: str  # the device name; "" = the system default

    @property
    def duration_s(self) -> float: ...

    @property
    def position_s(self) -> float: ...

    @property
    def playing(self) -> bool: ...

    def play(self, path: Path) -> float: ...  # raises an Exception whose text says why not

    def stop(self) -> None: ...
