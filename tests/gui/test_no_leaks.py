"""The window keeps nothing per call once the call is over and its card has gone.

Counts objects, never time: after calls both ways (outgoing dialled in the window,
incoming auto-answered by it), every card is deleted (a QObject, not just hidden), no
CallSession is alive, and the window's per-call bookkeeping is empty again.
"""

from __future__ import annotations

import gc
import sys

import pytest

from softphone.engine.session import CallSession
from softphone.model import parse_target
from softphone.store import CallSettings, Settings
from softphone.ui.call_card import CallCard
from tests.gui.conftest import WindowRig
from tests.peers.sipp import run_uac, run_uas

pytestmark = [pytest.mark.gui, pytest.mark.sip]

CALLS = 4


def live_sessions() -> int:
    # Windows of earlier tests are deleted later (deleteLater): let that happen first, or
    # their objects go during this test and its counts move for reasons not its own.
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, CallSession))


def test_cards_and_calls_are_gone_after_the_calls(qtbot, engine, data_dir):
    settings = Settings(calls=CallSettings(auto_answer=True, auto_answer_after_s=0,
                                           ring_timeout_s=3600, max_duration_s=3600))
    ring_timeout = engine.ring_timeout_s
    engine.ring_timeout_s = 3600  # as app.py applies the window's ring timeout
    # A live engine timer due before the calls' own (the network check keeps one).
    blocker = engine.call_later(600, lambda: None)
    rig = WindowRig(qtbot, engine, data_dir, settings)
    window = rig.window
    window.calls.linger_s = 0.2
    try:
        baseline = live_sessions()
        bools = sys.getrefcount(True) + sys.getrefcount(False)
        ended: list[object] = []
        window.signals.changed.connect(
            lambda update: ended.append(update.call.id) if update.call.is_over else None)
        with run_uas("uas_answer_bye", variables={"ring_ms": 0, "hold_ms": 50},
                     extra_args=["-m", str(CALLS)]) as peer:
            target = parse_target(peer.uri())
            for n in range(CALLS):
                window.dial(target.uri)
                rig.wait(lambda n=n: len(ended) > n)
            rig.wait_peer(peer)
        with run_uac("uac_bye", f"127.0.0.1:{engine.local_port}", variables={"hold_ms": 50},
                     extra_args=["-m", str(CALLS), "-l", "1", "-r", "20"]) as peer:
            rig.wait(lambda: len(ended) >= 2 * CALLS)
            rig.wait_peer(peer)
        rig.wait_history(2 * CALLS)
        # Ended cards linger, then go: deleted, not merely out of the panel's dict.
        rig.wait(lambda: not window.calls.cards and not window.findChildren(CallCard), 10)
        assert window._announced_incoming == set()
        assert not window._policy._calls  # the incoming-call policy forgets each ended call
        assert live_sessions() - baseline == 0
        # PySide6 6.12.0 took about ten references from True per call (an abort after a
        # few hundred calls): this guards the pinned version; noise is a few either way.
        assert sys.getrefcount(True) + sys.getrefcount(False) > bools - 4 * CALLS
    finally:
        rig.close()
        engine.ring_timeout_s = ring_timeout
        blocker.cancel()


def test_signals_emitted_from_python_leave_true_alone(qtbot):
    """Each ``SignalInstance.emit()`` of PySide6 6.12.0 took a reference from True; on
    Python 3.11 the process aborts once True's count reaches zero (bool_dealloc). The
    pinned PySide6 must not: this fails on 6.12.0."""
    from softphone.ui.bridge import CallSignals

    signals = CallSignals()
    got: list[object] = []
    signals.changed.connect(got.append)
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for n in range(500):
        signals.deliver(n)  # type: ignore[arg-type]
    assert len(got) == 500
    assert sys.getrefcount(True) + sys.getrefcount(False) > before - 50
