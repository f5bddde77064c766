"""Issue 15 on a real desktop (Xvfb, openbox, a tray): focus, the tray and the pop-up.

Each test starts the window as a user does, with its own data folder and SIP port (Settings
→ Network), and calls it with SIPp on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.desktop.conftest import wait_for
from tests.peers.sipp import run_uac

pytestmark = [pytest.mark.desktop, pytest.mark.sip]

POPUP = "^Incoming call — softphone$"


def answer_point(desktop, popup: str) -> tuple[int, int]:
    """The pop-up's Answer button: the first of the bottom row (see incoming_popup.py)."""
    x, y, _width, height = desktop.geometry(popup)
    return x + 50, y + height - 24


def answer_with_the_shortcut(desktop, main: str, peer) -> None:
    """SIPp calls in: once it rings, Ctrl+Shift+A in the window answers it."""
    wait_for(lambda: 180 in peer.received_status_codes(), 15, "ringing")
    desktop.key(main, "ctrl+shift+a")  # Answer
    wait_for(lambda: 200 in peer.received_status_codes(), 15, "the answer")


def test_popup_rings_over_another_program_without_taking_its_focus_and_answers(
    desktop, app_window, other_window
):
    app = app_window()
    main = app.main_window()
    desktop.focus(other_window)
    with run_uac("uac_bye", app.target, variables={"hold_ms": 500}) as peer:
        [popup] = wait_for(lambda: desktop.visible_windows(POPUP), 15, "the pop-up")
        # Someone typing in the other program goes on typing there.
        assert desktop.active_window() == other_window
        stacking = desktop.x("xprop", "-id", popup, "_NET_WM_STATE")
        assert "_NET_WM_STATE_ABOVE" in stacking
        desktop.click(*answer_point(desktop, popup))
        wait_for(lambda: peer.wait(timeout=0) is not None, 20, "SIPp's call to end")
        peer.assert_success(timeout=1)
        assert 200 in peer.received_status_codes()
    wait_for(lambda: not desktop.visible_windows(POPUP), 10, "the pop-up to go")
    assert main


