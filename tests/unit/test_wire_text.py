"""Wire text at the engine boundary: what old PBXs and hostile peers send, made storable."""

import pytest

from softphone.engine.ending import EndSource, end_cause
from softphone.engine.sipmsg import NAME_LIMIT, header, split_name_addr, status_code
from softphone.engine.wire import wire_message, wire_text
from softphone.model import Call, EndCause
from softphone.model.call import Address


def as_binding_gives(raw: bytes) -> str:
    """pjsua2's SWIG layer hands bytes that are not UTF-8 over as lone surrogates."""
    return raw.decode("utf-8", "surrogateescape")


def test_latin1_name_becomes_replacement_characters_and_serialises():
    name = wire_text(as_binding_gives(b"J\xf6rg M\xfcller"))
    assert name == "J\ufffdrg M\ufffdller"
    # The point of it all: a Call holding it can be saved.
    call = Call(source=Address(name=name))
    assert "J\ufffdrg" in call.model_dump_json()


def test_utf8_survives_and_stray_surrogates_are_replaced():
    assert wire_text(as_binding_gives("Jörg 山田".encode())) == "Jörg 山田"
    assert wire_text("\ud800x") == "\ufffdx"


def test_controls_never_reach_one_line_text_but_messages_keep_lines():
    assert wire_text("a\r\nX-Injected: 1\x00b") == "a X-Injected: 1 b"
    assert wire_message("SIP/2.0 200 OK\r\nServer: x\r\n") == "SIP/2.0 200 OK\r\nServer: x\r\n"


MESSAGE = (
    "INVITE sip:bob@h SIP/2.0\r\n"
    'f: "J\\"o\\"" \r\n <sip:jo@pbx>;tag=1\r\n'
    "User-Agent: Old\r\n\tPBX\r\n"
    "i: abc@h\r\n"
    "\r\n"
    "Server: not-a-header\r\n"
)


def test_headers_compact_folded_and_body_not_read():
    assert header(MESSAGE, "From") == '"J\\"o\\"" <sip:jo@pbx>;tag=1'
    assert header(MESSAGE, "Call-ID") == "abc@h"
    assert header(MESSAGE, "User-Agent") == "Old PBX"
    assert header(MESSAGE, "Server") is None
    assert split_name_addr(header(MESSAGE, "From") or "") == ('J"o"', "sip:jo@pbx")


def test_a_long_display_name_is_cut_visibly_never_an_error_string():
    name, uri = split_name_addr('"' + "A" * 2000 + '" <sip:long@pbx>;tag=9')
    assert uri == "sip:long@pbx"
    assert len(name) == NAME_LIMIT and name.endswith("…") and name.startswith("AAAA")


def test_status_code():
    assert status_code("SIP/2.0 486 Busy Here\r\n") == 486
    assert status_code("BYE sip:a@b SIP/2.0\r\n") is None


@pytest.mark.parametrize(
    ("source", "code", "got_response", "cause"),
    [
        # A final answer with no provisional before it: the far end decided all the same.
        (EndSource.RESPONSE, 486, False, EndCause.REMOTE_FINAL_RESPONSE),
        (EndSource.RESPONSE, 480, False, EndCause.REMOTE_FINAL_RESPONSE),
        (EndSource.TIMER, 408, False, EndCause.NO_RESPONSE),
        (EndSource.TRANSPORT, 503, False, EndCause.TRANSPORT_ERROR),
        (EndSource.OTHER, 503, False, EndCause.TRANSPORT_ERROR),
        (EndSource.OTHER, 486, True, EndCause.REMOTE_FINAL_RESPONSE),
    ],
)
def test_outgoing_end_cause_from_the_event(source, code, got_response, cause):
    assert end_cause(local_cause=None, answered=False, outgoing=True, source=source,
                     code=code, got_response=got_response) is cause


def test_a_long_from_header_is_read_whole_before_it_is_cut():
    message = ('INVITE sip:b@h SIP/2.0\r\nFrom: "' + "B" * 2000 + '" <sip:long@pbx>;tag=1\r\n\r\n')
    value = header(message, "From", limit=None)
    name, uri = split_name_addr(value or "")
    assert uri == "sip:long@pbx" and name.endswith("…")
    assert len(header(message, "From") or "") <= 512
