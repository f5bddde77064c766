"""Account registration state, as the window and the CLI show it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from softphone.model.target import host_port_problem, sip_uri_problem

# The engine's own identity for direct calls to SIP URIs, without a registrar.
BUILTIN_ACCOUNT = "Local"


class RegistrationState(StrEnum):
    LOCAL = "local"  # no registrar: direct calls to SIP URIs only
    REGISTERING = "registering"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    FAILED = "failed"
    # Not in the engine at all: its password was kept for the last session only (no system
    # keyring) and must be typed again. The window shows it; the engine never reports it.
    PASSWORD_NEEDED = "password needed"


class AccountState(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    name: str
    uri: str
    registration: RegistrationState
    sip_code: int | None = None
    reason: str | None = None
    expires_s: int | None = None
    is_default: bool = False
    retry_at: float | None = None  # Unix time of the next registration attempt, if one waits

    def describe(self) -> str:
        if self.registration is RegistrationState.FAILED:
            code = f"{self.sip_code} " if self.sip_code else ""
            return f"registration failed: {code}{self.reason or ''}".rstrip()
        if self.registration is RegistrationState.REGISTERED and self.expires_s:
            return f"registered (expires in {self.expires_s} s)"
        if self.registration is RegistrationState.LOCAL:
            return "direct calls, no registrar"
        if self.registration is RegistrationState.PASSWORD_NEEDED:
            return "password needed: not registered"
        return self.registration.value


class Transport(StrEnum):
    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


class SrtpMode(StrEnum):
    OFF = "off"
    OPTIONAL = "optional"
    MANDATORY = "mandatory"


class DtmfMethod(StrEnum):
    RFC2833 = "rfc2833"
    SIP_INFO = "info"
    INBAND = "inband"


def _bad(why: str) -> PydanticCustomError:
    # A custom error keeps pydantic's "Value error, " prefix out of the one line users read.
    return PydanticCustomError("account_field", why)


def _control_character(value: str) -> str | None:
    """The first character that could end a SIP header line or a log line, named."""
    for char in value:
        # Cc: C0 and C1 controls, DEL (CR/LF inject headers); Zl/Zp: line separators;
        # Cs: a lone surrogate (from a \ud800 escape) cannot even be written back as UTF-8.
        if unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs"):
            return f"U+{ord(char):04X}" + {"\r": " (CR)", "\n": " (LF)", "\t": " (TAB)"}.get(
                char, "")
    return None


class AccountSettings(BaseModel):
    """One SIP account as the user configured it. Every text here reaches SIP headers or
    pjsua's configuration, so each field is checked for what that place accepts."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9 ._@+-]+$")
    display_name: str = Field(default="", max_length=128)
    user: str = Field(min_length=1, max_length=256,
                      pattern=r"^[A-Za-z0-9\-_.!~*'()&=+$,;?/%]+$")
    domain: str = Field(min_length=1)
    auth_user: str = Field(default="", max_length=256)  # empty: the same as user
    registrar: str = ""  # empty: sip:<domain>; "none": do not register
    outbound_proxy: str = ""
    transport: Transport = Transport.UDP
    tls_verify_server: bool = True
    tls_ca_file: str = ""
    srtp: SrtpMode = SrtpMode.OFF
    stun_server: str = ""
    ice: bool = False
    reg_expiry_s: int = Field(default=300, ge=30, le=86400)
    dtmf: DtmfMethod = DtmfMethod.RFC2833
    # False: the account needs no password, and the keyring is never asked for one (an
    # account added with --no-password works on a machine without a keyring).
    has_password: bool = True

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        # Runs before the patterns, so a CR or LF gets this message whatever the field.
        if isinstance(value, str):
            found = _control_character(value)
            if found:
                raise _bad(f"contains the character {found}; line breaks and other "
                           "control characters are not allowed")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise _bad("a name is needed (not only spaces)")
        if value != value.strip():
            raise _bad("a name must not start or end with a space")
        if value.strip().lower() == BUILTIN_ACCOUNT.lower():
            raise _bad(f"{BUILTIN_ACCOUNT!r} is the built-in identity; choose another name")
        return value

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        # It is sent as a quoted string: a backslash would escape the closing quote.
        if "\\" in value:
            raise _bad("a display name must not contain a backslash")
        return value

    @field_validator("auth_user")
    @classmethod
    def _auth_user(cls, value: str) -> str:
        # Sent inside username="..." of the digest: a quote or backslash would end it early.
        if any(c in value for c in '"\\'):
            raise _bad("an authentication user must not contain quotes or backslashes")
        if value and not value.strip():
            raise _bad("an authentication user must not be only spaces")
        return value

    @field_validator("domain", "stun_server")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if value:
            problem = host_port_problem(value)
            if problem:
                raise _bad(f"expected host[:port] (port 1-65535): {problem}")
        return value

    @field_validator("registrar", "outbound_proxy")
    @classmethod
    def _sip_uri(cls, value: str, info: ValidationInfo) -> str:
        if not value or (info.field_name == "registrar" and value.lower() == "none"):
            return value
        problem = sip_uri_problem(value)
        if problem:
            allowed = "a sip:/sips: URI, or 'none'" if info.field_name == "registrar" else (
                "a sip:/sips: URI")
            raise _bad(f"expected {allowed}: {problem}")
        return value


def account_uri(settings: AccountSettings) -> str:
    """The address an account calls from (and is called at)."""
    return f"sip:{settings.user}@{settings.domain}"


def stun_servers(accounts: Iterable[AccountSettings | None]) -> tuple[str, ...]:
    """The STUN servers the given accounts name, once each, in order (pjsua needs them
    all when the engine starts)."""
    return tuple(dict.fromkeys(a.stun_server for a in accounts if a and a.stun_server))
