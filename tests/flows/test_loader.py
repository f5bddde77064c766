"""Flow files: the examples load; anything wrong is one line naming the action and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from softphone.flows import FlowError, known_types, load_flow, parse_flow

EXAMPLES = sorted((Path(__file__).parents[2] / "resources" / "flows").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_flows_load(path: Path) -> None:
    flow = load_flow(path)
    assert flow.steps and flow.name


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize(
    ("actions", "message"),
    [
        ([{"type": "dance"}], "action 0: field 'type': unknown action type 'dance'"),
        ([{"type": "answer"}, {"type": "sleep"}], "action 1 (sleep): field 'option.duration': Field required"),
        ([{"type": "sleep", "option": {"duration": -1}}], "action 0 (sleep): field 'option.duration'"),
        ([{"type": "digits_send", "option": {"digits": "12x"}}], "action 0 (digits_send): field 'option.digits'"),
        ([{"type": "talk", "option": {"txt": "hi"}}], "action 0 (talk): field 'option.text'"),
        ([{"type": "goto", "option": {"target_id": "nowhere"}}], "action 0 (goto): field 'option': no action has the id"),
        ([{"type": "answer", "next_id": "missing"}], "action 0 (answer): field 'next_id': no action has the id"),
        ([{"id": "a", "type": "answer"}, {"id": "a", "type": "stop"}], "action 1 (stop): field 'id': the same id as action 0"),
        ([{"type": "answer", "colour": 1}], "action 0 (answer): unknown field 'colour'"),
        ([], "'actions' must be a non-empty list"),
    ],
)
def test_loader_errors_name_the_place(actions: list, message: str) -> None:
    with pytest.raises(FlowError) as caught:
        parse_flow({"actions": actions}, "f.json")
    text = str(caught.value)
    assert "\n" not in text
    assert text.startswith("f.json: ")
    assert message in text


def test_not_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{ nope")
    with pytest.raises(FlowError, match=r"bad.json: not JSON: .*line 1"):
        load_flow(path)


def test_named_ids_become_uuids_and_round_trip() -> None:
    flow = parse_flow({"id": "4553c074-c88d-49e5-9d47-5c01598ac099", "actions": [
        {"id": "top", "type": "answer"},
        {"type": "goto", "option": {"target_id": "top", "loop_count": 2}},
    ]})
    goto = flow.steps[1].action
    assert goto.option["target_id"] == str(flow.steps[0].action.id)
    again = parse_flow(json.loads(json.dumps(flow.to_json())))
    assert [s.action for s in again.steps] == [s.action for s in flow.steps]


def test_every_issue_13_core_type_is_known() -> None:
    wanted = {"answer", "talk", "play", "beep", "sleep", "digits_send", "digits_receive",
              "branch", "goto", "variable_set", "condition_variable", "recording_start",
              "recording_stop", "amd", "connect", "echo", "stream_echo", "hangup", "stop"}
    assert wanted <= set(known_types())
