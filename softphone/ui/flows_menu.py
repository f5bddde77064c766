"""The window's Flows menu: a saved flow for outgoing calls, one for incoming calls, and the
Test call (microphone and speaker through the echo service, no server needed).

The window reaches flows only through FlowChoices (softphone/window_flows.py implements it):
the UI never imports flows or the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from uuid import UUID

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMainWindow, QMenu

NO_FLOW = "No flow"


class FlowChoices(Protocol):
    outgoing: str | None
    incoming: str | None

    def names(self) -> list[str]: ...

    def choose_outgoing(self, name: str | None) -> None: ...

    def choose_incoming(self, name: str | None) -> None: ...

    def test_call(self) -> UUID: ...


class FlowsMenu:
    """Builds the menu, re-listing the saved flows each time a submenu opens."""

    def __init__(self, window: QMainWindow, flows: FlowChoices,
                 show_message: Callable[[str], None]) -> None:
        self.flows = flows
        self.show_message = show_message
        bar = window.menuBar()
        self.menu = QMenu("F&lows", window)
        help_menu = bar.actions()[-1] if bar.actions() else None
        if help_menu is not None:
            bar.insertMenu(help_menu, self.menu)  # before Help, as menus usually go
        else:
            bar.addMenu(self.menu)
        self.outgoing = self.menu.addMenu("Flow for &outgoing calls")
        self.outgoing.setObjectName("flow_outgoing")
        self.incoming = self.menu.addMenu("Flow for &incoming calls")
        self.incoming.setObjectName("flow_incoming")
        self.outgoing.aboutToShow.connect(lambda: self._fill(self.outgoing, True))
        self.incoming.aboutToShow.connect(lambda: self._fill(self.incoming, False))
        self.menu.addSeparator()
        self.test_action = QAction("&Test call (echo)", window)
        self.test_action.setObjectName("test_call")
        self.test_action.triggered.connect(self.test_call)
        self.menu.addAction(self.test_action)
        window.addAction(self.test_action)
        self._groups: list[QActionGroup] = []

    def _fill(self, menu: QMenu, outgoing: bool) -> None:
        menu.clear()
        group = QActionGroup(menu)
        group.setExclusive(True)
        self._groups = [g for g in self._groups if g.parent() is not menu] + [group]
        chosen = self.flows.outgoing if outgoing else self.flows.incoming
        for name in [None, *self.flows.names()]:
            act = QAction(name or NO_FLOW, menu)
            act.setCheckable(True)
            act.setChecked(name == chosen)
            act.setData(name)
            act.triggered.connect(lambda _on=False, n=name: self.choose(n, outgoing=outgoing))
            group.addAction(act)
            menu.addAction(act)

    def choose(self, name: str | None, *, outgoing: bool) -> None:
        try:
            if outgoing:
                self.flows.choose_outgoing(name)
            else:
                self.flows.choose_incoming(name)
        except ValueError as exc:  # FlowError: one line naming the file and the action
            self.show_message(str(exc))
            return
        which = "outgoing" if outgoing else "incoming"
        self.show_message(f"Flow for {which} calls: {name or 'none'}")

    def test_call(self) -> None:
        try:
            self.flows.test_call()
        except (ValueError, RuntimeError) as exc:
            self.show_message(f"Test call failed: {exc}")
            return
        self.show_message("Test call: speak, and you should hear yourself back")
