"""A freedesktop.org notification service on a private session bus, for tests.

It stands where the desktop's daemon (GNOME Shell, KDE, dunst) stands: it keeps what it is
asked to show and can press a notification's buttons, sending ActionInvoked as they do.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass, field

from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


@dataclass
class Shown:
    id: int
    summary: str
    body: str
    actions: dict[str, str]
    closed: bool = False


@dataclass
class NotificationServer:
    address: str
    daemon: subprocess.Popen[bytes]
    shown: list[Shown] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # every method called, in order

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._conn = open_dbus_connection(bus=self.address)
        self._conn.send_and_get_reply(message_bus.RequestName(SERVICE), timeout=5)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                msg = self._conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type is not MessageType.method_call:
                continue
            member = msg.header.fields.get(HeaderFields.member)
            self.methods.append(str(member))
            if member == "GetCapabilities":
                self._conn.send(new_method_return(msg, "as", (["actions", "body"],)))
            elif member == "Notify":
                _app, _replaces, _icon, summary, body, actions, _hints, _t = msg.body
                shown = Shown(next(self._ids), summary, body,
                              dict(zip(actions[::2], actions[1::2], strict=True)))
                self.shown.append(shown)
                self._conn.send(new_method_return(msg, "u", (shown.id,)))
            elif member == "CloseNotification":
                for shown in self.shown:
                    if shown.id == msg.body[0]:
                        shown.closed = True
                self._conn.send(new_method_return(msg))

    def press(self, shown: Shown, key: str) -> None:
        """The user clicks one of the notification's buttons."""
        where = DBusAddress(PATH, interface=SERVICE)
        self._conn.send(new_signal(where, "ActionInvoked", "us", (shown.id, key)))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._conn.close()
        self.daemon.terminate()
        self.daemon.wait(5)


def start_notification_server() -> NotificationServer:
    """A dbus-daemon of our own (never the tester's session bus) and the service on it."""
    daemon_path = shutil.which("dbus-daemon")
    if daemon_path is None:
        raise RuntimeError("dbus-daemon is not installed (Debian package dbus)")
    read, write = os.pipe()
    daemon = subprocess.Popen([daemon_path, "--session", "--nofork", "--nopidfile",
                               f"--print-address={write}"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        address = pipe.readline().strip()
    return NotificationServer(address, daemon)
