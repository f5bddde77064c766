"""Errors the engine raises: each message is one line fit to show a user."""


class EngineError(Exception):
    pass


class CallLimitReached(EngineError):
    pass


class UnknownCall(EngineError):
    pass
