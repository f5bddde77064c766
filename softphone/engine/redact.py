"""Keep credentials out of logs: SIP messages are logged whole at high verbosity.

Two layers, because a header is not always one line: an Authorization header is redacted
through its folded continuation lines (RFC 3261 7.3.1: a line starting with space or tab
continues the header), and every digest secret (response, nonce, cnonce, opaque, ...) is
redacted wherever it appears, so a value pushed onto a line of its own (a line break smuggled
into a field, a header pjsip splits differently) still never reaches the log.
"""

import re

# The whole header: its first line and any continuation lines after it.
_AUTH_HEADER = re.compile(
    r"(?im)^((?:proxy-)?authorization[ \t]*:)[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*"
)
# Digest parameters that let someone replay or brute-force a login (RFC 7616 3.3-3.5).
_DIGEST_SECRET = re.compile(
    r'(?i)\b(response|c?nonce|nextnonce|opaque|rspauth)([ \t]*=[ \t]*)("[^"\r\n]*"?|[^\s,;]+)'
)


# SDES keys in SDP (RFC 4568 a=crypto ... inline:KEY|lifetime|MKI) decrypt a capture of
# the call's media; key-management lines (MIKEY) carry the same.
_SRTP_KEY = re.compile(r"(?i)(inline:)[^|\s]+")
_KEY_MGMT = re.compile(r"(?im)^(a=key-mgmt:[^ \t\r\n]*)[^\r\n]*")


def redact_sip(text: str) -> str:
    text = _AUTH_HEADER.sub(r"\1 <redacted>", text)
    text = _SRTP_KEY.sub(r"\1<redacted>", text)
    text = _KEY_MGMT.sub(r"\1 <redacted>", text)
    return _DIGEST_SECRET.sub(r"\1\2<redacted>", text)
