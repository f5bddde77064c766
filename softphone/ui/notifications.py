"""Desktop notifications with actions (Answer, Decline) through the freedesktop.org
Notifications D-Bus service, where the desktop has one that supports actions.

jeepney (pure Python D-Bus, already here as the keyring's Secret Service transport) speaks
to the session bus; Qt's own tray balloons have no buttons. Signals from the service
(ActionInvoked) arrive on a thread of their own and reach Qt as a queued signal.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

_log = logging.getLogger(__name__)
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
TIMEOUT_S = 2.0


class DesktopNotifier(QObject):
    """Sends notifications; ``action_invoked(id, key)`` when the user clicks one of its
    buttons ("default": the notification itself)."""

    action_invoked = Signal(int, str)
    closed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._supports_actions = False
        self._opened = False
        self._conn: Any = None
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()

    def open(self) -> None:
        """Connect to the session bus, once. Not in __init__: jeepney and a round trip to
        the service (up to TIMEOUT_S when it is slow to start) must not hold back the
        window's first paint, so app.py opens it just after; else the first use does."""
        if self._opened:
            return
        self._opened = True
        try:
            self._open()
        except Exception as exc:  # no session bus, no service: the tray balloon serves
            _log.info("no desktop notifications with actions: %s", exc)
            self.close()

    @property
    def supports_actions(self) -> bool:
        self.open()
        return self._supports_actions

    def _open(self) -> None:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        self._address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
        self._conn = open_dbus_connection(bus="SESSION")
        reply = self._conn.send_and_get_reply(
            new_method_call(self._address, "GetCapabilities"), timeout=TIMEOUT_S)
        if reply.header.message_type is MessageType.error:
            raise RuntimeError(f"{SERVICE}: {reply.body[0] if reply.body else 'error'}")
        capabilities = reply.body[0] if reply.body else []
        self._supports_actions = "actions" in capabilities
        if self._supports_actions:
            self._listener = threading.Thread(target=self._listen, name="notifications",
                                              daemon=True)
            self._listener.start()

    def _listen(self) -> None:
        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection

        rule = MatchRule(type="signal", interface=SERVICE, path=PATH)
        try:
            conn = open_dbus_connection(bus="SESSION")
        except Exception as exc:
            _log.warning("notifications: cannot listen for actions: %s", exc)
            return
        with conn:
            conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=TIMEOUT_S)
            with conn.filter(rule, bufsize=64) as queue:
                while not self._stop.is_set():
                    try:
                        message = conn.recv_until_filtered(queue, timeout=0.3)
                    except TimeoutError:
                        continue
                    except Exception as exc:  # the bus went away
                        _log.info("notifications: %s", exc)
                        return
                    self._signal(message)

    def _signal(self, message: Any) -> None:
        from jeepney import HeaderFields

        member = message.header.fields.get(HeaderFields.member)
        if member == "ActionInvoked":
            notification, key = message.body
            self.action_invoked.emit(int(notification), str(key))
        elif member == "NotificationClosed":
            self.closed.emit(int(message.body[0]))

    def notify(self, summary: str, body: str, actions: list[tuple[str, str]],
               timeout_ms: int = -1, replaces: int = 0) -> int | None:
        """Show one; its id, or None when it could not be shown."""
        self.open()
        if self._conn is None:
            return None
        from jeepney import new_method_call

        flat = [part for key, label in actions for part in (key, label)]
        hints: dict[str, tuple[str, Any]] = {"urgency": ("y", 2 if actions else 1),
                                             "category": ("s", "im.received")}
        try:
            reply = self._conn.send_and_get_reply(new_method_call(
                self._address, "Notify", "susssasa{sv}i",
                ("softphone", replaces, "call-start", summary, body, flat, hints, timeout_ms),
            ), timeout=TIMEOUT_S)
            return int(reply.body[0])
        except Exception as exc:
            _log.warning("notification not shown: %s", exc)
            return None

    def withdraw(self, notification: int) -> None:
        if self._conn is None:
            return
        from jeepney import new_method_call

        with contextlib.suppress(Exception):
            self._conn.send_and_get_reply(new_method_call(
                self._address, "CloseNotification", "u", (notification,)), timeout=TIMEOUT_S)

    def close(self) -> None:
        self._opened = True  # closed for good: never reopened by a later use
        self._stop.set()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None
        self._supports_actions = False
