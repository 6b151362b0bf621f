"""The base of every business failure. Translated to HTTP and to UI feedback in one place each."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A business rule refused the request. `message` is safe to show to the user."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str, **data: object) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class NotFoundError(DomainError):
    code = "not_found"


class PermissionDeniedError(DomainError):
    code = "permission_denied"


class InvalidInputError(DomainError):
    """Input failed validation. `field_errors` maps a field name to its message."""

    code = "invalid_input"

    def __init__(self, message: str, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field_errors = field_errors or {}
