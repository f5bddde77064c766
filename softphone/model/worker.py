"""The line protocol between a parent and an engine worker process.

A worker (today the test suite's pjsua2 peer, tomorrow the number tester's engine
processes) writes only this protocol on stdout, one message a line; everything else goes
to stderr:

    READY <port>                 once, when its SIP transport is up (the port it bound)
    {"event": "disconnected", …} one JSON object per call, when that call has ended

The ready line stays plain text so a shell script can read it (``read _ port``). Parents
parse every line with ``parse_line``; a line that is neither message is a protocol error,
never silently skipped.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

READY = "READY"


class WorkerProtocolError(ValueError):
    """A line on a worker's stdout that is not a protocol message."""


class Ready(BaseModel):
    """The worker serves: its SIP transport is bound to ``port`` on its host."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    port: int = Field(ge=1, le=65535)

    def line(self) -> str:
        return f"{READY} {self.port}"


class CallEnded(BaseModel):
    """One call the worker took part in, as it ended (pjsua2's CallInfo at DISCONNECTED)."""

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    event: Literal["disconnected"] = "disconnected"
    call_index: int = Field(ge=1, description="1 for the worker's first call, then 2, ...")
    role: Literal["caller", "callee"]
    last_status_code: int
    last_reason: str
    connect_duration_s: float = Field(ge=0, description="talk time; 0 if never answered")
    total_duration_s: float = Field(ge=0)
    remote_uri: str
    remote_contact: str = ""
    local_uri: str = ""
    codec: str | None = Field(None, description='e.g. "PCMU/8000"; None if no media')
    record_file: str | None = None
    tone_hz: float | None = None
    dtmf_digits: str = ""

    def line(self) -> str:
        return self.model_dump_json()


WorkerMessage = Ready | CallEnded


def parse_line(line: str) -> WorkerMessage:
    """One stdout line of a worker as a message; WorkerProtocolError if it is none."""
    text = line.strip()
    if text.startswith(READY + " "):
        try:
            return Ready(port=int(text[len(READY) + 1:]))
        except (ValueError, ValidationError) as exc:
            raise WorkerProtocolError(f"bad ready line {text!r}: {exc}") from None
    try:
        return CallEnded.model_validate_json(text)
    except ValidationError as exc:
        raise WorkerProtocolError(f"not a worker message: {text[:200]!r}: {exc}") from None
