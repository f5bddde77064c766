"""The value spellings of the VoIPBIN Call, exactly as the seed writes them."""

from enum import StrEnum


class CallType(StrEnum):
    # A plain softphone call runs no VoIPBIN flow: VoIPBIN's own "no type" is the empty string.
    NONE = ""
    FLOW = "flow"
    CONFERENCE = "conference"
    SIP_SERVICE = "sip-service"


class CallStatus(StrEnum):
    DIALING = "dialing"
    RINGING = "ringing"
    PROGRESSING = "progressing"
    TERMINATING = "terminating"
    CANCELING = "canceling"
    HANGUP = "hangup"


class CallDirection(StrEnum):
    # VoIPBIN leaves the direction empty until it is known.
    NONE = ""
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class HangupBy(StrEnum):
    NONE = ""
    REMOTE = "remote"
    LOCAL = "local"


class HangupReason(StrEnum):
    NONE = ""
    NORMAL = "normal"
    FAILED = "failed"
    BUSY = "busy"
    CANCEL = "cancel"
    TIMEOUT = "timeout"
    NOANSWER = "noanswer"
    DIALOUT = "dialout"
    AMD = "amd"


class AddressType(StrEnum):
    NONE = ""
    AGENT = "agent"
    CONFERENCE = "conference"
    EMAIL = "email"
    EXTENSION = "extension"
    LINE = "line"
    SIP = "sip"
    TEL = "tel"


# The seed's own descriptions: the UI shows them as tooltips, the CLI as explanations.
HANGUP_REASON_DESCRIPTIONS: dict[HangupReason, str] = {
    HangupReason.NORMAL: "The call has ended after answer.",
    HangupReason.FAILED: "The call attempt (signal) did not reach the phone network.",
    HangupReason.BUSY: "The destination is on the line with another caller.",
    HangupReason.CANCEL: "Call was cancelled by the originator before it was answered.",
    HangupReason.TIMEOUT: "Call reached max call duration after it was answered.",
    HangupReason.NOANSWER: "Destination didn't answer until destination's timeout.",
    HangupReason.DIALOUT: "The call reached dialing timeout before it was answered.",
    HangupReason.AMD: "Hangup caused by the action type amd.",
}

STATUS_DESCRIPTIONS: dict[CallStatus, str] = {
    CallStatus.DIALING: "The call is created. We are dialing to the destination.",
    CallStatus.RINGING: "The destination has confirmed that the call is ringing.",
    CallStatus.PROGRESSING: "The call has answered. Both endpoints are talking to each other.",
    CallStatus.TERMINATING: "The call is terminating.",
    CallStatus.CANCELING: "The call originator is canceling the call.",
    CallStatus.HANGUP: "The call has been completed.",
}

HANGUP_BY_DESCRIPTIONS: dict[HangupBy, str] = {
    HangupBy.REMOTE: "The remote end hung up the call first.",
    HangupBy.LOCAL: "The local end hung up the call first.",
}
