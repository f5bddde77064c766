"""Memory over many calls: does the process stay flat over a working day of calls?

Drives many short real calls (SIPp peers on loopback) through the engine and prints, at
intervals, the process RSS (VmRSS) and counts of the Python objects a leak would keep:
pjsua2 proxies, our ``PjCall`` and ``CallSession``, ``Call`` models, listener snapshots
(``CallUpdate``), ``HistoryEntry``; the engine's pending timers; in the window, call cards,
QTimers and every QObject under the window. A leak shows as a rising line.

Half of the calls go out (to a SIPp UAS that answers at once and hangs up after
``--hold-ms``), half come in (a SIPp UAC calling at ``--rate`` per second, at most two
at once, answered by us and hung up by SIPp). No sound devices (the null device only).

    .venv/bin/python benchmarks/bench_memory_soak.py --engine [--calls 2000]
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_memory_soak.py --window
    ... [--quick]   # 20 calls (CI: does it still run, not what it measures)

``--engine`` is the engine in process, as the CLI runs it, with the history saver writing
each change to a temporary SQLite file and a listener answering incoming calls.
``--window`` is the real MainWindow offscreen (auto-answer on, so incoming calls are
answered through the window's own timer; outgoing calls dialled through ``window.dial``),
with its call cards and its history pane following every call live.

Ring timeout 60 s (the window's default) in both modes; ``--dial-timeout`` and
``--max-duration`` (off by default, as in the default settings) arm the other call timers.

Warm-up is counted in time, not calls: pjsip keeps each ended call's dialog, its SDP and
its last response for 32 s (64 x T1: timers D and J of RFC 3261, so a retransmitted BYE
still gets its 200), about 38 KB a call. Memory therefore climbs for the first 32 s of a
run to a level set by the call rate, then stays: the "linger" column counts the calls
ended less than 32 s before each sample. Growth is measured from the first sample after
LINGER_S + a margin; in the window, also after the SIP log's feed is full (it keeps the
newest 5,000 messages, about 700 calls). The level it stays at is the load's: the calls
panel keeps each ended card 8 s, so at the soak's ~9 calls a second ~70 cards are up at
once ("cards"), where a person's calls leave one or two. The reference (``--reference``, on unless
--quick) is the same load through a bare pjsua2 script in its own process
(benchmarks/bare_pjsua2_soak.py), printed beside ours: what pjsip itself keeps.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from benchmarks.bare_pjsua2_soak import LINGER_S, OUT_IN_FLIGHT, rss_mb  # noqa: E402
from softphone.app import HistorySaver  # noqa: E402
from softphone.engine import (  # noqa: E402
    BindAddress,
    CallLimitReached,
    CallUpdate,
    Engine,
    EngineConfig,
    EngineError,
)
from softphone.engine.session import CallSession, PjCall  # noqa: E402
from softphone.model import Call, CallDirection, CallStatus, parse_target  # noqa: E402
from softphone.store import History, HistoryEntry  # noqa: E402
from tests.peers.sipp import SippPeer, run_uac, run_uas  # noqa: E402

RING_TIMEOUT_S = 60.0
WARMUP_S = LINGER_S + 8.0  # growth is measured from the first sample after this


def _is_pjsua2(cls: type) -> bool:
    return any(getattr(c, "__module__", "").startswith("pjsua2") for c in cls.__mro__)


def census() -> Counter[str]:
    """Live objects of interest, after a full collection."""
    gc.collect()
    counts: Counter[str] = Counter(dict.fromkeys(
        ("pj proxies", "PjCall", "CallSession", "Call", "CallUpdate", "HistoryEntry"), 0))
    pj_types: dict[type, bool] = {}
    watched = {PjCall: "PjCall", CallSession: "CallSession", Call: "Call",
               CallUpdate: "CallUpdate", HistoryEntry: "HistoryEntry"}
    for obj in gc.get_objects():
        cls = type(obj)
        name = watched.get(cls)
        if name is not None:
            counts[name] += 1
        is_pj = pj_types.get(cls)
        if is_pj is None:
            is_pj = pj_types[cls] = _is_pjsua2(cls)
        if is_pj:
            counts["pj proxies"] += 1
    return counts


class Load:
    """The call load, shared by both modes: counts finished calls by direction."""

    def __init__(self, engine: Engine, calls: int, hold_ms: int, rate: float,
                 only: str | None = None, out_rate: float = 0) -> None:
        self.engine = engine
        self._out_rate = out_rate  # outgoing calls a second at most; 0: as fast as they end
        self.n_out = {"out": calls, "in": 0}.get(only or "", calls // 2)
        self.n_in = calls - self.n_out
        self.placed = 0
        self.done = 0
        self.done_out = 0
        self.done_in = 0
        self._live_out: set[UUID] = set()
        self.ended_at: list[float] = []
        self.started = time.monotonic()
        self.last_out_end = self.started
        self.uas: SippPeer | None = None
        self.uac: SippPeer | None = None
        if self.n_out:
            self.uas = run_uas("uas_answer_bye", variables={"ring_ms": 0, "hold_ms": hold_ms},
                               extra_args=["-m", str(self.n_out)], timeout_s=7200)
        self.target = parse_target(self.uas.uri() if self.uas else "sip:nobody@127.0.0.1:9")
        self._uac_args = ["-m", str(self.n_in), "-r", f"{rate:g}", "-l", "2"]
        self._hold_ms = hold_ms

    def start_incoming(self) -> None:
        self.started = time.monotonic()
        if self.n_in:
            self.uac = run_uac("uac_bye", f"127.0.0.1:{self.engine.local_port}",
                               variables={"hold_ms": self._hold_ms},
                               extra_args=self._uac_args, timeout_s=7200)

    def on_update(self, update: CallUpdate) -> None:
        call = update.call
        if not call.is_over:
            return
        self.done += 1
        self.ended_at.append(time.monotonic())
        if call.direction is CallDirection.OUTGOING:
            self.done_out += 1
            self.last_out_end = time.monotonic()
            self._live_out.discard(call.id)
        else:
            self.done_in += 1

    def out_rate(self) -> float:
        """Outgoing calls per second, from the load's start to the last one's end."""
        return self.done_out / max(self.last_out_end - self.started, 1e-3)

    def lingering(self, now: float) -> int:
        """Calls ended less than LINGER_S ago: their dialogs are still in pjsip."""
        return sum(1 for t in self.ended_at if now - t < LINGER_S)

    def want_outgoing(self) -> bool:
        if self._out_rate > 0 and self.placed >= (
                time.monotonic() - self.started) * self._out_rate + 1:
            return False  # paced: the level memory settles at depends on the call rate
        return self.placed < self.n_out and len(self._live_out) < OUT_IN_FLIGHT

    def placed_outgoing(self, call_id: UUID) -> None:
        self.placed += 1
        self._live_out.add(call_id)

    @property
    def finished(self) -> bool:
        return self.done_out >= self.n_out and self.done_in >= self.n_in

    def stop(self) -> None:
        for peer in (self.uas, self.uac):
            if peer is not None:
                peer.stop()
                peer.cleanup(keep=False)


# (calls done, seconds since the load began, RSS MB, warmed up)
Row = tuple[int, float, float, bool]


def growth(rows: list[Row]) -> tuple[Row, Row, float] | None:
    """(first, last, MB per 1000 calls) from the first sample after the warm-up to the
    last; None when the run did not outlast the warm-up with calls to spare."""
    last = rows[-1]
    after = [r for r in rows if r[3] and r[0] < last[0]]
    if not after:
        return None
    first = after[0]
    return first, last, (last[2] - first[2]) / (last[0] - first[0]) * 1000


class Table:
    def __init__(self, load: Load, extra: Callable[[], dict[str, int]] | None = None,
                 warm: Callable[[], bool] = lambda: True) -> None:
        """``warm``: what the mode needs beyond WARMUP_S to be past its warm-up."""
        self.load = load
        self.extra = extra
        self.warm = warm
        self.rows: list[Row] = []
        self._header = False

    def sample(self, calls: int, engine: Engine) -> None:
        counts = census()
        counts["out"], counts["in"] = self.load.done_out, self.load.done_in
        now = time.monotonic()
        counts["linger"] = self.load.lingering(now)
        counts["timers"] = len(engine.timers._heap)
        counts["sessions"] = len(engine._sessions)
        if self.extra is not None:
            counts.update(self.extra())
        rss = rss_mb()
        if tracemalloc.is_tracing():
            counts["py KB"] = tracemalloc.get_traced_memory()[0] // 1024
        if not self._header:
            self._keys = list(counts)
            print(f"{'calls':>6} {'s':>5} {'RSS MB':>8} {'MB/100':>7}  " + " ".join(
                f"{k:>{max(6, len(k))}}" for k in self._keys), flush=True)
            self._header = True
        per100 = ""
        if self.rows and calls > self.rows[-1][0]:
            last_calls, _, last_rss, _ = self.rows[-1]
            per100 = f"{(rss - last_rss) / (calls - last_calls) * 100:+.2f}"
        elapsed = max(0.0, now - self.load.started) if self.rows else 0.0
        print(f"{calls:>6} {elapsed:>5.0f} {rss:>8.1f} {per100:>7}  " + " ".join(
            f"{counts.get(k, 0):>{max(6, len(k))}}" for k in self._keys), flush=True)
        self.rows.append((calls, elapsed, rss, elapsed >= WARMUP_S and self.warm()))

    def verdict(self) -> None:
        start, end = self.rows[0], self.rows[-1]
        print(f"RSS: start {start[2]:.1f} MB (engine started, no call yet), "
              f"end {end[2]:.1f} MB after {end[0]} calls")
        found = growth(self.rows)
        if found is not None:
            first, last, per1000 = found
            print(f"growth per 1000 calls: {per1000:.2f} MB after the warm-up "
                  f"(calls {first[0]} to {last[0]}, {first[2]:.1f} -> {last[2]:.1f} MB)")
        elif end[0] > start[0]:
            per1000 = (end[2] - start[2]) / (end[0] - start[0]) * 1000
            print(f"growth per 1000 calls: {per1000:.2f} MB over the whole run, all of it "
                  "inside the warm-up (run more calls for a figure that means something)")
        else:
            print("growth per 1000 calls: n/a (no call finished)")


def run_reference(args: argparse.Namespace, out_rate: float) -> list[Row]:
    """The same load through a bare pjsua2 script (benchmarks/bare_pjsua2_soak.py), its
    outgoing calls placed at ``out_rate`` a second, the pace of our run."""
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bare_pjsua2_soak.py"),
           "--calls", str(args.calls), "--every", str(args.every),
           "--hold-ms", str(args.hold_ms), "--rate", f"{args.rate:g}",
           "--timeout", str(args.timeout), "--out-rate", f"{out_rate:.3f}"]
    if args.only:
        cmd += ["--only", args.only]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout + 60,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise SystemExit(f"the bare pjsua2 reference failed ({proc.returncode}):\n"
                         f"{proc.stderr[-2000:]}")
    rows: list[Row] = []
    for line in proc.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "row":
            elapsed = float(parts[2])
            rows.append((int(parts[1]), elapsed, float(parts[3]), elapsed >= WARMUP_S))
    return rows


def side_by_side(ours: list[Row], bare: list[Row], mode: str) -> None:
    print(f"side by side, the same load at the same pace ({bare[-1][0]} calls; reference: "
          "bare pjsua2 script):")
    print(f"  {'':<18} {'start MB':>9} {'end MB':>8} {'added MB':>9} "
          f"{'growth/1000 after warm-up':>26}")
    for name, rows in ((f"softphone {mode}", ours), ("bare pjsua2", bare)):
        found = growth(rows)
        per1000 = f"{found[2]:.2f} MB" if found else "n/a (short run)"
        print(f"  {name:<18} {rows[0][2]:>9.1f} {rows[-1][2]:>8.1f} "
              f"{rows[-1][2] - rows[0][2]:>9.1f} {per1000:>26}")
    added = [rows[-1][2] - rows[0][2] for rows in (ours, bare)]
    ratio = f"{added[0] / added[1]:.2f}x" if added[1] > 0 else "n/a (the reference added none)"
    print(f"  memory the calls added, softphone/bare: {ratio}")


def make_engine(data: Path, store: bool = True) -> tuple[Engine, History]:
    engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0), recordings_dir=data))
    engine.ring_timeout_s = RING_TIMEOUT_S
    # Overlapping calls, as `softphone listen` takes them: with call waiting, answering one
    # puts the other on hold, and SIPp's scenarios abort on that re-INVITE and leave the
    # held call up for good (the window mode stalled on it; outgoing calls queued behind).
    engine.call_waiting = False
    engine.start()
    history = History.open(data / "history.sqlite3")
    if store:
        engine.add_listener(HistorySaver(history))
    return engine, history


def run_engine(args: argparse.Namespace, data: Path) -> tuple[list[Row], float]:
    engine, history = make_engine(data, not args.no_history)
    load = Load(engine, args.calls, args.hold_ms, args.rate, args.only, args.out_rate)
    answered: set[UUID] = set()

    def answer(call_id: UUID) -> None:
        with contextlib.suppress(EngineError, ValueError):  # the caller gave up first
            engine.answer(call_id)

    def answerer(update: CallUpdate) -> None:
        call = update.call
        if call.direction is CallDirection.INCOMING and call.status is CallStatus.RINGING:
            if call.id not in answered:
                answered.add(call.id)
                engine.call_later(0, lambda: answer(call.id))
        elif call.is_over:
            answered.discard(call.id)

    engine.add_listener(answerer)
    engine.add_listener(load.on_update)
    table = Table(load)
    table.sample(0, engine)
    load.start_incoming()
    next_sample = args.every
    deadline = time.monotonic() + args.timeout
    try:
        while not load.finished and time.monotonic() < deadline:
            while load.want_outgoing():
                try:
                    call = engine.make_call(load.target, dial_timeout_s=args.dial_timeout,
                                            max_duration_s=args.max_duration)
                except CallLimitReached:
                    break
                load.placed_outgoing(call.id)
            engine.poll(10)
            if load.done >= next_sample:
                table.sample(load.done, engine)
                next_sample += args.every
        settle_until = time.monotonic() + 2
        while time.monotonic() < settle_until:
            engine.poll(10)
        table.sample(load.done, engine)
    finally:
        load.stop()
        print(f"calls: {load.done_out} outgoing, {load.done_in} incoming done "
              f"(asked {load.n_out} + {load.n_in})")
        table.verdict()
        engine.shutdown()
        history.close()
    return table.rows, load.out_rate()


def run_window(args: argparse.Namespace, data: Path) -> tuple[list[Row], float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from softphone.app import POLL_INTERVAL_MS
    from softphone.store import CallSettings, Settings
    from softphone.ui.call_card import CallCard
    from softphone.ui.main_window import MainWindow
    from softphone.ui.sip_log import MAX_MESSAGES

    _app = QApplication.instance() or QApplication(sys.argv)
    engine, history = make_engine(data)
    reader = History.open(data / "history.sqlite3")
    settings = Settings(calls=CallSettings(auto_answer=True, auto_answer_after_s=0,
                                           ring_timeout_s=RING_TIMEOUT_S,
                                           dial_timeout_s=args.dial_timeout,
                                           max_duration_s=args.max_duration))
    window = MainWindow(engine, reader, data, settings, None)
    window.show()
    load = Load(engine, args.calls, args.hold_ms, args.rate, args.only, args.out_rate)
    engine.add_listener(load.on_update)
    poll = QTimer()
    poll.timeout.connect(lambda: engine.poll(0))
    poll.start(POLL_INTERVAL_MS)

    def qt_counts() -> dict[str, int]:
        return {
            "cards": len(window.findChildren(CallCard)),
            "QTimers": len(window.findChildren(QTimer)),
            "QObjects": len(window.findChildren(QObject)),
            "hist rows": window.history_pane.model.rowCount(),
            "sip log": len(window.sip_feed.messages),
            "announced": len(window._announced_incoming),
            # A C extension that drops references to True/False it never took counts
            # these down to an abort ("bool_dealloc"), however much memory is free.
            "refs True": sys.getrefcount(True),
            "refs False": sys.getrefcount(False),
        }

    # The SIP log window's feed keeps the newest MAX_MESSAGES (~700 calls' worth): a
    # bounded store that fills once, so growth is measured after it is full.
    table = Table(load, qt_counts, warm=lambda: len(window.sip_feed.messages) >= MAX_MESSAGES)
    loop = QEventLoop()
    state = {"next": args.every}
    deadline = time.monotonic() + args.timeout

    def step() -> None:
        if load.finished or time.monotonic() > deadline:
            loop.quit()
            return
        while load.want_outgoing():
            before = set(window.calls.cards)
            window.dial(load.target.uri)
            new = set(window.calls.cards) - before
            if not new:
                break  # refused (the call limit): try again on the next step
            load.placed_outgoing(new.pop())
        if load.done >= state["next"]:
            table.sample(load.done, engine)
            state["next"] += args.every

    def run_for(ms: int) -> None:
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    run_for(200)
    table.sample(0, engine)
    load.start_incoming()
    driver = QTimer()
    driver.timeout.connect(step)
    driver.start(10)
    try:
        loop.exec()
        driver.stop()
        # Past the ended cards' linger: the panel should be empty again.
        run_for(int((window.calls.linger_s + 1.5) * 1000))
        table.sample(load.done, engine)
    finally:
        load.stop()
        print(f"calls: {load.done_out} outgoing, {load.done_in} incoming done "
              f"(asked {load.n_out} + {load.n_in})")
        table.verdict()
        poll.stop()
        window.detach()
        window.close()
        engine.shutdown()
        history.close()
        reader.close()
    return table.rows, load.out_rate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--engine", action="store_true", help="the engine in process (as the CLI)")
    mode.add_argument("--window", action="store_true", help="the real window, offscreen")
    parser.add_argument("--calls", type=int, default=300, help="calls in all (half each way)")
    parser.add_argument("--every", type=int, default=0,
                        help="sample every N calls (default: calls/10)")
    parser.add_argument("--hold-ms", type=int, default=50, help="talk time of each call")
    parser.add_argument("--rate", type=float, default=10, help="incoming calls per second")
    parser.add_argument("--out-rate", type=float, default=0, metavar="N",
                        help="outgoing calls per second at most (default: each as soon as "
                        "one of the two ends); pin it to compare runs, since memory after the "
                        "warm-up depends on the pace")
    parser.add_argument("--dial-timeout", type=float, default=None, metavar="S")
    parser.add_argument("--max-duration", type=float, default=None, metavar="S")
    parser.add_argument("--no-history", action="store_true",
                        help="engine mode without the history saver (SQLite's share)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also print the Python heap (tracemalloc; slower)")
    parser.add_argument("--only", choices=("out", "in"), help="calls one way only")
    parser.add_argument("--timeout", type=float, default=3600, help="give up after S seconds")
    parser.add_argument("--quick", action="store_true",
                        help="20 calls (10 each way), sampled every 10 (CI)")
    parser.add_argument("--reference", action=argparse.BooleanOptionalAction, default=None,
                        help="also run the load through a bare pjsua2 script (default: on, "
                        "off with --quick)")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.every, args.timeout = 20, 10, min(args.timeout, 60)
    args.every = args.every or max(1, args.calls // 10)
    if args.reference is None:
        args.reference = not args.quick
    data = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    print(f"memory soak, {'window' if args.window else 'engine'} mode: {args.calls} calls, "
          f"hold {args.hold_ms} ms, incoming at {args.rate:g}/s", flush=True)
    if args.tracemalloc:
        tracemalloc.start()
    started = time.monotonic()
    rows, out_rate = run_window(args, data) if args.window else run_engine(args, data)
    print(f"elapsed {time.monotonic() - started:.0f} s", flush=True)
    if args.reference:
        side_by_side(rows, run_reference(args, out_rate), "window" if args.window else "engine")
    if args.window:
        # PySide6 6.12 can abort in the interpreter's final collection after a window
        # has run (bool_dealloc); the figures are out, everything is shut down: skip it.
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
