"""What every /api/v1 route checks before its own code runs, in this order:

1. Who is calling: the route's access dependency (`CurrentViewer`, a staff alias such
   as `CatalogStaff`, or a caller a guest's token may stand for: `CurrentCartCaller`,
   `CurrentOrderCaller` of `api.v1.guests`) is settled first, so a caller who may not
   use the route gets 401/403 whatever they sent, never a 400 that tells them what the
   route accepts.
2. Path and query values: no NUL character (400 naming the parameter).
3. A JSON body: sent as JSON (`application/json` or `+json`, else 415), well-formed (400
   saying what is wrong and where), valid against the documented schema in pydantic's
   strict mode (400 per field: a boolean is not an integer, a number is not a string,
   "yes" is not true), and no NUL in any string the route will use (400 naming the field;
   properties the schema does not know are ignored, as before).

FastAPI then validates again, leniently, which after the strict pass changes nothing. One
route class for every router (`APIRouter(route_class=EdgeRoute)`); a test checks that no
route of the API is left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from email.message import Message
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.params import Form
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.exceptions import HTTPException

from api.v1.auth import ACCESS_DEPENDENCIES, STAFF_DEPENDENCIES, settle_access
from api.v1.guests import (
    GUEST_ACCESS_DEPENDENCIES,
    GUEST_CREDENTIAL_HEADERS,
    settle_guest_access,
)
from backend.accounts.permissions import Permission
from backend.core.errors import InvalidInputError
from backend.core.validation import refuse_nul_anywhere

Handler = Callable[[Request], Coroutine[Any, Any, Response]]

# Strictest first: staff, any signed-in caller, then a signed-in caller or a guest.
_ACCESS_DEPENDENCIES = (*ACCESS_DEPENDENCIES, *GUEST_ACCESS_DEPENDENCIES)


def _access_dependency(dependant: Dependant) -> Callable[..., Any] | None:
    """The strictest access dependency anywhere in the route's dependency tree."""
    found: set[Callable[..., Any]] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        if current.call in _ACCESS_DEPENDENCIES:
            found.add(current.call)
        pending.extend(current.dependencies)
    return next((call for call in _ACCESS_DEPENDENCIES if call in found), None)


async def _settle(request: Request, dependency: Callable[..., Any]) -> None:
    if dependency in GUEST_ACCESS_DEPENDENCIES:
        await settle_guest_access(request, dependency)
    else:
        await settle_access(request, dependency)


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _malformed(error: json.JSONDecodeError | RecursionError) -> InvalidInputError:
    if isinstance(error, RecursionError):
        problem = "The body is not usable JSON: it is nested too deeply."
    else:
        problem = (
            f"The body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        )
    return InvalidInputError(problem, {"body": problem})


class _StrictJsonBody:
    """The route's JSON body, read and checked before FastAPI sees it."""

    def __init__(self, annotation: Any) -> None:
        self.adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    async def check(self, request: Request) -> None:
        raw = await request.body()
        if not raw:
            return  # no body: FastAPI says whether one was required
        if not _is_json(request.headers.get("content-type")):
            raise HTTPException(415, "Send the body as JSON (Content-Type: application/json).")
        try:
            await request.json()  # kept on the request: FastAPI reads it from there
        except (json.JSONDecodeError, RecursionError) as error:
            raise _malformed(error) from error
        except UnicodeDecodeError as error:
            problem = "The body is not valid JSON: it is not UTF-8 text."
            raise InvalidInputError(problem, {"body": problem}) from error
        try:
            valid = self.adapter.validate_json(raw, strict=True)
        except ValidationError as error:
            raise RequestValidationError(
                [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
            ) from error
        # What the route will use (fields it does not know are ignored, never stored).
        refuse_nul_anywhere(self.adapter.dump_python(valid, mode="json", by_alias=True))


def _json_body(route: APIRoute) -> _StrictJsonBody | None:
    field = route.body_field
    if field is None or isinstance(field.field_info, Form):
        return None
    return _StrictJsonBody(field.field_info.annotation)


def _refuse_nul_in_parameters(request: Request) -> None:
    refuse_nul_anywhere(dict(request.path_params))
    refuse_nul_anywhere({name: value for name, value in request.query_params.multi_items()})


class EdgeRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        # Called by APIRoute.__init__ (and again per inclusion in an app).
        handle = super().get_route_handler()
        access, body = _access_dependency(self.dependant), _json_body(self)

        async def checked(request: Request) -> Response:
            if access is not None:
                await _settle(request, access)
            _refuse_nul_in_parameters(request)
            if body is not None:
                await body.check(request)
            return await handle(request)

        return checked


def document_access(app: FastAPI) -> None:
    """Each operation says who may call it, as the edge enforces it: `x-access`
    (`public`, `signed-in`, `signed-in-or-guest` or `staff`), `x-permission` for staff
    routes, `x-guest-credential` (the header a guest sends) for guest routes, and a first
    line of its description in words. Routes with `OptionalViewer` answer anyone and may
    show a signed-in caller more."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            routes = {route.name: route for route in api_routes(app)}  # name = operationId
            for operations in schema["paths"].values():
                for operation in operations.values():
                    _document_access_of(operation, routes[operation["operationId"]])
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every route of the app, those of included routers too."""
    routes: list[APIRoute] = []
    pending = list(app.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute):
            routes.append(route)
        included = getattr(route, "original_router", None)  # FastAPI's included routers
        pending.extend(included.routes if included is not None else ())
    return routes


def _document_access_of(operation: dict[str, Any], route: APIRoute) -> None:
    access, permission = _access_of(route)
    operation["x-access"] = access
    words = _ACCESS_WORDS[access]
    if access == "public" and operation.get("security"):
        # A token is optional here (it may show a signed-in caller more): `{}` says so,
        # and generated clients then accept an anonymous client too.
        operation["security"].append({})
    dependency = _access_dependency(route.dependant)
    guest_header = GUEST_CREDENTIAL_HEADERS.get(dependency) if dependency else None
    if guest_header is not None:
        operation["x-guest-credential"] = guest_header
        words = _GUEST_WORDS[guest_header]
    if permission is not None:
        operation["x-permission"] = permission.value
        words = f"staff with the `{permission.value}` permission."
    description = operation.get("description", "")
    operation["description"] = f"**Access:** {words}\n\n{description}".strip()


_ACCESS_WORDS = {
    "public": "anyone.",
    "signed-in": "a signed-in caller (Bearer token).",
    "signed-in-or-guest": "a signed-in caller (Bearer token), or a guest.",
    "staff": "staff.",
}
_GUEST_WORDS = {
    "X-Cart-Token": (
        "a signed-in caller (Bearer token), or a guest with a cart token (`X-Cart-Token`, "
        "from `POST /guest-carts`)."
    ),
    "X-Order-Token": (
        "a signed-in caller (Bearer token), or a guest with the order's token "
        "(`X-Order-Token`, given when a guest places the order or looks it up)."
    ),
}


def _access_of(route: APIRoute) -> tuple[str, Permission | None]:
    dependency = _access_dependency(route.dependant)
    if dependency is None:
        return "public", None
    for permission, staff_dependency in STAFF_DEPENDENCIES.items():
        if staff_dependency is dependency:
            return "staff", permission
    if dependency in GUEST_ACCESS_DEPENDENCIES:
        return "signed-in-or-guest", None
    return "signed-in", None
