"""How calls read on a terminal: one line each, saying who hung up and why."""

from __future__ import annotations

from softphone.model import Call, CallStatus
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.explain import plain_outcome


def _local_time(call: Call) -> str:
    if call.tm_create is None:
        return "-"
    return call.tm_create.to_datetime().astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _duration(call: Call) -> str:
    talk = call.talk_seconds()
    return f"{talk:.1f}s" if talk is not None else "-"


def summary_line(call: Call, diagnostics: CallDiagnostics | None = None) -> str:
    parts = [
        _local_time(call),
        call.direction.value,
        call.remote.target or "-",
        call.status.value,
    ]
    if call.status is CallStatus.HANGUP:
        parts.append(f"hangup_by={call.hangup_by.value}")
        parts.append(f"hangup_reason={call.hangup_reason.value}")
    parts.append(f"talk={_duration(call)}")
    if diagnostics is not None:
        if diagnostics.sip_code:
            parts.append(f"sip={diagnostics.sip_code} {diagnostics.sip_reason or ''}".rstrip())
        if diagnostics.detail:
            parts.append(f"({diagnostics.detail})")
    line = "  ".join(parts)
    plain = plain_outcome(call, diagnostics.sip_code if diagnostics else None)
    # The plain words on a line of their own: scripts reading the first line keep working.
    return f"{line}\n  {plain}" if plain else line


def history_table(rows: list[tuple[Call, CallDiagnostics]]) -> str:
    header = ("TIME", "DIRECTION", "REMOTE", "STATUS", "BY", "REASON", "SIP", "TALK")
    lines = [header]
    for call, diag in rows:
        lines.append(
            (
                _local_time(call),
                call.direction.value or "-",
                call.remote.target or "-",
                call.status.value,
                call.hangup_by.value or "-",
                call.hangup_reason.value or "-",
                str(diag.sip_code) if diag.sip_code else "-",
                _duration(call),
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in lines
    )
