"""The call status state machine: the moves VoIPBIN's own call manager allows."""

from softphone.model.enums import CallStatus

S = CallStatus

ALLOWED_MOVES: dict[CallStatus, frozenset[CallStatus]] = {
    S.DIALING: frozenset({S.RINGING, S.PROGRESSING, S.TERMINATING, S.CANCELING, S.HANGUP}),
    S.RINGING: frozenset({S.PROGRESSING, S.TERMINATING, S.CANCELING, S.HANGUP}),
    S.PROGRESSING: frozenset({S.TERMINATING, S.HANGUP}),
    S.TERMINATING: frozenset({S.HANGUP}),
    S.CANCELING: frozenset({S.HANGUP}),
    S.HANGUP: frozenset(),
}


class IllegalTransition(ValueError):
    def __init__(self, current: CallStatus, new: CallStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_MOVES[current])) or "nothing"
        super().__init__(
            f"a call cannot move from {current.value!r} to {new.value!r} "
            f"(from {current.value!r} it may move to: {allowed})"
        )
        self.current = current
        self.new = new


def can_move(current: CallStatus, new: CallStatus) -> bool:
    return new in ALLOWED_MOVES[current]


def check_move(current: CallStatus, new: CallStatus) -> None:
    if not can_move(current, new):
        raise IllegalTransition(current, new)
