"""Domain errors → what a form shows: one message per field, plus one for the whole form."""

from __future__ import annotations

from backend.core.errors import DomainError, InvalidInputError

UNEXPECTED = "Something went wrong on our side. Please try again in a moment."


def form_feedback(error: DomainError) -> tuple[str, dict[str, str]]:
    """(message for the whole form, messages per field)."""
    if isinstance(error, InvalidInputError):
        return ("" if error.field_errors else error.message), dict(error.field_errors)
    field = error.data.get("field")
    if isinstance(field, str):
        return "", {field: error.message}
    return error.message, {}
