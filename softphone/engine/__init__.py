"""The only package that imports pjsua2."""

from typing import TYPE_CHECKING

from softphone.lazy import lazy_exports

if TYPE_CHECKING:
    from softphone.engine.config import MAX_CALLS, BindAddress, EngineConfig
    from softphone.engine.engine import CallUpdate, Engine, Listener
    from softphone.engine.errors import CallLimitReached, EngineError, UnknownCall
    from softphone.engine.recorder import find_recording

# Imported on first use (softphone/lazy.py): `--version` loads none of them.
_EXPORTS = {
    "MAX_CALLS": "softphone.engine.config",
    "BindAddress": "softphone.engine.config",
    "EngineConfig": "softphone.engine.config",
    "CallUpdate": "softphone.engine.engine",
    "Engine": "softphone.engine.engine",
    "Listener": "softphone.engine.engine",
    "CallLimitReached": "softphone.engine.errors",
    "EngineError": "softphone.engine.errors",
    "UnknownCall": "softphone.engine.errors",
    "find_recording": "softphone.engine.recorder",
}
__getattr__ = lazy_exports(__name__, _EXPORTS)

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
