import pytest

from softphone.model import AddressType, TargetError, parse_target


@pytest.mark.parametrize(
    ("text", "domain", "uri", "kind", "target"),
    [
        ("sip:alice@127.0.0.1:5062", None, "sip:alice@127.0.0.1:5062", AddressType.SIP, "sip:alice@127.0.0.1:5062"),
        ("sips:bob@example.com", None, "sips:bob@example.com", AddressType.SIP, "sips:bob@example.com"),
        ("SIP:bob@example.com", None, "sip:bob@example.com", AddressType.SIP, "sip:bob@example.com"),
        ("sip:bob@example.com;transport=tcp", None, "sip:bob@example.com;transport=tcp", AddressType.SIP,
         "sip:bob@example.com;transport=tcp"),
        ("sip:[::1]:5070", None, "sip:[::1]:5070", AddressType.SIP, "sip:[::1]:5070"),
        ("alice@example.com", None, "sip:alice@example.com", AddressType.SIP, "sip:alice@example.com"),
        ("+821028286521", "pbx.example.com", "sip:+821028286521@pbx.example.com;user=phone",
         AddressType.TEL, "+821028286521"),
        ("1002", "pbx.example.com", "sip:1002@pbx.example.com", AddressType.TEL, "1002"),
        ("+82-10-2828-6521", "pbx.example.com", "sip:+821028286521@pbx.example.com;user=phone",
         AddressType.TEL, "+821028286521"),
        ("tel:+821028286521", "pbx.example.com", "sip:+821028286521@pbx.example.com;user=phone",
         AddressType.TEL, "+821028286521"),
        ("*97#", "pbx.example.com", "sip:*97%23@pbx.example.com", AddressType.TEL, "*97#"),
    ],
)
def test_good_targets(text, domain, uri, kind, target):
    parsed = parse_target(text, domain)
    assert parsed.uri == uri
    assert parsed.address.type is kind
    assert parsed.address.target == target


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("sip:a@b.com\r\nX-Evil: 1", "control character"),
        ("sip:a@b.com\nVia: x", "control character"),
        ("sip:a@b.com\x00", "control character"),
        ("sip:alice smith@b.com", "space"),
        (" sip:alice@b.com", "space"),
        ("sip:a@b.com>;evil", "not allowed"),
        ('sip:"a"@b.com', "not allowed"),
        ("http://example.com", "unknown scheme"),
        ("mailto:a@b.com", "unknown scheme"),
        ("sip:a@b.com?Subject=hi", "URI headers"),
        ("sip:a:secret@b.com", "password"),
        ("sip:a@", "no host"),
        ("sip:a@bad_host!", "not a valid host"),
        ("sip:a@b.com:99999", "port"),
        ("+0123", "E.164"),
        ("+821028286521", "needs a domain"),
        ("12345", "needs a domain"),
        ("sip:ü@b.com", "non-ASCII"),
        ("sip:a@[::1", "unbalanced"),
        ("sip:a@[::1]x", "after the address"),
        ("sip:a@127.0.0.1:", "not a port"),
        ("sip:a@127.0.0.1:0", "not a port"),
        ("sip:a@127.0.0.1:" + "9" * 5000, "not a port"),
        ("a@127.0.0.1:" + "9" * 5000, "not a port"),
    ],
)
def test_bad_targets(text, why):
    domain = None
    with pytest.raises(TargetError, match=why) as info:
        parse_target(text, domain)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message


def test_phone_numbers_need_a_domain():
    with pytest.raises(TargetError, match="--domain"):
        parse_target("+821028286521")
