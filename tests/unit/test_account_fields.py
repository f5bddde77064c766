"""Every account field is checked where it is defined: what reaches SIP headers or pjsua's
configuration must be what that place accepts, and a refusal names the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from softphone.model.account import AccountSettings
from softphone.model.validation import first_error

GOOD = {"name": "work", "user": "alice", "domain": "pbx.example.com"}


def refusal(**fields: object) -> str:
    with pytest.raises(ValidationError) as info:
        AccountSettings.model_validate({**GOOD, **fields})
    return first_error(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("auth_user", "u\r\nX-Injected: 1"),
        ("display_name", "Alice\r\nX-Injected: 1"),
        ("user", "alice\nX: 1"),
        ("domain", "example.com\r\n"),
        ("registrar", "sip:example.com\r\nX: 1"),
        ("outbound_proxy", "sip:proxy.example.com\n"),
        ("tls_ca_file", "/etc/ca.pem\x00"),
        ("stun_server", "stun.example.com\x1b"),
        ("name", "work\x85"),  # C1 NEL
        ("display_name", "Alice\u2028Bob"),  # LINE SEPARATOR
    ],
)
def test_control_characters_are_refused_in_every_field(field, value):
    message = refusal(**{field: value})
    assert message.startswith(f"{field}: contains the character U+")
    assert "\n" not in message and "\r" not in message


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("domain", ":99999", "no host"),
        ("domain", "$(id)", "not a valid host"),
        ("domain", "example.com:0", "not a port"),
        ("domain", "example.com:65536", "not a port"),
        ("domain", "example.com:", "not a port"),
        ("domain", "example.com:" + "9" * 5000, "not a port"),
        ("domain", "[::1", "unbalanced"),
        ("domain", "a" * 300, "not a valid host"),
        ("stun_server", "stun.example.com:99999", "not a port"),
        ("registrar", "javascript:x", "sip: or sips:"),
        ("registrar", "sip:", "no host"),
        ("registrar", "sip:example.com:70000", "not a port"),
        ("outbound_proxy", "proxy.example.com", "sip: or sips:"),
        ("outbound_proxy", "none", "sip: or sips:"),
        ("outbound_proxy", "sip:proxy.example.com?X-Evil=1", "URI headers"),
        ("name", " ", "not only spaces"),
        ("name", "   ", "not only spaces"),
        ("name", " work", "start or end with a space"),
        ("auth_user", 'a", response="x', "quotes"),
        ("auth_user", "  ", "only spaces"),
        ("display_name", "Alice\\", "backslash"),
    ],
)
def test_malformed_values_are_refused_naming_the_field(field, value, why):
    message = refusal(**{field: value})
    assert message.startswith(f"{field}: ")
    assert why in message
    assert len(message) < 200  # one readable line, even for a 5,000-digit port


@pytest.mark.parametrize(
    "fields",
    [
        {"domain": "127.0.0.1:5060"},
        {"domain": "[::1]:5070"},
        {"domain": "pbx.example.com."},
        {"registrar": "none"},
        {"registrar": "sips:pbx.example.com:5061;transport=tls"},
        {"outbound_proxy": "sip:proxy.example.com;lr"},
        {"stun_server": "stun.l.google.com:19302"},
        {"auth_user": "alice@example.com", "display_name": "Jörg Müller"},
        {"name": "Work account"},
    ],
)
def test_usual_values_are_accepted(fields):
    AccountSettings.model_validate({**GOOD, **fields})
