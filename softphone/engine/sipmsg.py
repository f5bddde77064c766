"""Small readers for raw SIP text handed over by pjsua2 (no parser of our own beyond this)."""

from __future__ import annotations

import re

_STATUS_LINE = re.compile(r"^SIP/2\.0\s+(\d{3})\s*(.*)$")
_NAME_ADDR = re.compile(r'^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>')


def header(message: str, *names: str) -> str | None:
    """The first value of any of ``names`` in a SIP message (case-insensitive)."""
    wanted = {n.lower() for n in names}
    for line in message.split("\n")[1:]:
        line = line.rstrip("\r")
        if not line:
            break  # end of headers
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in wanted:
            return value.strip()
    return None


def status_code(message: str) -> int | None:
    first = message.split("\n", 1)[0].strip()
    match = _STATUS_LINE.match(first)
    return int(match.group(1)) if match else None


def split_name_addr(value: str) -> tuple[str, str]:
    """``"Alice" <sip:a@h>;tag=x`` -> (``Alice``, ``sip:a@h``)."""
    match = _NAME_ADDR.match(value)
    if match:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        return (name or "").replace('\\"', '"').strip(), match.group(3).strip()
    return "", value.split(";", 1)[0].strip()
