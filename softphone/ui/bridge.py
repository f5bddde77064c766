"""Engine updates as a Qt signal, so widgets observe calls the Qt way."""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

from softphone.ui.facade import Update


class _Probe(QObject):
    fired = Signal()


def _emit_drops_a_bool() -> bool:
    """PySide6 6.12's ``SignalInstance.emit()`` returns True without the reference it
    hands over: every emit from Python takes one reference from True, and on Python 3.11
    (where True is not immortal) the process aborts ("bool_dealloc") after a few thousand
    emits, a few hundred calls in the window. Measured here, not assumed from a version."""
    probe = _Probe()
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(16):
        probe.fired.emit()
    return before - (sys.getrefcount(True) + sys.getrefcount(False)) >= 16


_EMIT_DROPS_A_BOOL = _emit_drops_a_bool()


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, giving back the reference PySide6 6.12 takes from a bool."""
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]  # True, in fact
    if _EMIT_DROPS_A_BOOL and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


class CallSignals(QObject):
    changed = Signal(object)  # an engine Update: a Call snapshot and its diagnostics

    def deliver(self, update: Update) -> None:
        # The engine is polled on the GUI thread (DESIGN.md), so this emits directly.
        emit(self.changed, update)
