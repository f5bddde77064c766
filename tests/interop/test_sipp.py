"""softphone against SIPp: its built-in uac and uas scenarios, and issue 9 items 1, 3 and 5
(a final answer with no provisional, Latin-1 wire text, offers we cannot use)."""

from __future__ import annotations

from pathlib import Path

import pytest

from softphone.store.history import History
from tests.peers.sipp import SCENARIO_DIR, SippPeer, sipp_available
from tests.softphone_cli import history_json

pytestmark = [
    pytest.mark.sip, pytest.mark.interop,
    pytest.mark.skipif(not sipp_available(), reason="sipp is not installed (.ci/run)"),
]


def only(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


def outcome(call: dict) -> tuple[str, str, str, str]:
    return call["direction"], call["status"], call["hangup_by"], call["hangup_reason"]


def stored(data_dir: Path, call_id: str):
    with History.open(data_dir / "history.sqlite3") as h:
        entry = h.get(call_id)
    assert entry is not None, f"call {call_id} not in history"
    return entry


# -- SIPp's own scenarios ---------------------------------------------------------------

def test_sipp_builtin_uac_calls_softphone_listen(data_dir, peers, softphone):
    sp = softphone("listen", "--calls", "1", "--json")
    sipp = peers(SippPeer("uac", builtin=True, remote=sp.host_port, service="softphone"))
    result = sp.finish(40)
    sipp.assert_success(timeout=15)
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert outcome(call) == ("incoming", "hangup", "remote", "normal")
    assert call["tm_progressing"]
    assert outcome(only(history_json(data_dir))) == outcome(call)


def test_softphone_call_to_sipp_builtin_uas(data_dir, peers, softphone):
    sipp = peers(SippPeer("uas", builtin=True))
    sp = softphone("call", sipp.uri(), "--json", "--hangup-after", "1")
    result = sp.finish(40)
    sipp.assert_success(timeout=15)
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert outcome(call) == ("outgoing", "hangup", "local", "normal")
    assert outcome(only(history_json(data_dir))) == outcome(call)


# -- issue 9 item 1: a final answer with no provisional before it -------------------------

@pytest.mark.parametrize(("code", "phrase", "reason"), [
    (486, "Busy Here", "busy"),
    (480, "Temporarily Unavailable", "noanswer"),
    (603, "Decline", "noanswer"),
])
def test_final_answer_without_provisional_is_told_right(data_dir, tmp_path, peers, softphone,
                                                          code, phrase, reason):
    template = (SCENARIO_DIR / "uas_final_at_once.xml").read_text()
    scenario = tmp_path / f"uas_{code}_at_once.xml"
    scenario.write_text(template.replace("486 Busy Here", f"{code} {phrase}"))
    sipp = peers(SippPeer(str(scenario)))
    sp = softphone("call", sipp.uri(), "--json")
    result = sp.finish(30)
    sipp.assert_success(timeout=10)
    call = only(result.calls)
    assert outcome(call) == ("outgoing", "hangup", "remote", reason), result.explain()
    entry = stored(data_dir, call["id"])
    assert entry.sip_code == code
    assert entry.user_agent == "BusyPhone/1.0"
    assert "could not be sent" not in (entry.detail or "")


# -- issue 9 item 3: wire text that is not UTF-8 -----------------------------------------

def _latin1_scenario(workdir: Path, base: str) -> Path:
    """``base`` with a Latin-1 User-Agent, written in ISO-8859-1 as SIPp sends it."""
    text = (SCENARIO_DIR / f"{base}.xml").read_text(encoding="latin-1")
    assert "User-Agent: SIPp" in text
    path = workdir / f"{base}_latin1.xml"
    path.write_bytes(text.replace("User-Agent: SIPp", "User-Agent: Gr\xfcn PBX 1.0")
                     .encode("latin-1"))
    return path


@pytest.mark.parametrize(("policy", "base", "by", "reason"), [
    ((), "uac_bye", "remote", "normal"),
    (("--reject",), "uac_expect_reject", "local", "busy"),
])
def test_latin1_caller_name_and_user_agent_are_stored_with_replacement(
        data_dir, tmp_path, peers, softphone, policy, base, by, reason):
    sp = softphone("listen", "--calls", "1", "--json", *policy)
    # From: "J\xf6rg" as raw bytes (argv passes them through: surrogateescape).
    sipp = peers(SippPeer(str(_latin1_scenario(tmp_path, base)), remote=sp.host_port,
                          service="softphone",
                          variables={"from_name": "J\udcf6rg", "from_user": "joerg"}))
    result = sp.finish(40)
    sipp.assert_success(timeout=15)
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert outcome(call) == ("incoming", "hangup", by, reason)
    assert call["source"]["name"] == "J\ufffdrg"
    entry = stored(data_dir, call["id"])
    assert entry.call.source.name == "J\ufffdrg"
    assert entry.user_agent == "Gr\ufffdn PBX 1.0"


# -- issue 9 item 5: offers we cannot use ------------------------------------------------

@pytest.mark.parametrize(("conn", "media", "rtpmap"), [
    ("IN IP6 ::1", "audio 6000 RTP/AVP 0", "0 PCMU/8000"),
    ("IN IP4 999.1.1.1", "audio 6000 RTP/AVP 0", "0 PCMU/8000"),
    ("IN IP4 127.0.0.1", "audio 6000 RTP/AVP 111", "111 opus/48000/2"),
], ids=["ipv6-offer", "invalid-address", "opus-only"])
def test_an_offer_we_cannot_use_is_refused_by_us_quietly(data_dir, peers, softphone,
                                                          conn, media, rtpmap):
    sp = softphone("listen", "--calls", "1", "--json")
    sipp = peers(SippPeer("uac_offer_expect_488", remote=sp.host_port, service="softphone",
                          variables={"conn": conn, "media": media, "rtpmap": rtpmap}))
    result = sp.finish(40)  # strict: a traceback on stderr fails here
    sipp.assert_success(timeout=15)  # SIPp got 488
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert outcome(call) == ("incoming", "hangup", "local", "failed")
    error_lines = [ln for ln in result.stderr.splitlines() if ln.startswith(("ERROR", "WARNING"))]
    assert len(error_lines) <= 1, result.stderr
    entry = stored(data_dir, call["id"])
    assert entry.sip_code == 488
    assert entry.detail, "the reason belongs in the call's details"


def test_latin1_reason_phrase_and_server_header_are_stored_with_replacement(
        data_dir, tmp_path, peers, softphone):
    """Issue 9 item 3, on an outgoing call: a 486 whose reason phrase and Server header
    hold Latin-1 bytes (as an old PBX sends them)."""
    template = (SCENARIO_DIR / "uas_final_at_once.xml").read_text()
    scenario = tmp_path / "uas_486_latin1.xml"
    scenario.write_bytes(template.replace("486 Busy Here", "486 Besch\xe4ftigt")
                         .replace("Server: BusyPhone/1.0", "Server: Gr\xfcn PBX 1.0")
                         .encode("latin-1"))
    sipp = peers(SippPeer(str(scenario)))
    sp = softphone("call", sipp.uri(), "--json")
    result = sp.finish(30)
    sipp.assert_success(timeout=10)
    call = only(result.calls)
    assert outcome(call) == ("outgoing", "hangup", "remote", "busy"), result.explain()
    entry = stored(data_dir, call["id"])
    assert entry.sip_reason == "Besch\ufffdftigt"
    assert entry.user_agent == "Gr\ufffdn PBX 1.0"
