"""Small readers for raw SIP text handed over by pjsua2 (no parser of our own beyond this).

Every value read here is wire text: decoded safely (softphone.engine.wire) before use.
"""

from __future__ import annotations

import re

from softphone.engine.wire import shorten, wire_text
from softphone.model.siptrace import CALL_ID_LIMIT

_STATUS_LINE = re.compile(r"^SIP/2\.0\s+(\d{3})\s*(.*)$")
_NAME_ADDR = re.compile(r'^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]*)>')
_QUOTED_PAIR = re.compile(r"\\(.)")
# RFC 3261 7.3.3 compact forms of the headers read here.
_COMPACT = {"from": "f", "to": "t", "call-id": "i", "contact": "m", "via": "v"}
# Long enough for any real name or address; a 2,000-character display name is cut visibly
# rather than lost (pjsua's own printing gives "-error: uri too long-" past 256 bytes).
NAME_LIMIT = 200
URI_LIMIT = 1024
HEADER_LIMIT = 512


def _unfolded_headers(message: str) -> list[str]:
    """The header lines of a message, continuation lines (RFC 3261 7.3.1) joined."""
    lines: list[str] = []
    for line in message.split("\n")[1:]:
        line = line.rstrip("\r")
        if not line:
            break  # end of headers
        if line[0] in " \t" and lines:
            lines[-1] = lines[-1].rstrip() + " " + line.strip()
        else:
            lines.append(line)
    return lines


def header(message: str, *names: str, limit: int | None = HEADER_LIMIT) -> str | None:
    """The first value of any of ``names`` (or their compact forms) in a SIP message,
    as safe text, cut at ``limit`` characters (None: whole, for a parser to bound)."""
    wanted = {n.lower() for n in names}
    wanted |= {_COMPACT[n] for n in wanted if n in _COMPACT}
    for line in _unfolded_headers(message):
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() in wanted:
            return wire_text(value.strip(), limit)
    return None


def call_id_text(value: object) -> str:
    """A Call-ID as kept beside the Call: cut exactly as the SIP trace files it
    (model.siptrace), so a call's ladder is found by it."""
    return wire_text(value)[:CALL_ID_LIMIT]


def status_code(message: str) -> int | None:
    first = message.split("\n", 1)[0].strip()
    match = _STATUS_LINE.match(first)
    return int(match.group(1)) if match else None


def split_name_addr(value: str) -> tuple[str, str]:
    """``"Alice" <sip:a@h>;tag=x`` -> (``Alice``, ``sip:a@h``); safe, bounded text."""
    value = wire_text(value)
    match = _NAME_ADDR.match(value)
    if match:
        quoted = match.group(1)
        name = _QUOTED_PAIR.sub(r"\1", quoted) if quoted is not None else match.group(2)
        uri = match.group(3).strip()
    else:
        name, uri = "", value.split(";", 1)[0].strip()
    return shorten(" ".join((name or "").split()), NAME_LIMIT), shorten(uri, URI_LIMIT)
