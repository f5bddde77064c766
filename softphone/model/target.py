"""Dial targets: what a user may type, checked before any of it reaches a SIP header."""

from __future__ import annotations

import re
from dataclasses import dataclass

from softphone.model.call import Address
from softphone.model.enums import AddressType


class TargetError(ValueError):
    """A target that cannot be dialled; the message is one line meant for the user."""

    def __init__(self, message: str, why: str = "") -> None:
        super().__init__(message)
        self.why = why or message  # the reason alone, for messages that name a field


@dataclass(frozen=True)
class Target:
    uri: str
    address: Address


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PHONE = re.compile(r"^\+?[0-9*#]{1,32}$")
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
# Visual separators people paste with numbers (RFC 3966); dropped before dialling.
_SEPARATORS = re.compile(r"[-.()]")
# RFC 3261 user part: unreserved, escaped and user-unreserved characters.
_USER = re.compile(r"^(?:[A-Za-z0-9\-_.!~*'()&=+$,;/]|%[0-9A-Fa-f]{2})+$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$"
)
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]+\]$")
_PARAM = re.compile(r"^[A-Za-z0-9\-_.!~*'()%]+(?:=[A-Za-z0-9\-_.!~*'()%\[\]/:&+$]+)?$")


def _fail(text: str, why: str) -> TargetError:
    shown = text if len(text) <= 80 else text[:80] + "…"  # one readable line, always
    return TargetError(f"invalid target {shown!r}: {why}", why)


# A port has at most five digits: longer text is refused before int() (Python refuses to
# convert 4,300+ digits, and a huge port is no port anyway).
def _port_problem(port: str) -> str | None:
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535):
        shown = port if len(port) <= 12 else port[:12] + "…"
        return f"{shown!r} is not a port number (1-65535)"
    return None


def _split_host_port(hostport: str) -> tuple[str, str | None]:
    """``host``, ``host:port``, ``[v6]`` or ``[v6]:port`` as (host, port or None).

    A ``:`` with nothing after it gives an empty port (refused by the caller).
    """
    if hostport.startswith("["):
        host, sep, rest = hostport.partition("]")
        if not sep:
            raise ValueError("unbalanced [ in the host")
        if rest and not rest.startswith(":"):
            raise ValueError(f"unexpected {rest!r} after the address")
        return host + "]", (rest[1:] if rest else None)
    host, sep, port = hostport.partition(":")
    return host, (port if sep else None)


def host_port_problem(text: str) -> str | None:
    """Why ``text`` is not ``host[:port]`` (one phrase), or None when it is."""
    try:
        host, port = _split_host_port(text)
    except ValueError as exc:
        return str(exc)
    if not host:
        return "it has no host"
    if not (_HOSTNAME.match(host) or _IPV6.match(host)):
        shown = host if len(host) <= 40 else host[:40] + "…"
        return f"{shown!r} is not a valid host name or address"
    if port is not None:
        return _port_problem(port)
    return None


def sip_uri_problem(text: str) -> str | None:
    """Why ``text`` is not a usable sip:/sips: URI (one phrase), or None when it is."""
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in ("sip", "sips"):
        return "a SIP URI starts with sip: or sips:"
    try:
        parse_target(text)
    except TargetError as exc:
        return exc.why
    return None


