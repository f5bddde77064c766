"""Package attributes imported on first use (PEP 562), so a command loads only what it needs.

`softphone --version` must not pay for pjsua2, the engine or the pydantic models just
because a package's ``__init__`` re-exports them (issue 16). A hand-written ``__getattr__``
rather than the ``lazy_loader`` library: its typed form needs a ``.pyi`` stub repeating
every export anyway, and mypy reads the ``TYPE_CHECKING`` imports beside each table here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` importing ``exports[name]`` on first use: a module path, or
    ``module:attribute`` for a name exported under another one."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, _, attribute = module.partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        namespace[name] = value  # later lookups are plain attribute reads
        return value

    return __getattr__
