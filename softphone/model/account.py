"""Account registration state, as the window and the CLI show it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class RegistrationState(StrEnum):
    LOCAL = "local"  # no registrar: direct calls to SIP URIs only
    REGISTERING = "registering"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    FAILED = "failed"


class AccountState(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    uri: str
    registration: RegistrationState
    sip_code: int | None = None
    reason: str | None = None
    expires_s: int | None = None
    is_default: bool = False

    def describe(self) -> str:
        if self.registration is RegistrationState.FAILED:
            code = f"{self.sip_code} " if self.sip_code else ""
            return f"registration failed: {code}{self.reason or ''}".rstrip()
        if self.registration is RegistrationState.REGISTERED and self.expires_s:
            return f"registered (expires in {self.expires_s} s)"
        return self.registration.value
