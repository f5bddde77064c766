"""What a call's SIP messages say beyond the Call and its diagnostics: the Q.850 cause of
a Reason header (RFC 3326) and whether early media was offered (an 18x with SDP)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from softphone.model.siptrace import Direction, SipMessage

# Reason: Q.850;cause=17;text="User busy" (several reasons may share the header, or repeat it).
_REASON = re.compile(r"(?im)^reason[ \t]*:(?P<value>.*)$")
_Q850 = re.compile(r'(?i)q\.850[ \t]*;(?P<params>[^,]*)')
_CAUSE = re.compile(r"(?i)cause[ \t]*=[ \t]*(?P<cause>\d{1,3})")
_TEXT = re.compile(r'(?i)text[ \t]*=[ \t]*"(?P<text>[^"]*)"')
_EARLY = re.compile(r"^SIP/2\.0 18[0-9] ")
_SDP_TYPE = re.compile(r"(?im)^(?:content-type|c)[ \t]*:[ \t]*application/sdp")


@dataclass(frozen=True)
class Q850:
    cause: int
    text: str = ""


def q850_of(message: SipMessage) -> Q850 | None:
    """The Q.850 cause in a message's Reason header, if it has one."""
    for header in _REASON.finditer(message.text):
        match = _Q850.search(header.group("value"))
        if match is None:
            continue
        cause = _CAUSE.search(match.group("params"))
        if cause is None:
            continue
        text = _TEXT.search(match.group("params"))
        return Q850(int(cause.group("cause")), text.group("text") if text else "")
    return None


def offers_early_media(message: SipMessage) -> bool:
    """A received provisional response that carries an SDP answer (183 Session Progress)."""
    return (message.direction is Direction.RECEIVED and bool(_EARLY.match(message.first_line))
            and message.method == "INVITE" and bool(_SDP_TYPE.search(message.text)))


@dataclass
class SipFacts:
    """Gathered from one call's messages as they pass."""

    q850: Q850 | None = None
    early_media: bool = False

    def add(self, message: SipMessage) -> None:
        if message.direction is Direction.RECEIVED:
            cause = q850_of(message)
            if cause is not None:
                self.q850 = cause  # the last one: the final response's or the BYE's
        if offers_early_media(message):
            self.early_media = True