def parse_target(text: str, default_domain: str | None = None) -> Target:
    """Turn a typed target into a SIP URI and the Call's destination address.

    Accepts ``sip:``/``sips:`` URIs, ``tel:`` URIs, ``user@host`` and phone numbers
    (E.164 such as ``+821028286521``, or plain digits); a number or a bare user name
    needs ``default_domain``.
    """
    if text == "":
        raise TargetError("invalid target: it is empty (give a sip: URI or a phone number)")
    for char in text:
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise _fail(text, "it contains a control character such as CR or LF")
        if char.isspace():
            raise _fail(text, "it contains a space")
    for char in '<>"\\`{}|^':
        if char in text:
            raise _fail(text, f"the character {char!r} is not allowed in a SIP URI")
    if not text.isascii():
        raise _fail(text, "it contains non-ASCII characters (percent-encode them)")

    scheme_match = _SCHEME.match(text)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    # "alice@host:5060" or "10.0.0.1:5060" looks like a scheme to the regex; only treat
    # the prefix as a scheme when it is a known one or clearly a word before "//" or no "@".
    if scheme and scheme not in ("sip", "sips", "tel") and (
        "@" in text.split(":", 1)[0] or _looks_like_host_port(text)
    ):
        scheme = ""
    if scheme in ("sip", "sips"):
        return _parse_sip_uri(text, scheme)
    if scheme == "tel":
        number = text[len("tel:") :].split(";", 1)[0]
        return _phone_target(text, number, default_domain)
    if scheme:
        raise _fail(text, f"unknown scheme {scheme!r} (use sip:, sips:, tel: or a phone number)")
    if "@" in text:
        return _parse_sip_uri("sip:" + text, "sip", shown=text)
    compact = _SEPARATORS.sub("", text)
    if _PHONE.match(compact):
        return _phone_target(text, compact, default_domain)
    if _looks_like_host_port(text):
        return _parse_sip_uri("sip:" + text, "sip", shown=text)
    if _USER.match(text):
        if not default_domain:
            raise _fail(text, "a user name needs a domain (give user@domain or a sip: URI)")
        return _parse_sip_uri(f"sip:{text}@{default_domain}", "sip", shown=text)
    raise _fail(text, "not a sip: URI, user@host or phone number")


def _looks_like_host_port(text: str) -> bool:
    host, _, port = text.rpartition(":")
    return (bool(host) and port.isdigit() and len(port) <= 5
            and bool(_HOSTNAME.match(host) or _IPV6.match(host)))


def _phone_target(text: str, number: str, default_domain: str | None) -> Target:
    number = _SEPARATORS.sub("", number)
    if not _PHONE.match(number):
        raise _fail(text, "a phone number may hold only digits, * and #, after an optional +")
    if number.startswith("+") and not _E164.match(number):
        raise _fail(text, "an E.164 number is + then 2 to 15 digits, not starting with 0")
    if not default_domain:
        raise _fail(
            text,
            "a phone number needs a domain to dial through "
            "(pass --domain, set SOFTPHONE_DOMAIN, or dial a sip: URI)",
        )
    domain_check = _parse_sip_uri(f"sip:x@{default_domain}", "sip", shown=default_domain)
    host = domain_check.uri.split("@", 1)[1]
    user = number.replace("#", "%23")
    return Target(
        uri=f"sip:{user}@{host};user=phone" if number.startswith("+") else f"sip:{user}@{host}",
        address=Address(type=AddressType.TEL, target=number),
    )


def _parse_sip_uri(uri: str, scheme: str, shown: str | None = None) -> Target:
    shown = shown or uri
    rest = uri[len(scheme) + 1 :]
    if "?" in rest:
        raise _fail(shown, "URI headers ('?...') are not allowed in a dial target")
    hostport, *params = rest.split(";")
    user = ""
    if "@" in hostport:
        user, hostport = hostport.rsplit("@", 1)
        if ":" in user:
            raise _fail(shown, "a password in the URI is not allowed")
        if not user or not _USER.match(user):
            raise _fail(shown, f"the user part {user!r} has characters a SIP URI does not allow")
    problem = host_port_problem(hostport)
    if problem:
        raise _fail(shown, problem)
    for param in params:
        if not _PARAM.match(param):
            raise _fail(shown, f"the URI parameter {param!r} is malformed")
    canonical = f"{scheme}:{user + '@' if user else ''}{hostport}"
    if params:
        canonical += ";" + ";".join(params)
    return Target(uri=canonical, address=Address(type=AddressType.SIP, target=canonical))
