"""Text from the wire, made safe at the engine boundary.

pjsua2's binding hands header bytes that are not UTF-8 (old PBXs send Latin-1 names) over as
lone surrogates, which pydantic refuses to serialise: a Call holding one could not be saved.
Every string the engine takes from SIP goes through :func:`wire_text` first.
"""

from __future__ import annotations

import re

# Control characters have no business in a name, a reason phrase or a header value; CR and
# LF in particular would split a log line or a CSV row.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]+")
ELLIPSIS = "…"
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _unescape(match: re.Match[str]) -> str:
    char = match.group()
    # surrogateescape maps byte 0x80-0xff to U+DC80-U+DCFF; others cannot be bytes.
    return char if "\udc80" <= char <= "\udcff" else "\ufffd"


def wire_text(value: object, limit: int | None = None) -> str:
    """``value`` as clean one-line text: invalid bytes as U+FFFD, controls as spaces."""
    text = _CONTROL.sub(" ", wire_message(value))
    return shorten(text, limit) if limit is not None else text


def wire_message(value: object) -> str:
    """A whole SIP message (lines kept) with invalid bytes as U+FFFD."""
    if value is None:
        return ""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Escaped bytes back to bytes, then decoded with replacement; any other lone
        # surrogate (not an escaped byte) becomes U+FFFD too.
        raw = _SURROGATE.sub(_unescape, text).encode("utf-8", "surrogateescape")
        text = raw.decode("utf-8", "replace")
    return text


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, visibly cut (an ellipsis at the end)."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS
