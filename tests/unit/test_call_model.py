import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from softphone.model import Call, CallStatus, HangupBy, HangupReason, IllegalTransition, Timestamp
from softphone.model.status import ALLOWED_MOVES

EXAMPLE = Path(__file__).parent.parent / "data" / "voipbin_call_example.json"


def example() -> dict:
    return json.loads(EXAMPLE.read_text())


def test_seed_example_round_trips_unchanged():
    raw = example()
    assert json.loads(Call.model_validate(raw).model_dump_json()) == raw


def test_seed_field_order_and_names():
    raw = example()
    assert list(json.loads(Call.model_validate(raw).model_dump_json())) == list(raw)


def test_fresh_call_uses_seed_spellings():
    dumped = json.loads(Call().model_dump_json())
    assert dumped["master_call_id"] == "00000000-0000-0000-0000-000000000000"
    assert dumped["chained_call_ids"] == []
    assert dumped["source"] == {"type": "", "target": "", "target_name": "", "name": "", "detail": ""}
    assert dumped["status"] == "dialing"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "answered"),
        ("direction", "sideways"),
        ("hangup_by", "nobody"),
        ("hangup_reason", "because"),
        ("type", "party"),
        ("id", "not-a-uuid"),
        ("tm_create", "yesterday"),
        ("tm_create", "2022-13-45 99:99:99"),
        ("recording_ids", ["nope"]),
    ],
)
def test_bad_values_are_rejected_clearly(field, value):
    raw = example()
    raw[field] = value
    with pytest.raises(ValidationError) as info:
        Call.model_validate(raw)
    assert field in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["2022-05-01 15:10:38.785510", "2022-05-01T15:10:38.785510Z", "2022-05-01T15:10:38.785510+00:00"],
)
def test_timestamps_in_every_voipbin_form(text):
    raw = example()
    raw["tm_progressing"] = text
    assert Call.model_validate(raw).model_dump(mode="json")["tm_progressing"] == "2022-05-01 15:10:38.785510"


def test_timezone_offset_is_normalised_to_utc():
    ts = Timestamp.parse("2022-05-01T17:10:38.5+02:00")
    assert str(ts) == "2022-05-01 15:10:38.500000"


@pytest.mark.parametrize("unset", [None, "", "9999-01-01 00:00:00.000000", "9999-01-01T00:00:00Z"])
def test_unset_timestamps(unset):
    raw = example()
    raw["tm_hangup"] = unset
    assert Call.model_validate(raw).tm_hangup is None


def test_missing_keys_take_unset_values():
    call = Call.model_validate({"id": "d9d32881-12fd-4b19-a6b2-6d5b6b6acf76", "chained_call_ids": None})
    assert call.chained_call_ids == []
    assert str(call.master_call_id) == "00000000-0000-0000-0000-000000000000"
    assert call.tm_hangup is None


def test_all_allowed_moves():
    expected = {
        ("dialing", "ringing"), ("dialing", "progressing"), ("dialing", "terminating"),
        ("dialing", "canceling"), ("dialing", "hangup"),
        ("ringing", "progressing"), ("ringing", "terminating"), ("ringing", "canceling"),
        ("ringing", "hangup"),
        ("progressing", "terminating"), ("progressing", "hangup"),
        ("terminating", "hangup"), ("canceling", "hangup"),
    }
    for current in CallStatus:
        for new in CallStatus:
            call = Call(status=current)
            if (current.value, new.value) in expected:
                call.move_to(new)
                assert call.status is new
            else:
                with pytest.raises(IllegalTransition):
                    call.move_to(new)
                assert call.status is current
    assert sum(len(v) for v in ALLOWED_MOVES.values()) == len(expected)


def test_moves_stamp_times():
    call = Call()
    t1, t2, t3 = (Timestamp.parse(f"2026-01-01 00:00:0{i}.000000") for i in (1, 2, 3))
    call.move_to(CallStatus.RINGING, t1)
    call.move_to(CallStatus.PROGRESSING, t2)
    call.end(HangupBy.REMOTE, HangupReason.NORMAL, t3)
    assert (call.tm_ringing, call.tm_progressing, call.tm_hangup, call.tm_update) == (t1, t2, t3, t3)
    assert call.talk_seconds() == 1.0


def test_illegal_transition_message_names_the_moves():
    call = Call(status=CallStatus.HANGUP)
    with pytest.raises(IllegalTransition, match="'hangup' to 'ringing'"):
        call.move_to(CallStatus.RINGING)
