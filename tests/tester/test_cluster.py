"""`softphone test --cluster`: the jobs on a local Dask cluster started here (two worker
processes, each running its own engine processes), against SIPp."""

from __future__ import annotations

import json

import pytest

from tests.peers.sipp import SippPeer, free_udp_port, run_uas
from tests.softphone_cli import history_json, run_cli

distributed = pytest.importorskip("distributed")  # the optional [cluster] extra
pytestmark = pytest.mark.sip


def test_the_same_jobs_run_on_a_dask_cluster(data_dir, tmp_path):
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host="127.0.0.1")
    uas = SippPeer("uas", builtin=True, extra_args=["-m", "4"], port=free_udp_port()).start()
    busy = run_uas("uas_486", port=free_udp_port(), extra_args=["-m", "2"])
    try:
        listing = tmp_path / "numbers.csv"
        listing.write_text("target,expect\n" + f"{uas.uri()},answered\n" * 4
                           + f"{busy.uri()},busy\n" * 2)
        result = run_cli("test", str(listing), "--cluster", cluster.scheduler_address,
                         "--concurrency", "6", "--max-duration", "1", "--json",
                         data_dir=data_dir, timeout=120)
        uas.assert_success(timeout=15)
        busy.assert_success(timeout=15)
    finally:
        uas.stop()
        busy.stop()
        cluster.close()
    assert result.returncode == 0, result.explain()
    got = sorted((json.loads(line) for line in result.stdout.splitlines()), key=lambda r: r["job"])
    assert [(r["job"], r["outcome"], r["passed"]) for r in got] == [
        (1, "answered", True), (2, "answered", True), (3, "answered", True),
        (4, "answered", True), (5, "busy", True), (6, "busy", True)]
    stored = history_json(data_dir)  # every call came back into this machine's history
    assert {c["id"] for c in stored} == {r["call_id"] for r in got}
    # One chunk per Dask worker, each with its own engine process (its own SIP port).
    assert len({c["source"]["target"] for c in stored}) == 2


def test_an_unreachable_cluster_is_one_line(data_dir, tmp_path):
    listing = tmp_path / "numbers.csv"
    listing.write_text("target\nsip:a@127.0.0.1:9\n")
    result = run_cli("test", str(listing), "--cluster", f"tcp://127.0.0.1:{free_udp_port()}",
                     data_dir=data_dir, timeout=60)
    assert result.returncode == 1, result.explain()
    assert "cannot reach the Dask scheduler" in result.stderr


def test_ctrl_c_ends_the_calls_on_every_dask_worker_and_keeps_the_results(data_dir, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.softphone_cli import ROOT, CliResult, check_stderr, clean_env

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, host="127.0.0.1")
    ringing = [run_uas("uas_ring_until_cancel", port=free_udp_port()) for _ in range(2)]
    try:
        listing = tmp_path / "numbers.csv"
        # Two chunks of three: each rings its first number and keeps the rest waiting.
        listing.write_text("target,label\n" + f"{ringing[0].uri()},a\n"
                           + f"{ringing[0].uri()},later\n" * 2 + f"{ringing[1].uri()},b\n"
                           + f"{ringing[1].uri()},later\n" * 2)
        proc = subprocess.Popen(
            [sys.executable, "-m", "softphone", "--data-dir", str(data_dir), "test",
             str(listing), "--cluster", cluster.scheduler_address, "--concurrency", "2",
             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, env=clean_env(None), cwd=ROOT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while not all(any(line.startswith("INVITE") for line in p.received_first_lines())
                      for p in ringing):
            assert time.monotonic() < deadline and proc.poll() is None, "calls never rang"
            time.sleep(0.1)
        time.sleep(0.3)
        # Only this machine's command gets Ctrl+C: the calls are up on the Dask workers.
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
        for peer in ringing:
            peer.assert_success(timeout=10)  # each got a CANCEL from its worker
    finally:
        for peer in ringing:
            peer.stop()
        cluster.close()
    result = CliResult(proc.returncode, stdout, stderr)
    check_stderr(result)
    assert proc.returncode == 130, result.explain()
    got = sorted((json.loads(line) for line in stdout.splitlines()), key=lambda r: r["job"])
    assert [(r["job"], r["outcome"]) for r in got] == [
        (1, "cancel"), (2, "not called"), (3, "not called"),
        (4, "cancel"), (5, "not called"), (6, "not called")]
    assert "stopped by Ctrl+C" in stderr
    assert sorted(c["hangup_reason"] for c in history_json(data_dir)) == ["cancel", "cancel"]
