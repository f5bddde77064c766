"""Time from a SIP event on the wire to the repainted status badge in the window.

A tiny SIP peer in this script (a raw UDP socket) answers the window's INVITE with
180 Ringing and, a moment later, 486 Busy Here. Each response's send time is compared
with the first paint of the badge showing the new status ("ringing", then "hangup").
The figure includes the engine's poll interval (paced as app.py paces it:
softphone/ui/engine_poller.py: 10 ms while a call is live, 50 ms or 1 s idle, at once when SIP
arrives; --fixed-poll-ms N polls
every N ms instead, for comparison), pjsip's parsing, the listeners, and Qt's repaint.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_badge_latency.py \
        [--calls 40] [--fixed-poll-ms 10] [--quick]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from softphone.app import HistorySaver  # noqa: E402
from softphone.engine import BindAddress, Engine, EngineConfig  # noqa: E402
from softphone.store import History, Settings  # noqa: E402
from softphone.ui.call_card import CallCard  # noqa: E402
from softphone.ui.engine_poller import EnginePoller  # noqa: E402
from softphone.ui.main_window import MainWindow  # noqa: E402
from softphone.ui.poll_pace import ASLEEP_MS, FAST_MS, IDLE_MS  # noqa: E402


def response(invite: str, code: int, reason: str) -> bytes:
    lines = invite.split("\r\n")
    keep = []
    for line in lines[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            keep.append(line)
        elif name in ("to", "t"):
            keep.append(line if ";tag=" in line else line + ";tag=bench")
    return (f"SIP/2.0 {code} {reason}\r\n" + "\r\n".join(keep)
            + "\r\nContent-Length: 0\r\n\r\n").encode()


class PaintWatch(QObject):
    """Notes when the badge first paints each status."""

    def __init__(self) -> None:
        super().__init__()
        self.painted: dict[str, float] = {}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched.parent(), CallCard):
            text = watched.text()  # type: ignore[attr-defined]
            self.painted.setdefault(text, time.perf_counter())
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=40)
    parser.add_argument("--fixed-poll-ms", type=int, default=None, metavar="N",
                        help="poll every N ms (the window before issue 16 polled every 10)")
    parser.add_argument("--quick", action="store_true", help="3 calls (CI)")
    args = parser.parse_args()
    if args.quick:
        args.calls = 3
    _app = QApplication.instance() or QApplication(sys.argv)
    data = Path(tempfile.mkdtemp(prefix="bench-badge-"))
    engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0), recordings_dir=data))
    engine.start()
    history = History.open(data / "history.sqlite3")
    reader = History.open(data / "history.sqlite3")
    engine.add_listener(HistorySaver(history))
    window = MainWindow(engine, reader, data, Settings(), None)
    window.calls.linger_s = 0.2
    window.show()
    poll = QTimer()
    if args.fixed_poll_ms is None:
        poller = EnginePoller(engine, lambda: None)  # as app.py polls
        poller.start()
        pace = (f"paced ({FAST_MS} ms while a call is live, {IDLE_MS} ms idle, "
                f"{ASLEEP_MS} ms asleep on the SIP socket: {poller.watching})")
    else:
        poll.timeout.connect(lambda: engine.poll(0))
        poll.start(args.fixed_poll_ms)
        pace = f"every {args.fixed_poll_ms} ms"

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    port = sock.getsockname()[1]
    watch = PaintWatch()
    window.calls.card_added.connect(lambda card: card.badge.installEventFilter(watch))
    sent: dict[str, float] = {}
    state: dict[str, object] = {}

    def readable() -> None:
        while True:
            try:
                data_, addr = sock.recvfrom(65535)
            except BlockingIOError:
                return
            text = data_.decode(errors="replace")
            if text.startswith("INVITE"):
                state.update(invite=text, addr=addr)
                QTimer.singleShot(50, lambda: send("ringing", 180, "Ringing"))
                QTimer.singleShot(300, lambda: send("hangup", 486, "Busy Here"))

    def send(status: str, code: int, reason: str) -> None:
        sent[status] = time.perf_counter()
        sock.sendto(response(str(state["invite"]), code, reason), state["addr"])  # type: ignore[arg-type]

    # A 1 ms timer rather than QSocketNotifier, whose activated signal crashes PySide6 6.12.
    reader_timer = QTimer()
    reader_timer.timeout.connect(readable)
    reader_timer.start(1)

    def run_until(done, timeout: float = 5.0) -> bool:
        # A nested event loop, not a processEvents() loop: PySide6 6.12's processEvents()
        # drops a reference to None on every call, and a tight loop aborts Python.
        loop = QEventLoop()
        check = QTimer()
        check.timeout.connect(lambda: loop.quit() if done() else None)
        check.start(1)
        QTimer.singleShot(int(timeout * 1000), loop.quit)
        if not done():
            loop.exec()
        check.stop()
        return bool(done())

    latencies: dict[str, list[float]] = {"ringing": [], "hangup": []}
    for _ in range(args.calls):
        watch.painted.clear()
        sent.clear()
        window.dial(f"sip:bench@127.0.0.1:{port}")
        if not run_until(lambda: "hangup" in watch.painted and "hangup" in sent):
            print("a call did not reach hangup in time", file=sys.stderr)
            continue
        for status in latencies:
            latencies[status].append((watch.painted[status] - sent[status]) * 1000)
        run_until(lambda: not window.calls.cards, 2)

    print(f"SIP response sent -> badge repainted, {args.calls} calls, engine polled {pace}:")
    for status, values in latencies.items():
        values.sort()
        if not values:
            continue
        p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"  {status:8s} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms"
              f"   max {values[-1]:6.1f} ms")
    poll.stop()
    window.detach()
    window.close()
    engine.shutdown()
    history.close()
    reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
