"""Keep credentials out of logs: SIP messages are logged whole at high verbosity."""

import re

_AUTH_LINE = re.compile(r"(?im)^((?:proxy-)?authorization[ \t]*:)[^\r\n]*")


def redact_sip(text: str) -> str:
    return _AUTH_LINE.sub(r"\1 <redacted>", text)
