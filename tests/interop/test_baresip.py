"""softphone against baresip (Debian's baresip-core), a softphone nobody here wrote.

Calls each way with their history rows; issue 9 items 2 (a REFER from baresip) and 4 (a
two-codec answer and hold/resume while recording).
"""

from __future__ import annotations

import time

import pytest

from tests.audio_analysis import dominant_frequency, read_wav, segment, tone_level_dbfs
from tests.peers.baresip import Baresip, baresip_available
from tests.peers.sipp import SippPeer
from tests.softphone_cli import history_json

pytestmark = [
    pytest.mark.sip, pytest.mark.interop,
    pytest.mark.skipif(not baresip_available(), reason="baresip is not installed (.ci/run)"),
]


def only(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


def test_call_to_baresip_answered_and_hung_up_by_us(data_dir, peers, softphone):
    bs = peers(Baresip())
    sp = softphone("call", bs.uri(), "--json", "--hangup-after", "2")
    result = sp.finish(30)
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert (call["direction"], call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "outgoing", "hangup", "local", "normal")
    assert call["tm_progressing"], call
    bs.wait_event("CALL_CLOSED")
    row = only(history_json(data_dir))
    assert row["id"] == call["id"]
    assert (row["direction"], row["hangup_by"], row["hangup_reason"]) == (
        "outgoing", "local", "normal")
    assert row["destination"]["target"] == bs.uri()


def test_call_from_baresip_answered_and_hung_up_by_baresip(data_dir, peers, softphone):
    sp = softphone("listen", "--calls", "1", "--json")
    bs = peers(Baresip(user="carol"))
    bs.dial(sp.uri())
    bs.wait_event("CALL_ESTABLISHED")
    bs.cmd("hangup")
    result = sp.finish(30)
    assert result.returncode == 0, result.explain()
    call = only(result.calls)
    assert (call["direction"], call["status"], call["hangup_by"], call["hangup_reason"]) == (
        "incoming", "hangup", "remote", "normal")
    assert call["source"]["target"].startswith("sip:carol@127.0.0.1"), call["source"]
    row = only(history_json(data_dir))
    assert (row["id"], row["direction"], row["hangup_by"], row["hangup_reason"]) == (
        call["id"], "incoming", "remote", "normal")


def _recording(data_dir, call: dict):
    assert len(call["recording_ids"]) == 1, call
    files = list((data_dir / "recordings").glob(f"*_{call['recording_ids'][0]}.wav"))
    assert len(files) == 1, list((data_dir / "recordings").iterdir())
    return read_wav(files[0])


def _wait_recorded(data_dir, seconds: float, timeout: float = 15) -> None:
    """Until the call's WAV (16 kHz mono) holds ``seconds`` of audio: polled, since a
    growing file sends no event."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        wavs = list((data_dir / "recordings").glob("*.wav"))
        if wavs and wavs[0].stat().st_size > 44 + seconds * 16000 * 2:
            return
        time.sleep(0.05)
    raise AssertionError(f"the recording never reached {seconds} s")


def _assert_tone_at_the_end(samples, rate, hz: float, last_s: float = 1.5) -> None:
    duration = samples.size / rate
    tail = segment(samples, rate, max(0.0, duration - last_s - 0.3), duration - 0.3)
    level = tone_level_dbfs(tail, rate, hz)
    assert level > -40, f"no {hz} Hz tone in the last {last_s} s: {level:.1f} dBFS"
    assert abs(dominant_frequency(tail, rate) - hz) < 15


def test_recording_holds_the_far_end_with_a_one_codec_answer(data_dir, peers, softphone):
    """The control for the two tests below: no re-INVITE, the tone is recorded today."""
    bs = peers(Baresip(codecs="PCMU", tone_hz=440))
    sp = softphone("call", bs.uri(), "--json", "--record", "--hangup-after", "4")
    result = sp.finish(30)
    assert result.returncode == 0, result.explain()
    samples, rate = _recording(data_dir, only(result.calls))
    _assert_tone_at_the_end(samples, rate, 440)


def test_recording_keeps_the_far_end_after_a_two_codec_answer(data_dir, peers, softphone):
    """Issue 9 item 4: baresip answers with PCMU and PCMA, pjsua re-INVITEs to lock one,
    the stream is rebuilt; the WAV must still hold baresip's tone at its end."""
    bs = peers(Baresip(codecs="PCMU,PCMA", tone_hz=440))
    sp = softphone("call", bs.uri(), "--json", "--record", "--hangup-after", "4")
    result = sp.finish(30)
    assert result.returncode == 0, result.explain()
    samples, rate = _recording(data_dir, only(result.calls))
    _assert_tone_at_the_end(samples, rate, 440)


@pytest.mark.parametrize("codecs", ["PCMU", "PCMU,PCMA"])
def test_recording_keeps_the_far_end_after_hold_and_resume(data_dir, peers, softphone, codecs):
    """Issue 9 item 4, again after baresip puts the call on hold and takes it back (with
    one codec too, so hold/resume alone is tried without the codec-locking re-INVITE)."""
    bs = peers(Baresip(codecs=codecs, tone_hz=440))
    sp = softphone("call", bs.uri(), "--json", "--record", "--hangup-after", "7")
    bs.wait_event("CALL_ESTABLISHED")
    bs.wait_event("CALL_RTPESTAB")
    _wait_recorded(data_dir, seconds=1.5)  # the tone is on record before the hold
    mark = len(bs.events)
    assert bs.cmd("hold")["ok"]
    bs.wait_event("CALL_REMOTE_SDP", after=mark)  # our answer to the hold re-INVITE
    mark = len(bs.events)
    assert bs.cmd("resume")["ok"]
    bs.wait_event("CALL_REMOTE_SDP", after=mark)
    result = sp.finish(30)
    assert result.returncode == 0, result.explain()
    samples, rate = _recording(data_dir, only(result.calls))
    if codecs == "PCMU":  # no re-INVITE before hold: the tone is there until hold
        early = segment(samples, rate, 0.3, 1.2)
        assert tone_level_dbfs(early, rate, 440) > -40, "no tone even before hold"
    _assert_tone_at_the_end(samples, rate, 440, last_s=1.5)


@pytest.mark.parametrize(("scenario", "reason"), [("uas_404", "failed"),
                                                   ("uas_answer_bye", "normal")])
def test_transfer_from_baresip_never_crashes_and_lands_in_history(
        data_dir, peers, softphone, scenario, reason):
    """Issue 9 item 2: baresip transfers an answered call (REFER). softphone must not
    crash (exit 139) and the call pjsua2 places to the target is an outgoing Call of ours
    in history."""
    target = peers(SippPeer(scenario))
    bs = peers(Baresip())
    sp = softphone("call", bs.uri(), "--json", "--hangup-after", "6")
    bs.wait_event("CALL_ESTABLISHED")
    assert bs.cmd("transfer", target.uri())["ok"]
    target.wait(20)
    result = sp.finish(40)
    # 139 from a shell, -11 from Popen: SIGSEGV either way.
    assert result.returncode not in (139, -11), "softphone crashed (SIGSEGV)\n" + result.explain()
    assert result.returncode == 0, result.explain()
    rows = history_json(data_dir)
    to_target = [r for r in rows if r["destination"]["target"].startswith(target.uri())]
    assert len(rows) == 2 and len(to_target) == 1, rows
    new = to_target[0]
    assert (new["direction"], new["status"], new["hangup_reason"]) == (
        "outgoing", "hangup", reason), new
