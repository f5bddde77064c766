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
