"""Input validation at the edge: pydantic models in, one `InvalidInputError` with a clear
message per field out (the same for UI forms and API bodies)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from backend.core.errors import InvalidInputError

ModelT = TypeVar("ModelT", bound=BaseModel)

_PREFIXES = ("Value error, ", "Assertion failed, ")


def _readable(message: str) -> str:
    for prefix in _PREFIXES:
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message[:1].upper() + message[1:]


def field_errors(error: ValidationError) -> dict[str, str]:
    """The first problem of each field, as a sentence a person can act on."""
    problems: dict[str, str] = {}
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "form"
        problems.setdefault(field, _readable(item["msg"]))
    return problems


def parse_input(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidInputError(
            "Please correct the highlighted fields.", field_errors(error)
        ) from error
