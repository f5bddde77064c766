"""The main window: dial, see every live call as a card, answer or decline, browse history.

Layout: the dialer (account, target, dial pad, and the audio slot) on the left, the
active calls panel on the right, the history pane below. Engine updates arrive on the
GUI thread (the engine is polled from a QTimer), as a Qt signal.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import weakref
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from softphone.model import Call, CallDirection, CallStatus
from softphone.model.account import BUILTIN_ACCOUNT, AccountState, RegistrationState
from softphone.model.diagnostics import CallDiagnostics
from softphone.model.explain import plain_outcome
from softphone.model.policy import is_missed
from softphone.model.siptrace import SipMessage
from softphone.store import (
    CallSettings,
    DesktopSettings,
    HistoryEntry,
    NetworkSettings,
    Settings,
    SettingsStore,
    StoreError,
)
from softphone.ui.about_dialog import AboutDialog, AboutInfo
from softphone.ui.account_selector import AccountSelector
from softphone.ui.accounts_dialog import AccountsBackend, AccountsDialog
from softphone.ui.autostart import set_autostart
from softphone.ui.bridge import CallSignals
from softphone.ui.call_card import CallCard
from softphone.ui.call_controller import CallController
from softphone.ui.call_details import CallDetailsDialog
from softphone.ui.calls_panel import ActiveCallsPanel
from softphone.ui.desktop_dialog import DesktopDialog
from softphone.ui.dial_pad import DialPad
from softphone.ui.facade import CallControl, HistoryView, NumberTester, Update
from softphone.ui.history_pane import HistoryPane
from softphone.ui.icons import dnd_pixmap, phone_icon
from softphone.ui.incoming_policy import window_policy
from softphone.ui.incoming_popup import IncomingPopup
from softphone.ui.notifications import DesktopNotifier
from softphone.ui.own_address import OwnAddress
from softphone.ui.password_prompts import PasswordPrompts
from softphone.ui.recordings import recording_files
from softphone.ui.settings_dialog import CallSettingsDialog
from softphone.ui.sip_log import SipLogFeed, SipLogWindow
from softphone.ui.target_field import TargetField
from softphone.ui.text import party
from softphone.ui.theme import ACCENT_GREEN, ACCENT_RED
from softphone.ui.tray import Tray

_log = logging.getLogger(__name__)
STATUS_MESSAGE_MS = 10_000
CALLING_PREFIX = "Calling "  # the controller's line while a call is placed

# One clear primary action: Call is the filled green button; the focus ring is drawn by
# the style sheet, since a style sheet background hides the native one.
_CALL_STYLE = (
    f"QPushButton {{ padding: 7px 14px; border-radius: 6px; font-weight: 600; }}"
    f"QPushButton:enabled {{ background: {ACCENT_GREEN}; color: white; }}"
    "QPushButton:focus { border: 3px solid palette(highlight); padding: 4px 11px; }"
)
_HANGUP_STYLE = (
    "QPushButton { padding: 7px 14px; border-radius: 6px; font-weight: 600; }"
    f"QPushButton:enabled {{ background: {ACCENT_RED}; color: white; }}"
    "QPushButton:focus { border: 3px solid palette(highlight); padding: 4px 11px; }"
)


def local_socket(uri: str) -> str:
    """``sip:softphone@192.0.2.2:5061`` -> ``192.0.2.2:5061 (UDP)``: where we listen."""
    rest = uri.split(":", 1)[-1]
    return f"{rest.rsplit('@', 1)[-1]} (UDP)" if rest else ""


def ask_quit(parent: QWidget, live: int) -> bool:
    """Quitting with calls up ends them: ask first (the default is to stay)."""
    answer = QMessageBox.question(
        parent,
        "Quit softphone?",
        f"{live} call{'s are' if live != 1 else ' is'} still going on. Quitting ends "
        f"{'them' if live != 1 else 'it'}.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class _EngineRelay(QObject):
    """Engine-side news as Qt signals; the engine holds this weakly, never the window."""

    account_changed = Signal(AccountState)
    missed_changed = Signal(int)  # calls missed since the user last looked


class MainWindow(QMainWindow):
    settings_changed = Signal(CallSettings)  # the window's call settings, as just saved
    # The window closed for good (quit): the app ends on this, not on Qt's lastWindowClosed,
    # which a window hidden in the tray (or with the pop-up still up) never sends.
    closed = Signal()

    def __init__(
        self,
        engine: CallControl,
        history: HistoryView,
        recordings_dir: Path,
        settings: Settings | None = None,
        settings_path: Path | None = None,
        default_domain: str | None = None,
        store: SettingsStore | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("softphone")
        self.setAccessibleName("softphone")
        self._engine = engine
        # One owner of settings.json (app.py passes it); the window follows its changes.
        if store is None:
            store = SettingsStore(settings_path, settings)
        self.settings_store = store
        self._unsubscribe_settings = store.subscribe(self._settings_stored)
        self._announced_incoming: set[UUID] = set()
        self._dialogs: list[CallDetailsDialog] = []
        self._default_domain = default_domain or self.settings.default_domain or None
        self._accounts_backend: AccountsBackend | None = None
        self.number_tester: NumberTester | None = None  # app.py sets the real one
        self.accounts_dialog: AccountsDialog | None = None
        self.about_info = AboutInfo(data_dir=settings_path.parent if settings_path else None)
        # Asked before quitting with live calls; tests put their answer here.
        self.confirm_quit: Callable[[int], bool] = lambda live: ask_quit(self, live)
        # Asked for a session-only password at start (None: not now); tests answer here.
        self.ask_password: Callable[[str], str | None] = self._ask_password
        self._quitting = False
        self._unasked = False  # quit_unasked(): end the calls up without asking
        self._held_messages: list[str] | None = None  # held_messages() is collecting
        self._detached = False
        self._told_tray = False

        self._init_widgets(history, recordings_dir)
        self._init_layout()
        self.controller = CallController(engine, self.calls, self)
        self._build_menus()
        self._init_engine()
        self._connect_signals()
        self._init_view()

    # -- construction ----------------------------------------------------------------------

    def _init_widgets(self, history: HistoryView, recordings_dir: Path) -> None:
        self.account = AccountSelector()
        self.account.default_name = self.settings.default_account
        self.target_field = TargetField(self._default_domain)
        self.own_address = OwnAddress()
        self.call_button = QPushButton("Call")
        self.call_button.setAccessibleName("Call")
        self.call_button.setToolTip("Call the target (Enter)")
        self.call_button.setDefault(True)
        self.call_button.setIcon(phone_icon("white", 32))
        self.call_button.setIconSize(QSize(18, 18))
        self.call_button.setStyleSheet(_CALL_STYLE)
        self.hangup_button = QPushButton("Hang up")
        self.hangup_button.setAccessibleName("Hang up")
        self.hangup_button.setToolTip("Hang up the call you placed or answered (Esc)")
        self.hangup_button.setIcon(phone_icon("white", 32, hang_up=True))
        self.hangup_button.setIconSize(QSize(18, 18))
        self.hangup_button.setStyleSheet(_HANGUP_STYLE)
        self.dial_pad = DialPad()
        self.dial_pad_toggle = QToolButton()
        self.dial_pad_toggle.setCheckable(True)
        self.dial_pad_toggle.setAccessibleName("Show dial pad")
        self.dial_pad_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.dial_pad_toggle.setAutoRaise(True)
        self.calls = ActiveCallsPanel(recordings_dir, self.settings.calls.ring_timeout_s)
        self.history_pane = HistoryPane(history, recordings_dir)
        self.mode_icon = QLabel()
        self.mode_icon.setAccessibleName("Do not disturb icon")
        self.mode_label = QLabel()
        self.mode_label.setAccessibleName("Incoming call mode")
        self.tray = Tray(self)
        self.popup = IncomingPopup(self)
        self.notifier = DesktopNotifier(self)
        # Session-only passwords to type again; asked when the window is shown.
        self.passwords = PasswordPrompts(self, lambda name: self.ask_password(name))
        self._notes: dict[int, UUID | None] = {}  # notification id -> its call (None: missed)

    def _init_layout(self) -> None:
        # The target gets the whole width: a full sip: URI must be readable as it is typed.
        dial_row = QVBoxLayout()
        dial_row.addWidget(self.target_field)
        buttons = QHBoxLayout()
        buttons.addWidget(self.call_button, 1)
        buttons.addWidget(self.hangup_button, 1)
        dial_row.addLayout(buttons)
        dialer = QWidget()
        dialer.setMinimumWidth(300)
        dialer.setMaximumWidth(380)
        left = QVBoxLayout(dialer)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(8)
        left.addWidget(self.account)
        left.addWidget(self.own_address)
        left.addLayout(dial_row)
        left.addWidget(self.dial_pad_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.dial_pad, 1)
        self._pad_spacer = QWidget()  # takes the pad's room when it is folded away
        left.addWidget(self._pad_spacer, 1)
        # The audio engineer's panel goes here: add_side_panel() inserts into this layout.
        self.audio_slot = QVBoxLayout()
        left.addLayout(self.audio_slot)
        top = QWidget()
        top_row = QHBoxLayout(top)
        top_row.setContentsMargins(10, 10, 10, 0)
        top_row.setSpacing(12)
        top_row.addWidget(dialer)
        top_row.addWidget(self.calls, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.history_pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([470, 430])  # room for two call cards; a saved layout wins
        self.setCentralWidget(self.splitter)
        self.statusBar().addPermanentWidget(self.mode_icon)
        self.statusBar().addPermanentWidget(self.mode_label)

    def _init_engine(self) -> None:
        """Listen to calls and accounts, and have the engine apply our incoming-call policy.

        Listeners hold the window weakly: the engine may outlive it (tests, a reopened window).
        """
        engine = self._engine
        self.signals = CallSignals()
        self._listener = self.signals.deliver
        engine.add_listener(self._listener)
        self._relay = _EngineRelay()
        relay = weakref.ref(self._relay)

        def account_changed(state: AccountState) -> None:
            target = relay()
            if target is not None:
                target.account_changed.emit(state)

        def missed_changed(count: int) -> None:
            target = relay()
            if target is not None:
                target.missed_changed.emit(count)

        engine.add_account_listener(account_changed)
        # Every SIP message, for the SIP log window (a queue append: no widget work here).
        self.sip_feed = SipLogFeed()
        feed = weakref.ref(self.sip_feed)

        def traced(message: SipMessage) -> None:
            target = feed()
            if target is not None:
                target.add(message)

        self._traced = traced
        engine.add_trace_listener(traced)
        self.sip_log: SipLogWindow | None = None
        self._policy = engine.attach_policy(window_policy(self.settings.calls))
        self._policy.missed.add_listener(missed_changed)
        # A window dropped without detach() must not go on answering calls for nobody.
        self.destroyed.connect(self._policy.close)

    def _connect_signals(self) -> None:
        self.tray.show_requested.connect(self._raise)
        self.tray.quit_requested.connect(self.quit)
        self.tray.messageClicked.connect(self._raise)
        self.popup.answer_requested.connect(self._answer_from_popup)
        self.popup.decline_requested.connect(self.controller.decline)
        self.popup.show_requested.connect(self._raise)
        self.notifier.action_invoked.connect(self._notification_action)
        self.notifier.closed.connect(lambda nid: self._notes.pop(nid, None))
        self.own_address.copied.connect(lambda uri: self.show_message(f"Copied {uri}"))
        self.dial_pad_toggle.toggled.connect(self.show_dial_pad)
        self.tray.dnd_action.toggled.connect(self.set_do_not_disturb)
        self.tray.password_requested.connect(self._enter_password)
        self.passwords.changed.connect(self._passwords_changed)
        self.passwords.notify.connect(
            lambda title, text: self._notify(title, text, None, [("default", "Enter password")]))
        self.passwords.message.connect(self.show_message)
        self.account.activated.connect(self._account_picked)
        self.target_field.returnPressed.connect(self.place_call)
        self.target_field.validity_changed.connect(lambda _v: self._refresh_buttons())
        self.call_button.clicked.connect(self.place_call)
        self.hangup_button.clicked.connect(self.hang_up)
        self.dial_pad.pressed.connect(self.key_pressed)
        self.calls.card_added.connect(self._wire_card)
        self.calls.current_changed.connect(lambda _id: self._refresh_buttons())
        self.history_pane.redial_requested.connect(self.dial)
        self.history_pane.details_requested.connect(self._history_details)
        self.history_pane.message.connect(self.show_message)
        self.controller.message.connect(self.show_message)
        self.signals.changed.connect(self._on_update)
        self._relay.account_changed.connect(self.account.update_account)
        self._relay.account_changed.connect(self._account_state_changed)
        self._relay.missed_changed.connect(self._show_missed)
        self.account.currentIndexChanged.connect(lambda _i: self._account_chosen())

    def _init_view(self) -> None:
        """The state shown at start: accounts, saved layout, incoming-call mode, focus."""
        self.account.set_accounts(self._account_states())
        self._account_chosen()
        self.resize(1100, 760)
        self._restore_layout()
        self._apply_mode()
        self.dial_pad_toggle.setChecked(self.settings.desktop.dial_pad_shown)
        self.show_dial_pad(self.settings.desktop.dial_pad_shown)
        self._tab_order()
        self._refresh_buttons()
        self.target_field.setFocus()

    def _tab_order(self) -> None:
        """Tab walks the dialer top to bottom, then every dial pad key in reading order."""
        chain: list[QWidget] = [self.account, self.target_field, self.call_button,
                                self.hangup_button, self.dial_pad_toggle,
                                *self.dial_pad.ordered_buttons()]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def show_dial_pad(self, shown: bool) -> None:
        self.dial_pad.setVisible(shown)
        self._pad_spacer.setVisible(not shown)
        self.dial_pad_toggle.setText("Dial pad ▾" if shown else "Dial pad ▸")
        self.dial_pad_toggle.setToolTip("Hide the dial pad" if shown else "Show the dial pad")
        if shown != self.settings.desktop.dial_pad_shown:
            self._update_desktop(
                self.settings.desktop.model_copy(update={"dial_pad_shown": shown}))

    # -- layout pieces for other parts of the app -----------------------------------------------

    def set_accounts_backend(self, backend: AccountsBackend) -> None:
        """Where Settings → Accounts saves (settings file, keyring, engine): app.py's glue."""
        self._accounts_backend = backend
        self.passwords.backend = backend

    def ask_session_passwords(self) -> None:
        """At start: the password of an account kept for the last session only (no system
        keyring) is asked again, rather than the account silently missing: now if the
        window is shown, else (started minimized) once it is, the tray saying so meanwhile."""
        self.passwords.start()

    def _account_states(self) -> list[AccountState]:
        """The engine's accounts, and those waiting for their password (not in the engine)."""
        return self._engine.account_states() + self.passwords.states()

    def _passwords_changed(self, names: list[str]) -> None:
        self.tray.set_password_needed(names)
        self.account.set_accounts(self._account_states())
        self._account_chosen()

    def _enter_password(self) -> None:
        """The tray's "Enter account password…": the window comes up and asks."""
        self.passwords.ask_when_shown()
        self._raise()

    def _account_picked(self, index: int) -> None:
        name = self.account.itemData(index)
        state = self.account.state(name) if isinstance(name, str) else None
        if state is not None and state.registration is RegistrationState.PASSWORD_NEEDED:
            # After the list's pop-up has closed: the prompt runs its own event loop.
            QTimer.singleShot(0, lambda: self.passwords.ask(state.name))

    def _ask_password(self, name: str) -> str | None:
        text, ok = QInputDialog.getText(
            self, "Account password",
            f"The password of account '{name}' was kept for the last session only (this "
            "computer has no system keyring).\nType it again to use the account now:",
            QLineEdit.EchoMode.Password)
        return text if ok else None

    def edit_accounts(self) -> None:
        if self._accounts_backend is None:
            self.show_message("accounts cannot be edited here")
            return
        if self.accounts_dialog is not None:
            self.accounts_dialog.raise_()
            self.accounts_dialog.activateWindow()
            return
        # Window-modal but not a nested event loop: calls and registrations go on updating.
        dialog = AccountsDialog(self._accounts_backend, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for state in self._engine.account_states():
            dialog.update_state(state)
        self._relay.account_changed.connect(dialog.update_state)
        dialog.finished.connect(self._accounts_closed)
        self.accounts_dialog = dialog
        dialog.open()

    def _accounts_closed(self) -> None:
        dialog, self.accounts_dialog = self.accounts_dialog, None
        if dialog is not None:
            self._relay.account_changed.disconnect(dialog.update_state)
        # Accounts may have been added, renamed or removed, the default changed.
        if self._accounts_backend is not None:
            self.account.default_name = self._accounts_backend.default_account()
        self.passwords.refresh()
        self.account.set_accounts(self._account_states())
        self._account_chosen()

    def add_side_panel(self, widget: QWidget) -> None:
        """Put a panel (the audio devices and levels) under the dial pad."""
        self.audio_slot.addWidget(widget)

    def show_number_test(self) -> None:
        from softphone.ui.number_test_pane import open_number_test

        names = [a.name for a in self.settings.accounts]
        if open_number_test(self, self.number_tester, names, self._default_domain) is None:
            self.show_message("The number tester is not available in this window")

    def _build_menus(self) -> None:
        def action(menu: QMenu, text: str, keys: str | QKeySequence.StandardKey | None,
                   slot: object, name: str) -> QAction:
            act = QAction(text, self)
            if keys is not None:
                act.setShortcut(QKeySequence(keys))
            act.triggered.connect(slot)
            act.setObjectName(name)
            menu.addAction(act)
            self.addAction(act)  # shortcuts work with the menu closed and the bar hidden
            return act

        calls = self.menuBar().addMenu("&Call")
        action(calls, "&Call", "Ctrl+Return", self.place_call, "call")
        self.hangup_action = action(calls, "&Hang up", "Esc", self.hang_up, "hangup")
        action(calls, "&Answer", "Ctrl+Shift+A", self.answer_ringing, "answer")
        action(calls, "&Decline", "Ctrl+Shift+D", self.decline_ringing, "decline")
        action(calls, "&Record current call", "Ctrl+R", self.toggle_recording, "record")
        action(calls, "H&old / resume current call", "Ctrl+H",
               lambda: self.controller.toggle_hold(), "hold")
        action(calls, "&Mute / unmute current call", "Ctrl+M",
               lambda: self.controller.toggle_mute(), "mute")
        action(calls, "Con&ference all answered calls", "Ctrl+K",
               lambda: self.controller.conference(), "conference")
        action(calls, "Call d&etails", "Ctrl+I", self.show_current_details, "details")
        calls.addSeparator()
        action(calls, "Go to &target", "Ctrl+L", self._focus_target, "focus_target")
        action(calls, "&Quit", "Ctrl+Q", self.quit, "quit")
        view = self.menuBar().addMenu("&View")
        action(view, "SIP &log", "Ctrl+Shift+L", self.show_sip_log, "sip_log")
        action(view, "&Number test…", "Ctrl+Shift+T", self.show_number_test, "number_test")
        history = self.menuBar().addMenu("&History")
        action(history, "&Search", "Ctrl+F", self._focus_search, "search")
        action(history, "Export all shown as &JSON…", "Ctrl+E",
               lambda: self.history_pane.ask_export(selected_only=False, suffix=".json"),
               "export")
        action(history, "Export all shown with &SIP details…", "Ctrl+Alt+E",
               lambda: self.history_pane.ask_export(selected_only=False, suffix=".json",
                                                    details=True),
               "export_details")
        action(history, "Export all shown as &CSV…", "Ctrl+Shift+E",
               lambda: self.history_pane.ask_export(selected_only=False, suffix=".csv"),
               "export_csv")
        action(history, "Open &recordings folder", "Ctrl+Shift+O",
               self.history_pane.open_folder, "recordings")
        settings = self.menuBar().addMenu("&Settings")
        self.auto_answer_action = action(settings, "&Auto-answer", "Ctrl+Shift+U",
                                         lambda on: self.set_auto_answer(bool(on)),
                                         "auto_answer")
        self.auto_answer_action.setCheckable(True)
        self.dnd_action = action(settings, "&Do not disturb", "Ctrl+D",
                                 lambda on: self.set_do_not_disturb(bool(on)), "dnd")
        self.dnd_action.setCheckable(True)
        action(settings, "&Call settings…", "Ctrl+,", self.edit_call_settings, "settings")
        action(settings, "A&ccounts…", "Ctrl+Shift+C", self.edit_accounts, "accounts")
        action(settings, "Desktop and &network…", None, self.edit_desktop, "desktop")
        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "&About softphone…", "F1", self.show_about, "about")

    # -- the user's acts -----------------------------------------------------------------------

    def dial(self, text: str) -> None:
        """Fill the target field and place the call (redial, sip: links, the command line)."""
        self.target_field.setText(text.strip())
        self.place_call()

    def place_call(self) -> None:
        if not self.target_field.text().strip():
            self.show_message("Type a number or a sip: address to call")
            self.target_field.setFocus()
            return
        try:
            target = self.target_field.target()
        except ValueError as exc:
            self.show_message(str(exc))
            return
        state = self.account.current_state()
        if (state is not None and state.registration is RegistrationState.PASSWORD_NEEDED
                and not self.passwords.ask(state.name)):
            return  # not through an account that cannot register (nor silently without it)
        self.controller.place(target, self._chosen_account(), self.settings.calls)

    def _chosen_account(self) -> str | None:
        state = self.account.current_state()
        if state is None or state.name == BUILTIN_ACCOUNT:
            return None  # the engine's own identity for direct calls
        return state.name

    def _account_state_changed(self, _state: AccountState) -> None:
        self._show_own_address()  # a bound slot: Qt drops it with the window
        self.passwords.refresh()  # a password typed in Settings → Accounts

    def _show_own_address(self) -> None:
        state = self.account.current_state()
        self.own_address.set_address(state.uri if state is not None else "")

    def _account_chosen(self) -> None:
        self._show_own_address()
        # Numbers and bare user names dial through the chosen account's domain.
        state = self.account.current_state()
        domain = self._default_domain
        if state is not None and state.name != BUILTIN_ACCOUNT:
            # The account's domain as configured, port included (host:5062 is common).
            domain = state.uri.split("@", 1)[-1].split(";", 1)[0] or domain
        self.target_field.default_domain = domain
        self.controller.default_domain = domain
        self.target_field.revalidate()

    # The call acts are the controller's; these names stay for menus, tray and scripts.

    def hang_up(self) -> None:
        self.controller.hang_up()

    def answer_ringing(self) -> None:
        self.controller.answer_ringing()

    def decline_ringing(self) -> None:
        self.controller.decline_ringing()

    def toggle_recording(self) -> None:
        self.controller.toggle_recording()

    def key_pressed(self, key: str) -> None:
        """A dial pad key: DTMF on the answered current call, else a character typed."""
        if not self.controller.send_key(key):
            self.target_field.insert(key)
            self.target_field.setFocus()

    def show_current_details(self) -> None:
        card = self.calls.current
        if card is not None:
            self._show_details(card.call, card.diagnostics)
        else:
            self.history_pane.show_details()

    def _history_details(self, entry: HistoryEntry) -> None:
        self._show_details(entry.call, entry.diagnostics)

    def _show_details(self, call: Call, diagnostics: CallDiagnostics | None) -> None:
        messages = []
        if diagnostics is not None and diagnostics.call_id_header:
            try:
                messages = self.history_pane.history.sip_messages(diagnostics.call_id_header)
            except StoreError as exc:
                self.show_message(f"SIP messages not shown: {exc}")
        pane = self.history_pane
        shared = pane.clip_bar  # the app's clip player, shared with the history pane
        dialog = CallDetailsDialog(
            call, diagnostics, self, messages,
            recordings=recording_files(pane.recordings_dir, call.recording_ids),
            player=shared.player if shared is not None else None,
            play_elsewhere=pane.play_file)
        if shared is not None and dialog.clip_bar is not None:
            # One speaker, one clip: whichever bar starts last shows it.
            dialog.clip_bar.started.connect(shared.release)
            shared.started.connect(dialog.clip_bar.release)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog))
        self._dialogs.append(dialog)
        dialog.show()

    def show_sip_log(self) -> None:
        """Every SIP message sent and received, live (kept since the window opened)."""
        if self.sip_log is None:
            self.sip_log = SipLogWindow(self.sip_feed)
            self.sip_log.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.sip_log.destroyed.connect(self._sip_log_closed)
        self.sip_log.show()
        self.sip_log.raise_()
        self.sip_log.activateWindow()

    def _sip_log_closed(self) -> None:
        self.sip_log = None

    def _focus_target(self) -> None:
        self.target_field.setFocus()
        self.target_field.selectAll()

    def _focus_search(self) -> None:
        self.history_pane.search.setFocus()
        self.history_pane.search.selectAll()

    def show_message(self, text: str) -> None:
        if self._held_messages is not None:
            self._held_messages.append(text)
            return
        self.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def hold_messages(self) -> None:
        """Collect status messages until show_held_messages(), which shows them together
        (start-up: an account's problem, no sound device, port 5060 taken each replaced
        the last, and the account's, said first, was never seen)."""
        self._held_messages = []

    def show_held_messages(self) -> None:
        held, self._held_messages = self._held_messages, None
        if held:
            self.show_message(" · ".join(dict.fromkeys(held)))

    # -- engine updates -----------------------------------------------------------------------

    def _wire_card(self, card: CallCard) -> None:
        self.controller.wire_card(card)
        card.details_requested.connect(
            lambda _cid: self._show_details(card.call, card.diagnostics)
        )
        card.play_requested.connect(self.history_pane.play_file)

    def _on_update(self, update: Update) -> None:
        call = update.call
        card = self.calls.show_call(call, update.diagnostics)
        if (call.status is CallStatus.PROGRESSING and card is self.calls.current
                and self.target_field.hasFocus()):
            # Digits typed now are DTMF for the answered call, not a new target.
            card.setFocus()
        if (
            call.direction is CallDirection.INCOMING
            and call.status is CallStatus.RINGING
            and call.id not in self._announced_incoming
        ):
            self._announced_incoming.add(call.id)
            self._incoming(call)
        if self.popup.call_id == call.id and call.status is not CallStatus.RINGING:
            self._next_popup()
        if call.status is not CallStatus.RINGING:
            self._withdraw(call.id)
        if (call.status is CallStatus.PROGRESSING
                and self.statusBar().currentMessage().startswith(CALLING_PREFIX)):
            self.statusBar().clearMessage()  # answered: the card says "talking"
        if call.is_over:
            self.controller.call_ended(call.id)
            self._announced_incoming.discard(call.id)  # kept only while it rings
            self._call_ended(call, update.diagnostics)
        # The history listener (app.py) saved the call before this listener ran: its row
        # shows each status as it happens, not only once the call is over.
        self.history_pane.call_changed(call, update.diagnostics)
        self._refresh_buttons()

    def _incoming(self, call: Call) -> None:
        # The engine-side policy answers or declines it; the window only tells the user.
        who = party(call.remote)
        if self.settings.calls.do_not_disturb:
            self.show_message(f"Declined a call from {who}: do not disturb is on")
            return
        if not self._in_front():
            self._next_popup()
        # The window's card or the pop-up already shows the call with its buttons: a tray
        # balloon as well (no buttons) covered the card's badge and outlived the call.
        self._notify("Incoming call", who, call.id,
                     [("answer", "Answer"), ("decline", "Decline"), ("default", "Open")],
                     in_window=self._in_front() or self.popup.isVisible())

    def _in_front(self) -> bool:
        """The user has this window in front of them (shown, not minimized, active)."""
        return self.isVisible() and not self.isMinimized() and self.isActiveWindow()

    def _next_popup(self) -> None:
        """The pop-up shows the first call still ringing in (none: it goes)."""
        if self._detached:
            return
        ringing = [c.call for c in self.calls.ringing_incoming()]
        if not ringing or self.settings.calls.auto_answer:
            self.popup.dismiss()
            return
        if self.popup.isVisible() or not self._in_front():
            self.popup.show_call(ringing[0], len(ringing) - 1)

    def _answer_from_popup(self, call_id: UUID) -> None:
        self.controller.answer(call_id)
        self._raise()  # an answered call is handled in the window (hang up, DTMF)

    def _call_ended(self, call: Call, diagnostics: CallDiagnostics) -> None:
        sentence = plain_outcome(call, diagnostics.sip_code)
        if self.statusBar().currentMessage().startswith(CALLING_PREFIX) and not any(
            c.call.status is CallStatus.DIALING for c in self.calls.live_cards()
        ):
            # "Calling …" must not outlive the call: the outcome replaces it.
            self.show_message(sentence)
        if is_missed(call):
            self._notify("Missed call", f"{party(call.remote)}: {sentence}", None,
                         [("default", "Show")])

    def _notify(self, title: str, text: str, call_id: UUID | None,
                actions: list[tuple[str, str]], *, in_window: bool = False) -> None:
        """With buttons where the desktop's notification service has them, else the tray's
        (not when ``in_window``: our own window or pop-up shows it)."""
        note = (self.notifier.notify(title, text, actions)
                if self.notifier.supports_actions else None)
        if note is not None:
            self._notes[note] = call_id
        self.tray.notify(title, text, shown_elsewhere=note is not None or in_window)

    def _withdraw(self, call_id: UUID) -> None:
        for note, cid in list(self._notes.items()):
            if cid == call_id:
                del self._notes[note]
                self.notifier.withdraw(note)

    def _notification_action(self, note: int, key: str) -> None:
        if note not in self._notes:
            return  # not ours, or its call is no longer ringing
        call_id = self._notes.pop(note)
        self.notifier.withdraw(note)  # acted on: some services leave it up otherwise
        if key == "answer" and call_id is not None:
            self._answer_from_popup(call_id)
        elif key == "decline" and call_id is not None:
            self.controller.decline(call_id)
        else:
            self._raise()

    @property
    def missed(self) -> int:
        """Calls missed since the user last looked at the window (the policy counts them)."""
        return self._policy.missed.count

    def _show_missed(self, missed: int) -> None:
        self.tray.set_missed(missed)
        # Qt adds " — softphone" (the display name) to a title not already ending with it.
        self.setWindowTitle(f"{missed} missed — softphone" if missed else "softphone")

    def _refresh_buttons(self) -> None:
        card = self.calls.current
        live = card is not None and not card.is_over
        self.call_button.setEnabled(self.target_field.valid)
        # Hang up (and Esc) end what we placed or answered, never a call ringing in.
        self.hangup_button.setEnabled(live and card is not None
                                      and not card.is_incoming_ringing)
        self.dial_pad.setToolTip(
            "Keys send DTMF to the current call" if live and card is not None
            and card.call.status is CallStatus.PROGRESSING else "Keys type into the target"
        )

    # -- settings ------------------------------------------------------------------------------

    def set_auto_answer(self, on: bool) -> None:
        self._update_calls(self.settings.calls.model_copy(update={"auto_answer": on}))

    def set_do_not_disturb(self, on: bool) -> None:
        self._update_calls(self.settings.calls.model_copy(update={"do_not_disturb": on}))

    def edit_call_settings(self) -> None:
        dialog = CallSettingsDialog(self.settings.calls, self)
        if dialog.exec():
            self._update_calls(dialog.result_settings(self.settings.calls))

    @property
    def settings(self) -> Settings:
        return self.settings_store.settings

    def _update_calls(self, calls: CallSettings) -> None:
        if calls != self.settings.calls:
            self._save(calls=calls)  # applied in _settings_stored once it is stored
        self._apply_mode()  # also undoes a toggle that could not be saved

    def _settings_stored(self, settings: Settings, changed: frozenset[str]) -> None:
        if "calls" in changed:
            self.calls.ring_timeout_s = settings.calls.ring_timeout_s
            self._apply_mode()
            self._policy.configure(window_policy(settings.calls))
            self.settings_changed.emit(settings.calls)

    def _apply_mode(self) -> None:
        calls = self.settings.calls
        for act in (self.dnd_action, self.tray.dnd_action):
            act.blockSignals(True)
            act.setChecked(calls.do_not_disturb)
            act.blockSignals(False)
        self.auto_answer_action.blockSignals(True)
        self.auto_answer_action.setChecked(calls.auto_answer)
        self.auto_answer_action.blockSignals(False)
        self.mode_icon.setPixmap(dnd_pixmap(14))
        self.mode_icon.setVisible(calls.do_not_disturb)
        if calls.do_not_disturb:
            self.mode_label.setText("Do not disturb")
        elif calls.auto_answer:
            self.mode_label.setText(f"Auto-answer after {calls.auto_answer_after_s:g} s")
        else:
            self.mode_label.setText("")

    def edit_desktop(self) -> None:
        # Where this process takes SIP: the built-in identity's address, never the chosen
        # account's (a registered account's address names its registrar, not our socket).
        local = self.account.state(BUILTIN_ACCOUNT)
        listening = local_socket(local.uri) if local is not None else ""
        dialog = DesktopDialog(self.settings.desktop, self.settings.network, listening, self)
        if dialog.exec():
            self._update_desktop(dialog.result_desktop(self.settings.desktop))
            network = dialog.result_network(self.settings.network)
            if network != self.settings.network:
                self._save(network=network)  # the store holds it (self.settings follows)
                self.show_message("Network settings saved: they apply at the next start")

    def _update_desktop(self, desktop: DesktopSettings) -> None:
        old = self.settings.desktop
        if desktop == old:
            return
        if desktop.autostart != old.autostart:
            try:
                set_autostart(desktop.autostart, self.about_info.data_dir)
            except OSError as exc:
                self.show_message(f"Cannot change the login start-up entry: "
                                  f"{exc.strerror or exc}")
        self._save(desktop=desktop)

    @property
    def network(self) -> NetworkSettings:
        return self.settings.network

    def show_about(self) -> None:
        dialog = AboutDialog(self.about_info, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _save(self, **changes: object) -> None:
        """Store the window's own sections; the store keeps the others (accounts, audio)."""
        try:
            self.settings_store.update(**changes)
        except StoreError as exc:
            self.show_message(str(exc))

    def _restore_layout(self) -> None:
        for text, restore in (
            (self.settings.window_geometry, self.restoreGeometry),
            (self.settings.window_splitter, self.splitter.restoreState),
            (self.settings.history_header, self.history_pane.columns.restore),
        ):
            if text:
                restore(QByteArray.fromBase64(text.encode("ascii")))

    def save_layout(self) -> None:
        def b64(data: QByteArray) -> str:
            return bytes(data.toBase64().data()).decode("ascii")

        self._save(
            window_geometry=b64(self.saveGeometry()),
            window_splitter=b64(self.splitter.saveState()),
            history_header=b64(self.history_pane.table.horizontalHeader().saveState()),
        )

    # -- window life ---------------------------------------------------------------------------

    def _raise(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.popup.dismiss()  # the window shows the ringing call itself

    def start_hidden(self) -> None:
        """--minimized / start minimized: in the tray when there is one, else minimized."""
        if self._tray_usable():
            self.hide()
        else:
            self.showMinimized()

    def _tray_usable(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and self.tray.isVisible()

    def quit(self) -> None:
        """Really quit (menu, Ctrl+Q, the tray): asks first when calls are up."""
        self._quitting = True
        if not self.close():
            self._quitting = False

    def quit_unasked(self) -> None:
        """Quit for the session (SIGTERM: logout, `kill`): calls up are hung up, never
        asked about (nobody is there to answer), and closing never means the tray here."""
        self._quitting = self._unasked = True
        self.close()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            if self.missed:
                self._policy.missed.reset()  # the user has seen the window and the history
            if not self._detached:
                self.popup.dismiss()
        elif event.type() in (QEvent.Type.ActivationChange, QEvent.Type.WindowStateChange):
            self._next_popup()  # the window went behind another, or was minimized
        if event.type() == QEvent.Type.WindowStateChange:
            self.passwords.window_shown()  # restored from minimized: ask what start could not
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.passwords.window_shown()  # out of the tray: ask what start could not

    def detach(self) -> None:
        """Stop listening to the engine and stop background work (the window is going)."""
        with contextlib.suppress(ValueError):  # already detached
            self._engine.remove_listener(self._listener)
        with contextlib.suppress(ValueError):
            self._engine.remove_trace_listener(self._traced)
        if self.sip_log is not None:
            self.sip_log.close()
        self._detached = True
        self._policy.close()
        self._unsubscribe_settings()
        self.history_pane.shutdown()
        self.controller.shutdown()
        self.tray.hide()
        self.popup.dismiss()
        self.notifier.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if (not self._quitting and not self._detached and self.settings.desktop.close_to_tray
                and self._tray_usable()):
            # Closing is not quitting: calls still ring in, through the tray and pop-up.
            event.ignore()
            self.hide()
            if not self._told_tray:
                self._told_tray = True
                self.tray.notify("softphone is still running",
                                 "Calls still ring here. Quit from the tray menu.")
            return
        live = len(self.calls.live_cards())
        if live and not self._detached and not self._unasked and not self.confirm_quit(live):
            event.ignore()
            return
        self.save_layout()
        self.detach()
        super().closeEvent(event)
        self.closed.emit()

