"""Reading a flow file: VoIPBIN's flow JSON, every action checked before any call runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError

from softphone.flows.errors import FlowError
from softphone.flows.flow import Flow, FlowStep
from softphone.flows.registry import action_ref, action_type, known_types
from softphone.model import Action
from softphone.model.ids import NIL_ID

_ACTION_KEYS = {"id", "next_id", "type", "option"}


def load_flow(path: Path) -> Flow:
    """Read and check a flow file; FlowError (one line naming the place) if it is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowError(f"{path}: cannot read the flow: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowError(f"{path}: not JSON: {exc.msg} (line {exc.lineno}, "
                        f"column {exc.colno})") from None
    return parse_flow(data, str(path))


def parse_flow(data: Any, source: str = "flow") -> Flow:
    """A flow from its JSON value: an object with ``actions`` (VoIPBIN's), or the bare list."""
    if isinstance(data, list):
        data = {"actions": data}
    if not isinstance(data, dict):
        raise FlowError(f"{source}: a flow is a JSON object with an 'actions' list")
    unknown = sorted(set(data) - {"id", "name", "actions", "type", "detail"})
    if unknown:
        raise FlowError(f"{source}: unknown key {unknown[0]!r} (a flow has id, name, actions)")
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise FlowError(f"{source}: 'actions' must be a non-empty list of actions")
    flow_id = _flow_id(data.get("id"), source)
    name = data.get("name") or ""
    if not isinstance(name, str):
        raise FlowError(f"{source}: 'name' must be a string")
    steps = tuple(_step(index, raw, source) for index, raw in enumerate(actions))
    _check_ids(steps, source)
    return Flow(steps=steps, id=flow_id, name=name, source=source)


def _flow_id(value: Any, source: str) -> UUID:
    if value in (None, ""):
        return uuid4()
    try:
        return UUID(str(value))
    except ValueError:
        raise FlowError(f"{source}: 'id' is not a UUID: {value!r}") from None


def _where(source: str, index: int, kind: str | None = None) -> str:
    return f"{source}: action {index}" + (f" ({kind})" if kind else "")


def _step(index: int, raw: Any, source: str) -> FlowStep:
    if not isinstance(raw, dict):
        raise FlowError(f"{_where(source, index)}: an action is an object with a 'type'")
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind:
        raise FlowError(f"{_where(source, index)}: field 'type' is missing")
    extra = sorted(set(raw) - _ACTION_KEYS)
    if extra:
        raise FlowError(f"{_where(source, index, kind)}: unknown field {extra[0]!r} "
                        "(an action has id, next_id, type, option)")
    spec = action_type(kind)
    if spec is None:
        raise FlowError(f"{_where(source, index)}: field 'type': unknown action type "
                        f"{kind!r} (known: {', '.join(known_types())})")
    option = raw.get("option")
    if option is None:
        option = {}
    if not isinstance(option, dict):
        raise FlowError(f"{_where(source, index, kind)}: field 'option' must be an object")
    try:
        options = spec.options.model_validate(option)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise FlowError(f"{_where(source, index, kind)}: field 'option.{field}': "
                        f"{error['msg']}") from None
    ids = {}
    for key in ("id", "next_id"):
        value = raw.get(key)
        if value in (None, ""):
            ids[key] = uuid4() if key == "id" else NIL_ID
        elif isinstance(value, str):
            ids[key] = action_ref(value)
        else:
            raise FlowError(f"{_where(source, index, kind)}: field {key!r} must be a string")
    action = Action(id=ids["id"], next_id=ids["next_id"], type=kind,
                    option=options.model_dump(mode="json", exclude_unset=True, by_alias=True))
    return FlowStep(index=index, action=action, options=options)


def _check_ids(steps: tuple[FlowStep, ...], source: str) -> None:
    seen: dict[UUID, int] = {}
    for step in steps:
        if step.action.id in seen:
            raise FlowError(f"{_where(source, step.index, step.action.type)}: field 'id': "
                            f"the same id as action {seen[step.action.id]}")
        seen[step.action.id] = step.index
    for step in steps:
        spec = action_type(step.action.type)
        assert spec is not None
        wanted = [("next_id", step.action.next_id)] if step.action.next_id != NIL_ID else []
        wanted += [("option", target) for target in spec.targets(step.options)]
        for field, target in wanted:
            if target != NIL_ID and target not in seen:
                raise FlowError(f"{_where(source, step.index, step.action.type)}: field "
                                f"{field!r}: no action has the id {target}")
