"""SIP messages as they crossed the wire: one call's ladder, and the live SIP log.

pjsip's message logger writes each message it sends or receives as one log entry:
``TX 1242 bytes Request msg INVITE/cseq=1 (tdta0x..) to UDP 127.0.0.1:5060:`` then the
message, then ``--end msg--``. This module reads those entries; the engine feeds them.
Messages are filed by their SIP Call-ID, so a call's ladder includes what came before its
Call object existed and after it ended (the ACK, the 200 to our BYE).
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from softphone.model.timestamps import Timestamp

MESSAGE_LIMIT = 16_384  # characters kept of one message (a huge SDP is cut, visibly)
CALL_ID_LIMIT = 512  # characters of a Call-ID kept (the engine cuts its copy the same)
_HEAD = re.compile(
    r"^(?P<dir>TX|RX) (?P<bytes>\d+) bytes (?:Request|Response) msg \S+ \([^)]*\) "
    r"(?:to|from) (?P<peer>.+?):\s*$"
)
_END = "--end msg--"
_CALL_ID = re.compile(r"(?im)^(?:call-id|i)[ \t]*:[ \t]*(\S+)")
_CSEQ = re.compile(r"(?im)^cseq[ \t]*:[ \t]*\d+[ \t]+(\S+)")


# Methods of an INVITE dialog: what a call's ladder shows (REGISTER, OPTIONS keep-alives,
# SUBSCRIBE/PUBLISH/MESSAGE are not a call's messages).
CALL_METHODS = frozenset(
    {"INVITE", "ACK", "BYE", "CANCEL", "PRACK", "UPDATE", "INFO", "REFER", "NOTIFY"}
)


class Direction(StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class SipMessage(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    at: Timestamp
    direction: Direction
    peer: str  # "UDP 127.0.0.1:5060": where it went to or came from
    call_id: str  # its Call-ID header ("" if it had none)
    first_line: str  # "INVITE sip:bob@h SIP/2.0" or "SIP/2.0 486 Busy Here"
    text: str  # the whole message, credentials redacted

    @property
    def method(self) -> str:
        """The method of the transaction it belongs to (from CSeq; "" if none)."""
        match = _CSEQ.search(self.text)
        return match.group(1).upper() if match else ""

    @property
    def of_a_call(self) -> bool:
        return bool(self.call_id) and self.method in CALL_METHODS

    @property
    def label(self) -> str:
        """What the ladder's arrow says: the method, or the status code and its method."""
        parts = self.first_line.split(" ", 2)
        if self.first_line.startswith("SIP/2.0") and len(parts) >= 2:
            method = _CSEQ.search(self.text)
            return f"{parts[1]} ({method.group(1)})" if method else parts[1]
        return parts[0]


# What a terminal would act on (ESC sequences, OSC 52 clipboard writes, C1 CSI): shown
# as visible escapes when a message is printed or logged. Tabs and line ends stay.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: controls as ``\\xNN`` / ``\\uNNNN``."""
    return _TERMINAL_UNSAFE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
        else f"\\u{ord(m.group()):04x}", text)


def parse_message_entry(entry: str, at: Timestamp) -> SipMessage | None:
    """A pjsip message-log entry as a SipMessage; None for any other log line."""
    head, sep, rest = entry.partition("\n")
    match = _HEAD.match(head.rstrip("\r"))
    if not sep or match is None:
        return None
    text = rest.split(_END, 1)[0].rstrip("\r\n")
    if len(text) > MESSAGE_LIMIT:
        text = text[:MESSAGE_LIMIT] + "\n… (cut)"
    call_id = _CALL_ID.search(text)
    return SipMessage(
        at=at,
        direction=Direction.SENT if match.group("dir") == "TX" else Direction.RECEIVED,
        peer=match.group("peer").strip(),
        call_id=call_id.group(1)[:CALL_ID_LIMIT] if call_id else "",
        first_line=text.split("\n", 1)[0].strip()[:512],
        text=text,
    )


def ladder_text(messages: list[SipMessage]) -> str:
    """The ladder as plain text (copyable): time since the first message, arrow, label."""
    if not messages:
        return "(no SIP messages kept for this call)"
    start = messages[0].at.to_datetime()
    lines = []
    for message in messages:
        offset = (message.at.to_datetime() - start).total_seconds()
        arrow = "--->" if message.direction is Direction.SENT else "<---"
        lines.append(printable(
            f"{offset:8.3f} s  us {arrow} them  {message.label:<16}  {message.peer}"))
    return "\n".join(lines)
