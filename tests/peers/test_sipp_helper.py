"""Quick checks of the SIPp helper and scenarios, SIPp against SIPp (no pjsua2 needed)."""

from __future__ import annotations

import os
import shutil
import socket
import time

import pytest

from .sipp import (
    KILLED,
    SCENARIO_DIR,
    SippError,
    free_udp_port,
    run_uac,
    run_uas,
    sipp_available,
)

pytestmark = pytest.mark.skipif(not sipp_available(), reason="sipp is not installed")

ALL_SCENARIOS = sorted(p.stem for p in SCENARIO_DIR.glob("*.xml"))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a zombie still answers kill(0); it is reaped by Popen.wait, so look at /proc
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] == "Z"
    except OSError:
        return True


def test_free_udp_port_is_bindable():
    port = free_udp_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", port))


@pytest.mark.parametrize("name", ALL_SCENARIOS)
def test_every_scenario_loads(name):
    """SIPp parses the scenario (bad XML or unused variables make it exit at start)."""
    if name.startswith("uac_"):
        # Target: a bound UDP socket that never answers.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
            sink.bind(("127.0.0.1", 0))
            target = "127.0.0.1:%d" % sink.getsockname()[1]
            peer = run_uac(name, target, timeout_s=10)
            with peer:
                assert peer.running()
                sink.settimeout(5)
                data, _ = sink.recvfrom(65535)
                assert data.startswith(b"INVITE sip:test@" + target.encode())
    else:
        with run_uas(name, timeout_s=10) as peer:
            assert peer.running()
            assert peer.uri() == f"sip:test@127.0.0.1:{peer.port}"
            time.sleep(0.1)
            assert peer.running()
    assert peer.returncode == KILLED  # stopped by us: never reported as success
    assert _gone(peer.pid)


@pytest.mark.parametrize(
    "uas, uac, uas_vars, uac_vars, codes",
    [
        ("uas_486", "uac_expect_reject", {}, {}, [100, 486]),
        ("uas_404", "uac_expect_reject", {}, {}, [100, 404]),
        ("uas_600", "uac_expect_reject", {}, {}, [100, 600]),
        ("uas_503", "uac_expect_reject", {}, {}, [100, 503]),
        ("uas_604", "uac_expect_reject", {}, {}, [100, 604]),
        ("uas_183_603", "uac_expect_reject", {"ring_ms": 50}, {}, [100, 183, 603]),
        ("uas_480", "uac_ring_until_final", {"ring_ms": 50}, {}, [100, 180, 480]),
        ("uas_487", "uac_ring_until_final", {"ring_ms": 50}, {}, [100, 180, 487]),
        ("uas_ring_until_cancel", "uac_cancel", {}, {"cancel_after_ms": 100},
         [100, 180, 200, 487]),
        ("uas_answer_wait", "uac_bye", {"ring_ms": 0}, {"hold_ms": 100}, [100, 180, 200, 200]),
        ("uas_answer_bye", "uac_wait_remote_bye", {"ring_ms": 0, "hold_ms": 100}, {},
         [100, 180, 200]),
    ],
)
def test_scenarios_against_each_other(uas, uac, uas_vars, uac_vars, codes):
    with run_uas(uas, variables=uas_vars, timeout_s=20) as server:
        with run_uac(uac, server.host_port, variables=uac_vars, timeout_s=20) as client:
            client.assert_success(timeout=10)
            server.assert_success(timeout=10)
            assert client.received_status_codes() == codes


def test_failure_is_reported_with_logs():
    with run_uas("uas_486", timeout_s=20) as server:
        with run_uac("uac_bye", server.host_port, timeout_s=20) as client:
            assert client.wait(10) == 1  # 486 was not in uac_bye's script
            with pytest.raises(SippError) as err:
                client.assert_success(timeout=1)
    text = str(err.value)
    assert "exit status 1" in text and "486 Busy Here" in text
    assert str(client.workdir) in text and client.workdir.exists()  # kept for a post-mortem
    shutil.rmtree(client.workdir)


def test_global_timeout_ends_sipp_with_failure():
    with run_uas("uas_486", timeout_s=1) as peer:
        assert peer.wait(10) == 255  # -timeout_error: SIPp's fatal status
        assert "timed out" in peer.diagnostics()
    shutil.rmtree(peer.workdir)


def test_no_sipp_left_behind():
    peer = run_uas("uas_ring_until_cancel", timeout_s=30)
    pid = peer.pid
    with peer:
        assert peer.running()
    assert _gone(pid)
    assert peer.wait(0) == KILLED
