"""Pydantic's validation errors as one line a user can act on."""

from pydantic import ValidationError


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "value"
    return f"{where}: {error['msg']}"
