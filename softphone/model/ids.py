"""Ids are UUIDs; an unset id is the all-zero UUID, as in the seed's example."""

from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator

NIL_ID = UUID(int=0)


def _empty_to_nil(value: Any) -> Any:
    return NIL_ID if value is None or value == "" else value


CallId = Annotated[UUID, BeforeValidator(_empty_to_nil)]


def _none_to_empty_list(value: Any) -> Any:
    return [] if value is None else value


IdList = Annotated[list[CallId], BeforeValidator(_none_to_empty_list)]
