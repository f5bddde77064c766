"""Call set-up time on loopback: softphone's layers against a bare pjsua2 script.

Both make the same call to the same answering SIPp peer (answers at once, waits for BYE).
Two measurements, side by side in one run:

- in process: from ``Engine.make_call()`` to the listener seeing ``progressing``, against
  ``pj.Call.makeCall()`` to ``CONFIRMED`` in a bare pjsua2 script (each in its own process:
  one Endpoint per process);
- whole command: from starting ``softphone call`` to its ``progressing`` line on stderr,
  against starting the bare script to its ``CONFIRMED`` line (start-up included).

The ratio of medians is the overhead of our layers. Run:

    .venv/bin/python benchmarks/bench_call_setup.py [--calls 30] [--commands 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_SCRIPT = r"""
import sys, time, json
import pjsua2 as pj
import os
uri, calls = sys.argv[1], int(sys.argv[2])
saved = os.dup(1); os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
ep = pj.Endpoint(); ep.libCreate()
os.dup2(saved, 1)
cfg = pj.EpConfig(); cfg.uaConfig.threadCnt = 0; cfg.uaConfig.mainThreadOnly = True
cfg.logConfig.level = 0; cfg.logConfig.consoleLevel = 0
ep.libInit(cfg); ep.audDevManager().setNullDev()
tc = pj.TransportConfig(); tc.port = 0; tc.boundAddress = "127.0.0.1"
tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc); ep.libStart()
port = ep.transportGetInfo(tid).localName.rsplit(":", 1)[1]
acfg = pj.AccountConfig(); acfg.idUri = f"sip:bare@127.0.0.1:{port}"
acfg.sipConfig.transportId = tid
acc = pj.Account(); acc.create(acfg, True)
state = {}
class C(pj.Call):
    def onCallState(self, prm):
        state["s"] = self.getInfo().state
times = []
for _ in range(calls):
    state.clear()
    c = C(acc)
    t0 = time.perf_counter()
    c.makeCall(uri, pj.CallOpParam(True))
    while state.get("s") != pj.PJSIP_INV_STATE_CONFIRMED:
        ep.libHandleEvents(1)
    times.append(time.perf_counter() - t0)
    print("CONFIRMED", flush=True)
    c.hangup(pj.CallOpParam())
    while state.get("s") != pj.PJSIP_INV_STATE_DISCONNECTED:
        ep.libHandleEvents(1)
    for _ in range(5):
        ep.libHandleEvents(1)
    del c
print(json.dumps(times), flush=True)
acc = None
ep.libDestroy(pj.PJSUA_DESTROY_NO_NETWORK)
"""

SOFTPHONE_WORKER = r"""
import sys, time, json
from softphone.engine import BindAddress, Engine, EngineConfig
from softphone.model import CallStatus, parse_target
uri, calls = sys.argv[1], int(sys.argv[2])
engine = Engine(EngineConfig(bind=BindAddress("127.0.0.1", 0)))
engine.start()
seen = {}
engine.add_listener(lambda u: seen.__setitem__(u.call.id, u.call.status))
target = parse_target(uri)
times = []
for _ in range(calls):
    t0 = time.perf_counter()
    call = engine.make_call(target)
    while seen.get(call.id) is not CallStatus.PROGRESSING:
        engine.poll(1)
    times.append(time.perf_counter() - t0)
    engine.hangup(call.id)
    while seen.get(call.id) is not CallStatus.HANGUP:
        engine.poll(1)
    for _ in range(5):
        engine.poll(1)
print(json.dumps(times), flush=True)
engine.shutdown()
"""


def _sipp(calls: int) -> tuple[object, str]:
    from tests.peers.sipp import run_uas

    peer = run_uas("uas_answer_wait", variables={"ring_ms": 0},
                   extra_args=["-m", str(calls)], timeout_s=600)
    return peer, peer.uri()


def _worker(code: str, uri: str, calls: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code, uri, str(calls)], capture_output=True,
                          text=True, timeout=600, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"worker failed:\n{proc.stderr[-3000:]}")
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


def _command_time(argv: list[str], marker: str) -> float:
    """Seconds from spawning a command to the first stdout/stderr line containing marker."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=ROOT)
    assert proc.stdout is not None
    elapsed = None
    for line in proc.stdout:
        if marker in line and elapsed is None:
            elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    if elapsed is None:
        raise SystemExit(f"{argv[:4]} never printed {marker!r}")
    return elapsed


def _row(name: str, values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
    return (f"  {name:<34} median {statistics.median(values) * 1000:8.2f} ms   "
            f"p90 {p90 * 1000:8.2f} ms   n={len(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--commands", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 calls, 1 command each (CI)")
    args = parser.parse_args()
    if args.quick:
        args.calls, args.commands = 3, 1

    results: dict[str, list[float]] = {}
    for name, code in (("bare pjsua2", BARE_SCRIPT), ("softphone engine", SOFTPHONE_WORKER)):
        peer, uri = _sipp(args.calls)
        with peer:  # type: ignore[attr-defined]
            results[name] = _worker(code, uri, args.calls)

    bare_cmd: list[float] = []
    cli_cmd: list[float] = []
    for _ in range(args.commands):
        peer, uri = _sipp(1)
        with peer:  # type: ignore[attr-defined]
            bare_cmd.append(_command_time([sys.executable, "-c", BARE_SCRIPT, uri, "1"],
                                          "CONFIRMED"))
        peer, uri = _sipp(1)
        with peer:  # type: ignore[attr-defined]
            data = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-setup-{os.getpid()}"
            cli_cmd.append(_command_time(
                [sys.executable, "-m", "softphone", "--data-dir", str(data), "call", uri,
                 "--bind", "127.0.0.1:0", "--hangup-after", "0.2"], ": progressing"))

    print("call set-up on loopback (SIPp answers at once)")
    print("in process, make-call to answered:")
    print(_row("bare pjsua2 (makeCall->CONFIRMED)", results["bare pjsua2"]))
    print(_row("softphone (make_call->progressing)", results["softphone engine"]))
    ratio = statistics.median(results["softphone engine"]) / statistics.median(
        results["bare pjsua2"])
    print(f"  ratio softphone/bare: {ratio:.2f}")
    print("whole command, process start to answered:")
    print(_row("bare pjsua2 script", bare_cmd))
    print(_row("softphone call", cli_cmd))
    print(f"  ratio softphone/bare: {statistics.median(cli_cmd) / statistics.median(bare_cmd):.2f}")


if __name__ == "__main__":
    main()
