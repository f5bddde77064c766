"""VoIPBIN timestamps: written in the seed's format, read in every form VoIPBIN has used.

The seed writes ``2022-05-01 15:10:23.414798`` and, for action times,
``2022-05-01 15:10:38.785510878``. Today's API writes RFC 3339
(``2022-05-01T15:10:38.785510Z``). Unset times appear as a missing key, ``null``, ``""``
or a ``9999-01-01 ...`` sentinel.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from functools import total_ordering
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

_PATTERN = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<frac>\d{1,9}))?(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_NS_PER_S = 1_000_000_000


@total_ordering
class Timestamp:
    """A UTC instant with nanosecond precision (the seed's action times carry nine digits)."""

    __slots__ = ("_ns",)

    def __init__(self, ns: int) -> None:
        self._ns = ns

    @classmethod
    def now(cls) -> Timestamp:
        # Microseconds, like the seed's call times ("2022-05-01 15:10:23.414798").
        return cls(time.time_ns() // 1000 * 1000)

    @classmethod
    def from_datetime(cls, value: datetime) -> Timestamp:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        whole = int(value.replace(microsecond=0).timestamp())
        return cls(whole * _NS_PER_S + value.microsecond * 1000)

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        match = _PATTERN.match(text.strip())
        if match is None:
            raise ValueError(
                f"not a timestamp: {text!r} (expected 'YYYY-MM-DD HH:MM:SS.ffffff' "
                "or RFC 3339 'YYYY-MM-DDTHH:MM:SS.ffffffZ')"
            )
        base = datetime.fromisoformat(f"{match['date']}T{match['time']}")
        tz = match["tz"]
        if tz and tz != "Z":
            sign = 1 if tz[0] == "+" else -1
            digits = tz[1:].replace(":", "")
            offset_s = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
        else:
            offset_s = 0
        whole = int(base.replace(tzinfo=UTC).timestamp()) - offset_s
        frac = (match["frac"] or "").ljust(9, "0")
        return cls(whole * _NS_PER_S + int(frac))

    @property
    def ns(self) -> int:
        return self._ns

    def to_datetime(self) -> datetime:
        return datetime.fromtimestamp(self._ns // _NS_PER_S, tz=UTC).replace(
            microsecond=(self._ns % _NS_PER_S) // 1000
        )

    def seconds_since(self, other: Timestamp) -> float:
        return (self._ns - other._ns) / _NS_PER_S

    def __str__(self) -> str:
        whole = datetime.fromtimestamp(self._ns // _NS_PER_S, tz=UTC)
        frac = self._ns % _NS_PER_S
        # Six digits like the seed's call times; nine only when the value really has them,
        # so the seed's action time round-trips unchanged.
        digits = f"{frac:09d}" if frac % 1000 else f"{frac // 1000:06d}"
        return f"{whole:%Y-%m-%d %H:%M:%S}.{digits}"

    def __repr__(self) -> str:
        return f"Timestamp({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Timestamp) and other._ns == self._ns

    def __lt__(self, other: Timestamp) -> bool:
        return self._ns < other._ns

    def __hash__(self) -> int:
        return hash(self._ns)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )


def _validate(value: Any) -> Timestamp:
    if isinstance(value, Timestamp):
        return value
    if isinstance(value, datetime):
        return Timestamp.from_datetime(value)
    if isinstance(value, str):
        try:
            return Timestamp.parse(value)
        except ValueError as exc:
            raise PydanticCustomError("timestamp", str(exc)) from None
    raise PydanticCustomError("timestamp", "a timestamp must be a string")


def is_unset(value: Any) -> bool:
    return value is None or (
        isinstance(value, str) and (value.strip() == "" or value.strip().startswith("9999-01-01"))
    )


def _unset_to_none(value: Any) -> Any:
    return None if is_unset(value) else value


OptionalTimestamp = Annotated[Timestamp | None, BeforeValidator(_unset_to_none)]