def test_closing_the_window_keeps_it_in_the_tray_and_calls_still_ring(desktop, app_window):
    app = app_window()
    main = app.main_window()
    desktop.key(main, "alt+F4")  # openbox's close: WM_DELETE_WINDOW, as the title bar's ✕
    wait_for(lambda: not desktop.visible_windows("^softphone"), 10, "the window to hide")
    assert app.proc.poll() is None  # still running, in the tray
    with run_uac("uac_expect_reject", app.target) as peer:
        [popup] = wait_for(lambda: desktop.visible_windows(POPUP), 15, "the pop-up")
        x, y, width, height = desktop.geometry(popup)
        desktop.click(x + width // 2, y + height - 24)  # Decline: the middle button
        wait_for(lambda: peer.wait(timeout=0) is not None, 20, "SIPp's call to end")
        peer.assert_success(timeout=1)
        assert 486 in peer.received_status_codes()
    # A logout while it sits in the tray ends it too (no window was visible to close).
    os.kill(app.proc.pid, signal.SIGTERM)
    assert app.proc.wait(5) == 0


def test_quit_from_the_tray_menu_ends_the_app_while_the_window_is_hidden(desktop, app_window):
    app = app_window("--minimized")
    app.wait_engine()
    def ours() -> list[str]:
        return desktop.x("xdotool", "search", "--onlyvisible", "--class", "softphone",
                         check=False).split()

    [icon] = wait_for(ours, 10, "our tray icon")  # the window is hidden: only the icon shows
    x, y, width, height = desktop.geometry(icon)
    desktop.x("xdotool", "mousemove", "--sync", str(x + width // 2), str(y + height // 2),
              "click", "3")
    [menu] = wait_for(lambda: [w for w in ours() if w != icon], 10, "the tray menu")
    x, y, width, height = desktop.geometry(menu)
    desktop.click(x + width // 2, y + height - 12)  # its last item: Quit
    assert app.proc.wait(5) == 0
    assert not desktop.visible_windows("^Quit softphone")  # no call up: nothing asked


def test_quitting_with_a_live_call_asks_first(desktop, app_window):
    app = app_window()
    main = app.main_window()
    with run_uac("uac_wait_remote_bye", app.target) as peer:
        answer_with_the_shortcut(desktop, main, peer)
        desktop.key(main, "ctrl+q")
        [question] = wait_for(lambda: desktop.visible_windows("^Quit softphone"), 10,
                              "the question")
        desktop.key(question, "Escape")  # No: keep the call
        wait_for(lambda: not desktop.visible_windows("^Quit softphone"), 10)
        assert app.proc.poll() is None and desktop.visible_windows("^softphone")
        assert peer.wait(timeout=0) is None  # the call is still up
        # Esc in the window hangs up the call we answered.
        desktop.key(main, "Escape")
        wait_for(lambda: peer.wait(timeout=0) is not None, 15, "our BYE")
        peer.assert_success(timeout=1)


def test_minimized_start_goes_to_the_tray(desktop, app_window):
    app = app_window("--minimized")
    app.wait_engine()
    with run_uac("uac_expect_reject", app.target) as peer:
        # No window, yet the call rings: the pop-up comes up over nothing else.
        [popup] = wait_for(lambda: desktop.visible_windows(POPUP), 15, "the pop-up")
        assert not desktop.visible_windows("^softphone")
        x, y, width, height = desktop.geometry(popup)
        desktop.click(x + width // 2, y + height - 24)
        wait_for(lambda: peer.wait(timeout=0) is not None, 20)
        peer.assert_success(timeout=1)
    assert app.proc.poll() is None


def test_export_shortcut_works_while_typing_a_search(desktop, app_window):
    app = app_window()
    main = app.main_window()
    desktop.key(main, "ctrl+f")  # into the history's search field
    desktop.x("xdotool", "type", "--delay", "20", "8210")
    desktop.key(main, "ctrl+e")  # on X11 a line edit takes Ctrl+E as "end of line"
    [dialog] = wait_for(lambda: desktop.visible_windows("^Export call history"), 10,
                        "the export dialog")
    desktop.key(dialog, "Escape")


def test_sigterm_quits_at_once_even_with_a_tray_and_a_live_call(desktop, app_window):
    # A logout or `kill` sends SIGTERM: nobody may be there to answer "quit?", and hiding
    # into the tray would leave the process running. The call is hung up, the window exits.

    app = app_window()
    main = app.main_window()
    with run_uac("uac_wait_remote_bye", app.target) as peer:
        answer_with_the_shortcut(desktop, main, peer)
        os.kill(app.proc.pid, signal.SIGTERM)
        assert app.proc.wait(15) == 0
        wait_for(lambda: peer.wait(timeout=0) is not None, 15, "our BYE")
        peer.assert_success(timeout=1)
    assert not desktop.visible_windows("^Quit softphone")


def test_minimized_start_asks_a_session_only_password_once_the_window_is_shown(
        desktop, app_window):
    """No system keyring: the account's password was kept for the last session only. Started
    minimized, nobody is there to be asked; the prompt waits for the window, and comes up
    when it is opened (here by starting softphone again, as a launcher click does)."""
    import subprocess
    import sys
    import time

    account = {"name": "nokeyring", "user": "alice", "domain": "127.0.0.1:9",
               "registrar": "none"}
    app = app_window("--minimized", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
                     accounts=[account], default_account="nokeyring")
    app.wait_engine()
    log = app.data_dir / "logs" / "softphone.log"
    wait_for(lambda: "no system keyring to read its password" in log.read_text(), 10,
             "the account's problem logged")
    time.sleep(1)  # the start-up ask has run by now
    assert not desktop.visible_windows("^Account password")
    assert not desktop.visible_windows("^softphone")
    opened = subprocess.run([sys.executable, "-m", "softphone", "--data-dir", str(app.data_dir)],
                            env=desktop.env, capture_output=True, timeout=30)
    assert opened.returncode == 0, opened.stderr
    [prompt] = wait_for(lambda: desktop.visible_windows("^Account password"), 10, "the prompt")
    assert desktop.visible_windows("^softphone")
    desktop.focus(prompt)
    desktop.x("xdotool", "type", "--delay", "20", "s3cret-pass")
    desktop.key(prompt, "Return")
    wait_for(lambda: not desktop.visible_windows("^Account password"), 10, "the prompt to go")
    wait_for(lambda: "session-only password was typed again" in log.read_text(), 10)
    assert "s3cret" not in log.read_text()
