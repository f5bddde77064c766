"""Screenshots of the real window under Xvfb: a live call, a ringing call, a populated history.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

At 1280x800 and 1920x1080, in the light palette, and the live call in the dark one too.

Starts Xvfb itself (through xvfb-run) unless a display is already set, fills a temporary
data folder with a synthetic history, places a real call to a SIPp peer on 127.0.0.1 and
lets another SIPp call in, then saves PNGs of the window (QWidget.grab). The window is
wired as app.py wires it: the Flows menu (the example flows saved), the recording player
(miniaudio's NULL device stands in for a speaker) and the Number test pane, shown after a
small run against three SIPp peers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def reexec_under_xvfb() -> None:
    if os.environ.get("DISPLAY") or os.environ.get("SOFTPHONE_SCREENSHOTS_XVFB"):
        return
    xvfb_run = shutil.which("xvfb-run")
    if xvfb_run is None:
        sys.exit("screenshots: needs Xvfb (apt-get install xvfb) or a DISPLAY")
    env = dict(os.environ, SOFTPHONE_SCREENSHOTS_XVFB="1", QT_QPA_PLATFORM="xcb")
    cmd = [xvfb_run, "-a", "-s", "-screen 0 1920x1200x24", sys.executable, *sys.argv]
    sys.exit(subprocess.call(cmd, env=env))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    reexec_under_xvfb()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from softphone.engine import BindAddress, Engine, EngineConfig
    from softphone.ui.theme import apply_style

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("softphone")

    def wait_for(done, timeout: float = 15.0) -> None:
        # A nested event loop (PySide6 6.12's processEvents() leaks a None per call).
        loop = QEventLoop()
        check = QTimer()
        check.timeout.connect(lambda: loop.quit() if done() else None)
        check.start(5)
        QTimer.singleShot(int(timeout * 1000), loop.quit)
        if not done():
            loop.exec()
        check.stop()
        if not done():
            raise TimeoutError("the window did not get there in time")

    def pause(seconds: float) -> None:
        until = time.monotonic() + seconds
        wait_for(lambda: time.monotonic() >= until, seconds + 1)

    args.out.mkdir(parents=True, exist_ok=True)
    # One engine for every shot: pjsua2 allows one Endpoint per process.
    recordings = Path(tempfile.mkdtemp(prefix="softphone-shots-rec-"))
    engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0), recordings_dir=recordings))
    engine.start()
    shots = [((1280, 800), "light", True), ((1920, 1080), "light", True),
             ((1280, 800), "dark", False)]
    for (width, height), scheme, everything in shots:
        apply_style(app, scheme)
        suffix = f"-{width}x{height}" + ("-dark" if scheme == "dark" else "")
        try:
            shoot(engine, recordings, args.out, suffix, width, height, everything, wait_for,
                  pause)
        except BaseException:
            engine.shutdown()
            raise
    engine.shutdown()
    shutil.rmtree(recordings, ignore_errors=True)
    print(f"screenshots saved in {args.out}")
    return 0


def shoot(engine, recordings: Path, out: Path, suffix: str, width: int, height: int,
          everything: bool, wait_for, pause) -> None:
    """One set of shots of a fresh window (and history) at one size and palette."""
    from PySide6.QtCore import QTimer

    from softphone.app import HistorySaver
    from softphone.model import CallStatus
    from softphone.store import History, LadderKeeper, Settings
    from softphone.ui.main_window import MainWindow
    from tests.gui.fake_calls import fake_calls
    from tests.peers.sipp import run_uac, run_uas

    data = Path(tempfile.mkdtemp(prefix="softphone-shots-"))
    history = History.open(data / "history.sqlite3")
    history.save_many(list(fake_calls(2_400, seed=3, end_ns=time.time_ns() - 600 * 10**9)))
    reader = History.open(data / "history.sqlite3")
    saver = HistorySaver(history)
    engine.add_listener(saver)
    ladder = LadderKeeper(history)  # as app.py: every call's SIP messages in history
    engine.add_trace_listener(ladder.add)
    engine.add_listener(ladder.follow)
    window = MainWindow(engine, reader, recordings, Settings(), None)
    # As app.py: the Flows menu, recordings played in the app, the number tester.
    import miniaudio

    from softphone.audio.clip_player import ClipPlayer
    from softphone.tester.service import NumberTesterService
    from softphone.ui.flows_menu import FlowsMenu
    from softphone.window_flows import WindowFlows

    (data / "flows").mkdir()
    for example in sorted((ROOT / "resources" / "flows").glob("*.json")):
        shutil.copy(example, data / "flows" / example.name)
    flows = WindowFlows(engine, data / "flows")
    window.flows_menu = FlowsMenu(window, flows, window.show_message)
    window.history_pane.set_player(ClipPlayer(backends=[miniaudio.Backend.NULL]))
    window.number_tester = NumberTesterService(data / "history.sqlite3", recordings, data)
    poll = QTimer()
    poll.timeout.connect(lambda: (engine.poll(0), ladder.flush()))
    poll.start(10)
    window.resize(width, height)
    window.show()
    try:
        with run_uas("uas_answer_wait", variables={"ring_ms": 1500}) as callee:
            window.dial(callee.uri("1002"))
            wait_for(lambda: any(c.call.status is CallStatus.PROGRESSING
                                 for c in window.calls.cards.values()))
            card = window.calls.current
            assert card is not None
            card.record_button.click()
            for key in "42#":
                window.dial_pad.buttons[key].click()
            with run_uac("uac_bye", f"127.0.0.1:{engine.local_port}",
                         variables={"from_user": "+821055501234", "from_name": "Dana Choi"},
                         service="softphone") as caller:
                wait_for(lambda: bool(window.calls.ringing_incoming()))
                pause(3.2)  # talk and recording clocks tick on
                window.grab().save(str(out / f"live-call{suffix}.png"))
                if everything:
                    # The pop-up as it shows over other programs (the window not in front).
                    window.popup.show_call(window.calls.ringing_incoming()[0].call)
                    pause(0.3)
                    window.popup.grab().save(str(out / f"incoming-popup{suffix}.png"))
                    window.popup.dismiss()
                window.decline_ringing()
                wait_for(lambda: caller.wait(timeout=0) is not None)
            window.hang_up()
            wait_for(lambda: callee.wait(timeout=0) is not None)
        if not everything:
            return
        window.calls.linger_s = 0.0
        pause(1.0)
        pane = window.history_pane
        wait_for(lambda: not pane.model.is_loading())
        # The recorded call's row, its recording playing in the bar under the history.
        recorded = next(row for row in range(pane.model.rowCount())
                        if (entry := pane.entry_at(row)) and entry.call.recording_ids)
        pane.table.selectRow(recorded)
        pane.play(pane.entry_at(recorded))
        pause(1.2)
        window.grab().save(str(out / f"history{suffix}.png"))
        pane.clip_bar.stop()
        pane.show_details()
        pause(0.5)
        dialog = window._dialogs[-1]
        dialog.play_buttons[0].click()  # the call's recording plays in the dialog too
        pause(1.2)
        dialog.grab().save(str(out / f"call-details{suffix}.png"))
        dialog.close()
        flows_menu_shot(window, out, suffix, pause)
        number_test_shot(window, out, suffix, wait_for, pause)
        if suffix == "-1280x800":
            support_engineer_shots(window, out, suffix, wait_for, pause)
    finally:
        poll.stop()
        window.detach()
        window.close()
        engine.remove_listener(saver)
        engine.remove_trace_listener(ladder.add)
        engine.remove_listener(ladder.follow)
        history.close()
        reader.close()
        shutil.rmtree(data, ignore_errors=True)


def flows_menu_shot(window, out: Path, suffix: str, pause) -> None:
    """The window with its Flows menu open and the incoming-calls submenu listing the saved
    flows (menus are windows of their own: painted onto the window's picture)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QPainter

    menu = window.flows_menu.menu
    bar = window.menuBar()
    item = bar.actionGeometry(menu.menuAction())
    menu.popup(bar.mapToGlobal(item.bottomLeft()))
    pause(0.3)
    submenu = window.flows_menu.incoming
    submenu.popup(menu.mapToGlobal(menu.actionGeometry(submenu.menuAction()).topRight()))
    pause(0.4)
    picture = window.grab()
    painter = QPainter(picture)
    for shown in (menu, submenu):
        painter.drawPixmap(window.mapFromGlobal(shown.mapToGlobal(QPoint(0, 0))), shown.grab())
    painter.end()
    picture.save(str(out / f"flows-menu{suffix}.png"))
    submenu.hide()
    menu.hide()


def number_test_shot(window, out: Path, suffix: str, wait_for, pause) -> None:
    """View > Number test (Ctrl+Shift+T) after a run of three numbers against SIPp: one busy
    as expected, one that should have answered (404), one not answering (480)."""
    from softphone.ui.number_test_pane import NumberTestPane
    from tests.peers.sipp import free_udp_port, run_uas

    window.show_number_test()
    pane = window.findChild(NumberTestPane)
    peers = [run_uas(name, port=free_udp_port(), timeout_s=60)
             for name in ("uas_486", "uas_404", "uas_480")]
    try:
        busy, gone, away = (peer.uri(user) for peer, user in
                            zip(peers, ("1002", "1003", "1004"), strict=True))
        pane.list_edit.setPlainText(
            "target,label,expect\n"
            f"{busy},sales line,busy\n{gone},old support number,answered\n"
            f"{away},night desk,noanswer\n")
        assert pane.start(), pane.status.text()
        wait_for(lambda: pane.run is None, 60)
        pause(0.5)
        pane.grab().save(str(out / f"number-test{suffix}.png"))
    finally:
        for peer in peers:
            peer.stop()
        pane.close()


def support_engineer_shots(window, out: Path, suffix: str, wait_for, pause) -> None:
    """A call to a pjsua2 peer on a slightly lossy path: the card's live MOS, then the
    details' SIP ladder and quality graph, and the SIP log."""
    from softphone.model import CallStatus
    from tests.peers.pjsua import PjsuaPeer

    window.calls.linger_s = 60.0
    peer = PjsuaPeer("--listen", "--tone", "440", "--codec", "PCMU", "--hangup-after", "8",
                     "--drop-pct", "4", "--answer-after", "1")
    peer.start()
    try:
        window.dial(peer.uri("support"))
        wait_for(lambda: any(c.call.status is CallStatus.PROGRESSING
                             for c in window.calls.cards.values()))
        card = window.calls.current
        assert card is not None
        pause(4.0)
        window.grab().save(str(out / f"quality-card{suffix}.png"))
        wait_for(lambda: card.call.status is CallStatus.HANGUP, 20)
        pause(1.0)
        window.grab().save(str(out / f"ended-card{suffix}.png"))
        window._show_details(card.call, card.diagnostics)
        pause(0.5)
        dialog = window._dialogs[-1]
        dialog.tabs.setCurrentIndex(1)
        dialog.ladder.tree.setCurrentItem(dialog.ladder.tree.topLevelItem(0))
        pause(0.3)
        dialog.grab().save(str(out / f"sip-ladder{suffix}.png"))
        dialog.tabs.setCurrentIndex(2)
        pause(0.3)
        dialog.grab().save(str(out / f"quality-graph{suffix}.png"))
        dialog.close()
        window.show_sip_log()
        log = window.sip_log
        pause(0.6)
        log.grab().save(str(out / f"sip-log{suffix}.png"))
        log.close()
    finally:
        peer.stop()


if __name__ == "__main__":
    sys.exit(main())
