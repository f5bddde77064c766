"""pjsip's message-log entries read as SIP messages (the ladder's raw material)."""

from softphone.model import Timestamp
from softphone.model.siptrace import Direction, ladder_text, parse_message_entry

TX = (
    "TX 560 bytes Request msg INVITE/cseq=12686 (tdta0x55c620fba7d8) to UDP 127.0.0.1:15070:\n"
    "INVITE sip:x@127.0.0.1:15070 SIP/2.0\r\n"
    "Call-ID: abc-123\r\n"
    "CSeq: 12686 INVITE\r\n"
    "\r\n"
    "\n--end msg--"
)
RX = (
    "RX 329 bytes Response msg 486/INVITE/cseq=12686 (rdata0x55c620fa2f88) from UDP [::1]:15070:\n"
    "SIP/2.0 486 Busy Here\r\n"
    "i: abc-123\r\n"
    "CSeq: 12686 INVITE\r\n"
    "\r\n"
    "--end msg--"
)


def test_sent_and_received_messages():
    now = Timestamp.now()
    sent = parse_message_entry(TX, now)
    got = parse_message_entry(RX, now)
    assert sent is not None and got is not None
    assert sent.direction is Direction.SENT and got.direction is Direction.RECEIVED
    assert sent.peer == "UDP 127.0.0.1:15070" and got.peer == "UDP [::1]:15070"
    assert sent.call_id == got.call_id == "abc-123"
    assert sent.label == "INVITE" and got.label == "486 (INVITE)"
    assert "--end msg--" not in sent.text
    text = ladder_text([sent, got])
    assert "us ---> them  INVITE" in text and "us <--- them  486 (INVITE)" in text


def test_other_log_lines_are_not_messages():
    assert parse_message_entry("Call 0: initializing media..", Timestamp.now()) is None
    assert parse_message_entry("TX something odd", Timestamp.now()) is None
