"""The only package that imports pjsua2."""

from softphone.engine.config import MAX_CALLS, BindAddress, EngineConfig
from softphone.engine.engine import CallUpdate, Engine, Listener
from softphone.engine.errors import CallLimitReached, EngineError, UnknownCall
from softphone.engine.recorder import find_recording

__all__ = [
    "MAX_CALLS",
    "BindAddress",
    "CallLimitReached",
    "CallUpdate",
    "Engine",
    "EngineConfig",
    "EngineError",
    "Listener",
    "UnknownCall",
    "find_recording",
]
