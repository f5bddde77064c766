"""The GUI thread's poll of the engine: a timer paced by poll_pace, and the SIP socket.

A QSocketNotifier on the socket pjsip reads SIP from wakes the window the moment a message
arrives, so an idle window may poll once a second (issue 16) and still see an INVITE at
once. Any SIP message we send (a call dialled, an answer, a REGISTER) brings the pace back
to fast at once, rather than after the sleeping timer's second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

from softphone.ui import poll_pace
from softphone.ui.poll_pace import FAST_MS, IDLE_MS, PolledEngine, next_interval_ms


class PollableEngine(PolledEngine, Protocol):
    @property
    def sip_on_udp_only(self) -> bool: ...

    def poll(self, max_wait_ms: int = 0) -> int: ...

    def wake_fds(self) -> list[int]: ...

    def add_trace_listener(self, listener: Callable[[object], None]) -> None: ...

    def remove_trace_listener(self, listener: Callable[[object], None]) -> None: ...


class EnginePoller(QObject):
    def __init__(self, engine: PollableEngine, after_poll: Callable[[], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._after_poll = after_poll
        self._notifiers: list[QSocketNotifier] = []
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.poll)
        engine.add_trace_listener(self._on_sip)
        self._listening = True
        self._looked = False  # for the SIP socket, which only matters once we may sleep

    @property
    def interval_ms(self) -> int:
        return self._timer.interval()

    @property
    def watching(self) -> bool:
        """Whether the SIP socket wakes us (then idle polls are ASLEEP_MS apart)."""
        return bool(self._notifiers) and self._engine.sip_on_udp_only

    def start(self) -> None:
        self._timer.start(FAST_MS)

    def _watch_sockets(self) -> None:
        # Late, not at start: finding the socket loads psutil, and the window's first paint
        # need not wait for it (issue 16).
        self._looked = True
        for fd in self._engine.wake_fds():
            notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            notifier.activated.connect(self._on_readable)
            self._notifiers.append(notifier)

    def stop(self) -> None:
        """Poll no more (the window is quitting; shutdown polls on its own)."""
        self._timer.stop()
        for notifier in self._notifiers:
            notifier.setEnabled(False)
            notifier.deleteLater()
        self._notifiers.clear()
        if self._listening:
            self._listening = False
            self._engine.remove_trace_listener(self._on_sip)

    def poll(self) -> None:
        self._engine.poll(0)
        for notifier in self._notifiers:
            notifier.setEnabled(True)
        self._after_poll()
        if not self._looked and next_interval_ms(self._engine, True) == poll_pace.ASLEEP_MS:
            self._watch_sockets()  # quiet long enough to sleep, if the socket can wake us
        self._timer.setInterval(next_interval_ms(self._engine, self.watching))

    def _on_readable(self) -> None:
        if self._engine.poll(0) == 0:
            # Readable, yet pjsip took nothing: it is not reading this socket now. Wait for
            # the timer rather than be woken again and again for nothing.
            for notifier in self._notifiers:
                notifier.setEnabled(False)
        self._after_poll()
        self._timer.start(next_interval_ms(self._engine, self.watching))

    def _on_sip(self, _message: object) -> None:
        if self._timer.isActive() and self._timer.interval() > IDLE_MS:
            self._timer.start(FAST_MS)  # something began while we slept: pace it now
