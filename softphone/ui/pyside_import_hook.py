"""A cheaper check behind PySide6's import hook, which taxes every later import.

Once QtCore is loaded, PySide6 wraps `__import__` for its opt-in `from __feature__ import`
syntax. After every import it asks whether the new module mentions "PySide6", through
`inspect.getsource`, and `inspect.getmodule` walks `sys.modules` on each call. That made
the window's start cost n² in the modules it imports after Qt: ~290 ms of a 600 ms first
paint (cProfile; napari/napari#8584 found the same). softphone never uses `__feature__`.

The replacement gives the same answer (does the module's source file contain "PySide6"?)
from one read of the file's bytes. If PySide6 stops having that hook, nothing is
patched.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from types import ModuleType

_log = logging.getLogger(__name__)
_HOOK_MODULE = "shibokensupport.feature"
_CHECK = "_mod_uses_pyside"


def _source_mentions_pyside(module: ModuleType) -> bool:
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None) or getattr(module, "__file__", None)
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return False  # built-in, extension or frozen: no source, as PySide's own check says
    try:
        with open(origin, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def lighten_pyside_import_hook() -> bool:
    """Load QtCore and swap PySide6's per-import source scan for a cheap one; True if swapped."""
    importlib.import_module("PySide6.QtCore")
    import sys

    hook = sys.modules.get(_HOOK_MODULE)
    original: Callable[[ModuleType], bool] | None = getattr(hook, _CHECK, None)
    if hook is None or not callable(original):
        _log.debug("PySide6 has no %s.%s: nothing to lighten", _HOOK_MODULE, _CHECK)
        return False
    setattr(hook, _CHECK, _source_mentions_pyside)
    return True
