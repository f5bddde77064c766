"""The memory soak's reference: the same call load through a bare pjsua2 script.

bench_memory_soak.py runs this in its own process (one Endpoint per process) with the
same numbers of calls each way, the same hold time, incoming rate and two outgoing calls
at once, against the same SIPp scenarios, and outgoing calls paced as the measured run's
were (--out-rate): pjsip's memory for ended calls depends on how many ended in the last
32 s. No history, no models, no listeners: what is
left is pjsip's own memory for that load. It prints one line per sample,
``row <calls> <elapsed s> <RSS MB> <lingering>``, and ``done <out> <in>`` at the end.

    .venv/bin/python benchmarks/bare_pjsua2_soak.py --calls 2000 [--only out]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pjsua2 as pj  # noqa: E402

from tests.peers.sipp import SippPeer, run_uac, run_uas  # noqa: E402

# Shared with bench_memory_soak.py, which imports them from here (this script stays free
# of softphone's modules, so that its memory is pjsip's alone).
OUT_IN_FLIGHT = 2  # outgoing calls up at once; with two incoming, the library's 4
LINGER_S = 32.0  # pjsip keeps an ended call's dialog this long (64 x T1, RFC 3261)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Soak:
    def __init__(self, n_out: int, n_in: int) -> None:
        self.n_out, self.n_in = n_out, n_in
        self.placed = 0
        self.done_out = 0
        self.done_in = 0
        self.ended_at: list[float] = []
        self.live: list[pj.Call] = []  # deleted from the loop, never inside a callback
        self.ended: list[pj.Call] = []

    @property
    def done(self) -> int:
        return self.done_out + self.done_in

    def lingering(self, now: float) -> int:
        return sum(1 for t in self.ended_at if now - t < LINGER_S)

    def call_ended(self, call: pj.Call, outgoing: bool) -> None:
        self.ended_at.append(time.monotonic())
        if outgoing:
            self.done_out += 1
        else:
            self.done_in += 1
        self.ended.append(call)

    def reap(self) -> None:
        for call in self.ended:
            self.live.remove(call)
        self.ended.clear()


class SoakCall(pj.Call):
    def __init__(self, soak: Soak, account: pj.Account, outgoing: bool,
                 call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, call_id)
        self.soak = soak
        self.outgoing = outgoing

    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        if self.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.soak.call_ended(self, self.outgoing)


class SoakAccount(pj.Account):
    def __init__(self, soak: Soak) -> None:
        super().__init__()
        self.soak = soak

    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        call = SoakCall(self.soak, self, False, prm.callId)
        self.soak.live.append(call)
        answer = pj.CallOpParam()
        answer.statusCode = 200
        call.answer(answer)


def place_call(soak: Soak, account: pj.Account, uri: str) -> None:
    # No local keeps the Call: every one must be gone before libDestroy().
    call = SoakCall(soak, account, True)
    call.makeCall(uri, pj.CallOpParam(True))
    soak.live.append(call)
    soak.placed += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--every", type=int, default=30)
    parser.add_argument("--hold-ms", type=int, default=50)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--only", choices=("out", "in"))
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--out-rate", type=float, default=0,
                        help="outgoing calls per second at most (0: as fast as they end), so "
                        "the reference runs at the measured run's pace")
    args = parser.parse_args()
    n_out = {"out": args.calls, "in": 0}.get(args.only or "", args.calls // 2)
    n_in = args.calls - n_out

    saved = os.dup(1)  # pjlib prints its banner on stdout: keep our rows clean
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.uaConfig.maxCalls = 4  # as the engine: two each way
    cfg.logConfig.level = 0
    cfg.logConfig.consoleLevel = 0
    ep.libInit(cfg)
    os.dup2(saved, 1)
    ep.audDevManager().setNullDev()
    tc = pj.TransportConfig()
    tc.port = 0
    tc.boundAddress = "127.0.0.1"
    tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
    ep.libStart()
    port = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
    soak = Soak(n_out, n_in)
    acfg = pj.AccountConfig()
    acfg.idUri = f"sip:bare@127.0.0.1:{port}"
    acfg.sipConfig.transportId = tid
    account = SoakAccount(soak)
    account.create(acfg, True)

    peers: list[SippPeer] = []
    if n_out:
        peers.append(run_uas("uas_answer_bye", variables={"ring_ms": 0, "hold_ms": args.hold_ms},
                             extra_args=["-m", str(n_out)], timeout_s=7200))
    uri = peers[0].uri() if peers else ""
    started = time.monotonic()
    print(f"row 0 0.0 {rss_mb():.1f} 0", flush=True)
    if n_in:
        peers.append(run_uac("uac_bye", f"127.0.0.1:{port}", variables={"hold_ms": args.hold_ms},
                             extra_args=["-m", str(n_in), "-r", f"{args.rate:g}", "-l", "2"],
                             timeout_s=7200))
    next_sample = args.every
    deadline = started + args.timeout
    try:
        while soak.done < n_out + n_in and time.monotonic() < deadline:
            out_live = sum(1 for c in soak.live if c.outgoing)
            due = (soak.placed if args.out_rate <= 0
                   else min(n_out, int((time.monotonic() - started) * args.out_rate) + 1))
            while soak.placed < due and soak.placed < n_out and out_live < OUT_IN_FLIGHT:
                place_call(soak, account, uri)
                out_live += 1
            ep.libHandleEvents(10)
            soak.reap()
            if soak.done >= next_sample:
                gc.collect()
                now = time.monotonic()
                print(f"row {soak.done} {now - started:.1f} {rss_mb():.1f} "
                      f"{soak.lingering(now)}", flush=True)
                next_sample += args.every
    finally:
        for peer in peers:
            peer.stop()
            peer.cleanup(keep=False)
    print(f"done {soak.done_out} {soak.done_in}", flush=True)
    soak.live.clear()
    soak.ended.clear()
    gc.collect()
    account.shutdown()
    ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)


if __name__ == "__main__":
    main()
