"""One error shape for every API error: RFC 9457 `application/problem+json`.

Domain errors are translated here, and only here, to a status code; validation errors are
400 (as the seed says) with a message per field.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.v1.request_ids import current_request_id
from backend.accounts.errors import (
    AccountLockedError,
    AccountNotActiveError,
    AccountSuspendedError,
    InvalidCredentialsError,
    InvalidTokenError,
    TooManyAttemptsError,
    WrongPasswordError,
)
from backend.checkout.errors import TooManyUnpaidOrdersError
from backend.core.errors import DomainError, InvalidInputError, NotFoundError, PermissionDeniedError
from backend.media.errors import (
    ImageTooLargeError,
    ImageTooManyPixelsError,
    InvalidImageError,
    UnsupportedImageTypeError,
)
from backend.payments.errors import GatewayUnavailableError
from backend.reviews.errors import ReviewNotAllowedError
from backend.search.errors import SearchIndexBusyError

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://kestrel.example/problems/"

# Status by error class (checked in order: subclasses first); the rest of the domain's
# refusals are conflicts with the current state of things.
_STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInputError, 400),
    (WrongPasswordError, 400),  # a password typed to confirm a change: a field to correct
    (InvalidTokenError, 401),
    (InvalidCredentialsError, 401),
    (AccountNotActiveError, 403),
    (AccountLockedError, 403),
    (AccountSuspendedError, 403),
    (PermissionDeniedError, 403),
    (ReviewNotAllowedError, 403),  # not a buyer of the product
    (NotFoundError, 404),
    (UnsupportedImageTypeError, 415),
    (ImageTooLargeError, 413),
    (ImageTooManyPixelsError, 413),
    (InvalidImageError, 400),
    (TooManyAttemptsError, 429),
    (TooManyUnpaidOrdersError, 429),
    (GatewayUnavailableError, 503),
    (SearchIndexBusyError, 503),
)
_TITLES = {
    400: "Invalid input",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    408: "Request timeout",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(BaseModel):
    """What every error response carries."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong this time, for a person.")
    errors: dict[str, str] | None = Field(
        default=None, description="Field name → message, for invalid input."
    )


# For `responses=` in route declarations: every documented error uses the Problem shape.
def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": Problem,
            "description": _TITLES.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}},
        }
        for status in statuses
    }


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        type=TYPE_BASE
        + (code or _TITLES.get(status, "error").lower()).replace("_", "-").replace(" ", "-"),
        title=_TITLES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=errors or None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def status_of(error: DomainError) -> int:
    for error_class, status in _STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return 409


def _field_name(location: tuple[Any, ...]) -> str:
    # ("body", "price") → "price"; ("query", "limit") → "limit"
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


async def _domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    status = status_of(error)
    errors = dict(getattr(error, "field_errors", {}) or {})
    field = error.data.get("field") if isinstance(error.data, dict) else None
    if field and not errors:
        errors = {str(field): error.message}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    retry_after = error.data.get("retry_after") if isinstance(error.data, dict) else None
    if status == 429 and isinstance(retry_after, int):
        headers = {"Retry-After": str(max(1, retry_after))}
    return problem_response(status, error.message, code=error.code, errors=errors, headers=headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors: dict[str, str] = {}
    for item in error.errors():
        if item.get("type") == "json_invalid":  # FastAPI's own reading: loc is an offset
            problem = f"The body is not valid JSON: {item.get('ctx', {}).get('error', '')}."
            errors.setdefault("body", problem)
            continue
        message = str(item.get("msg", "Invalid value.")).removeprefix("Value error, ")
        errors.setdefault(_field_name(tuple(item.get("loc", ()))), message)
    return problem_response(400, "Please correct the fields listed in errors.", errors=errors)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    headers = dict(error.headers or {})
    return problem_response(error.status_code, str(error.detail), headers=headers or None)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception(
        "unhandled API error on %s %s request_id=%s",
        request.method,
        request.url.path,
        current_request_id.get() or "-",
    )
    return problem_response(500, "Something went wrong on our side; please try again.")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    _document_validation_errors_as_400(app)


# FastAPI's own description of the validation error it documents on every operation with
# input; `_validation_error` answers those with a 400 problem instead.
_FASTAPI_VALIDATION_ERROR = "Validation Error"
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


_PROBLEM_REFERENCE = {"$ref": "#/components/schemas/Problem"}


def _documented(status: int) -> dict[str, Any]:
    return {
        "description": _TITLES.get(status, "Error"),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REFERENCE}},
    }


def _problem_only(response: dict[str, Any]) -> None:
    """Errors are answered as problem+json only, by reference to their schema: FastAPI
    also lists `application/json` for a response's `model` and the routes inline a copy
    of the schema, which client generators cannot turn into one error type."""
    content = response.get("content", {})
    referenced = content.get("application/json", {}).get("schema", {})
    if PROBLEM_MEDIA_TYPE in content and "$ref" in referenced:
        content[PROBLEM_MEDIA_TYPE] = {"schema": referenced}
        del content["application/json"]


def _document_validation_errors_as_400(app: FastAPI) -> None:
    """Make the OpenAPI document say what the API does: invalid input is a 400 problem,
    not FastAPI's default 422 `HTTPValidationError`."""
    build_document = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build_document()
        for path_item in document.get("paths", {}).values():
            for method, operation in path_item.items():
                responses = operation.get("responses", {})
                if responses.get("422", {}).get("description") == _FASTAPI_VALIDATION_ERROR:
                    del responses["422"]
                    responses.setdefault("400", _documented(400))
                # What the middleware may answer on any operation (rate limits), on any
                # write (a body too large or too slow, `api/request_limits.py`; one sent
                # with an Idempotency-Key), and where a JSON body is read (`edge.py`).
                responses.setdefault("429", _documented(429))
                if method in ("post", "put", "patch", "delete"):
                    for status in (408, 409, 413, 422):
                        responses.setdefault(str(status), _documented(status))
                if "application/json" in operation.get("requestBody", {}).get("content", {}):
                    responses.setdefault("415", _documented(415))
                for response in responses.values():
                    _problem_only(response)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("Problem", Problem.model_json_schema())
        text = json.dumps(document)
        for name in _FASTAPI_VALIDATION_SCHEMAS:
            if f"#/components/schemas/{name}" not in text:
                schemas.pop(name, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the OpenAPI schema
