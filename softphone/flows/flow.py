"""A loaded flow: VoIPBIN's flow JSON (id, name, actions) with each action's options parsed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from softphone.model import Action
from softphone.model.ids import NIL_ID


@dataclass(frozen=True)
class FlowStep:
    index: int
    action: Action  # as the Call shows it (id, next_id, type, option)
    options: BaseModel  # the option object, validated by its type's model


@dataclass(frozen=True)
class Flow:
    steps: tuple[FlowStep, ...]
    id: UUID = NIL_ID
    name: str = ""
    source: str = ""  # where it was read from, for messages

    def index_of(self, action_id: UUID) -> int | None:
        for step in self.steps:
            if step.action.id == action_id:
                return step.index
        return None

    def to_json(self) -> dict[str, Any]:
        """VoIPBIN's flow JSON again (ids filled in)."""
        return {
            "id": str(self.id),
            "name": self.name,
            "actions": [s.action.model_dump(mode="json", exclude={"tm_execute"})
                        for s in self.steps],
        }
