"""The lines between the tester and its engine worker processes (JSON, one a line).

Parent to worker (stdin): ``{"op": "call", ...}`` to place one call, ``{"op": "stop"}``
to end every call now (a closed stdin means the same). Worker to parent (stdout): the
``READY <port>`` line of model.worker, then one ``Result`` per call as it ends (the
calls a flow's connect dialled too, marked ``chained``), then
``{"event": "bye"}`` when it has ended every call and is about to exit.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from softphone.model import Call
from softphone.model.diagnostics import CallDiagnostics


class PlaceCall(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    op: Literal["call"] = "call"
    job: int = Field(ge=1)
    attempt: int = Field(1, ge=1)
    uri: str
    dial_timeout_s: float | None = None
    max_duration_s: float | None = None
    record: bool = False
    account: str | None = None
    flow: str | None = None  # a flow file's absolute path, run from the answer


class Stop(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    op: Literal["stop"] = "stop"


class Result(BaseModel):
    """One call as it ended, with what its SIP messages said beyond the diagnostics."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: Literal["result"] = "result"
    job: int
    attempt: int = 1
    call: Call
    diagnostics: CallDiagnostics
    q850_cause: int | None = None
    q850_text: str = ""
    early_media: bool = False
    recording: str | None = None  # the WAV's path
    heard_pct: float | None = None  # received audio that was not silence, per cent
    error: str | None = None  # the call could not be placed (the engine's one line)
    amd: str = ""  # machine / human / notsure: the flow's AMD verdict ("" = none)
    # A call the job's flow dialled (connect), chained to the job's call: it goes into
    # history with the run; the number's result is its own call's alone.
    chained: bool = False


class Bye(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event: Literal["bye"] = "bye"


class Started(BaseModel):
    """A call is on its way (its INVITE sent): the live table shows it dialling."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: Literal["started"] = "started"
    job: int
    attempt: int = 1


class ToWorker(BaseModel):
    message: PlaceCall | Stop = Field(discriminator="op")


class FromWorker(BaseModel):
    message: Result | Bye | Started = Field(discriminator="event")


def parse_to_worker(line: str) -> PlaceCall | Stop:
    return ToWorker.model_validate_json(f'{{"message": {line}}}').message


def parse_from_worker(line: str) -> Result | Bye | Started:
    return FromWorker.model_validate_json(f'{{"message": {line}}}').message
