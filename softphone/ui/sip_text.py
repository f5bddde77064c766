"""One SIP message as text, the same in the SIP log's export and a call's copied ladder."""

from __future__ import annotations

from softphone.model.siptrace import Direction, SipMessage


def log_line(message: SipMessage) -> str:
    """When, which way, the far end and the first line: one line per message."""
    arrow = "→" if message.direction is Direction.SENT else "←"
    return f"{message.at} {arrow} {message.peer}  {message.first_line}"


def message_block(message: SipMessage) -> str:
    """The message whole under its log line: what a ticket wants pasted."""
    return f"--- {log_line(message)}\n{message.text.rstrip()}\n"
