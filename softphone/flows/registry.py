"""The action types a flow may use: each family module registers its own.

Another module adds a type with one call (and one import line in flows/actions/__init__.py)::

    register_action("amd", AmdOptions, run_amd)

``AmdOptions`` is a pydantic model of the action's ``option`` object (VoIPBIN's names); the
loader validates every action against it, so a bad option is refused before a call is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar
from uuid import UUID, uuid5

from pydantic import BaseModel, BeforeValidator, ConfigDict

if TYPE_CHECKING:
    from softphone.flows.runner import Step

Opts = TypeVar("Opts", bound=BaseModel)


class Options(BaseModel):
    """Base of every action's options: unknown keys are refused (a typo would be ignored
    silently otherwise); frozen, since one loaded flow runs on many calls."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)


class NoOptions(Options):
    pass


def _no_targets(_options: Any) -> Iterable[UUID]:
    return ()


@dataclass(frozen=True)
class ActionType(Generic[Opts]):
    name: str
    options: type[Opts]
    # Runs the action; it calls step.done() (now or from a timer/media callback) to move on.
    run: Callable[[Step, Opts], None]
    # The action ids it may jump to: the loader checks each exists in the flow.
    targets: Callable[[Opts], Iterable[UUID]] = _no_targets
    # It needs the call's audio: the runner answers a ringing call first.
    needs_media: bool = False


ACTIONS: dict[str, ActionType[Any]] = {}


def register_action(
    name: str,
    options: type[Opts],
    run: Callable[[Step, Opts], None],
    *,
    targets: Callable[[Opts], Iterable[UUID]] = _no_targets,
    needs_media: bool = False,
) -> None:
    if name in ACTIONS:
        raise ValueError(f"flow action type {name!r} is registered twice")
    ACTIONS[name] = ActionType(name, options, run, targets, needs_media)


def action_type(name: str) -> ActionType[Any] | None:
    _load_builtins()
    return ACTIONS.get(name)


def known_types() -> list[str]:
    _load_builtins()
    return sorted(ACTIONS)


def _load_builtins() -> None:
    # Imported here, not at module top: the family modules import this one.
    import softphone.flows.actions  # noqa: F401


# Hand-written flows may name actions ("menu") rather than give UUIDs: a name stands for a
# fixed UUID derived from it, so the Call still shows VoIPBIN's UUID-shaped ids.
_NAMES = UUID("6b1f8a52-3c1e-4d55-9a51-0d5c1f1e7a10")


def action_ref(value: Any) -> Any:
    """An action id as written: a UUID, or a name standing for its derived UUID."""
    if isinstance(value, str) and value:
        try:
            return UUID(value)
        except ValueError:
            return uuid5(_NAMES, value)
    return value


ActionRef = Annotated[UUID, BeforeValidator(action_ref)]
