"""Who is calling: a Bearer access token (OAuth2 password grant at /auth/token), resolved
on every request against the account as it is now.

Routes declare what they need with `CurrentViewer` (any signed-in caller) or one of the
staff aliases below (`CatalogStaff`, `OrderFulfilmentStaff`, …: staff whose groups give
that permission). `api.v1.edge.EdgeRoute` settles that before it reads the
request's input, so a caller who may not use a route learns nothing about what it accepts
(401/403 before any 400); the dependency then finds the viewer already resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from backend.accounts import tokens
from backend.accounts.errors import InvalidTokenError
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer

# Declared as the OAuth2 password flow so the docs' Authorize button can sign in; the
# token still travels as `Authorization: Bearer <token>`. The path is absolute because
# this app is mounted at /api/v1.
_bearer = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token",
    auto_error=False,
    description="An access token from POST /api/v1/auth/token (15 minutes).",
)

AccessToken = Annotated[str | None, Depends(_bearer)]


async def bearer_token(request: Request) -> str | None:
    """The Bearer token a request carries, read from the request alone."""
    return await _bearer(request)


# The viewer resolved for this request's token (one lookup per request).
_RESOLVED = "kestrel.viewer"


async def optional_viewer(access_token: AccessToken) -> Viewer | None:
    """The caller, or None without a token. A token that is present but bad is a 401."""
    if access_token is None:
        return None
    return await tokens.resolve_access_token(access_token)


async def required_viewer(request: Request, access_token: AccessToken) -> Viewer:
    if access_token is None:
        raise InvalidTokenError("Send an access token: Authorization: Bearer <token>.")
    resolved = request.scope.get(_RESOLVED)
    if resolved is not None and resolved[0] == access_token:
        viewer: Viewer = resolved[1]
        return viewer
    viewer = await tokens.resolve_access_token(access_token)
    request.scope[_RESOLVED] = (access_token, viewer)
    return viewer


CurrentViewer = Annotated[Viewer, Depends(required_viewer)]


def _staff_dependency(permission: Permission) -> Callable[..., Any]:
    async def staff_viewer(viewer: CurrentViewer) -> Viewer:
        return require_permission(viewer, permission, "use this part of the API")

    staff_viewer.__name__ = f"staff_viewer_{permission.name.lower()}"
    return staff_viewer


# One dependency per permission, so the edge can tell which one a route declared.
STAFF_DEPENDENCIES: dict[Permission, Callable[..., Any]] = {
    permission: _staff_dependency(permission) for permission in Permission
}

CatalogStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.CATALOG])]
InventoryStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.INVENTORY])]
OrderViewers = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.ORDERS_VIEW])]
OrderFulfilmentStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.ORDERS_FULFIL])]
OrderRefundStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.ORDERS_REFUND])]
OrderEditors = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.ORDERS_EDIT])]
PromotionsStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.PROMOTIONS])]
CustomersStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.CUSTOMERS])]
ReviewsStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.REVIEWS])]
AnalyticsStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.ANALYTICS])]
SettingsStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.SETTINGS])]
WebhooksStaff = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.WEBHOOKS])]
StaffManagers = Annotated[Viewer, Depends(STAFF_DEPENDENCIES[Permission.STAFF])]

# The access dependencies a route may declare, strictest first.
ACCESS_DEPENDENCIES: tuple[Callable[..., Any], ...] = (
    *STAFF_DEPENDENCIES.values(),
    required_viewer,
)


async def settle_access(request: Request, dependency: Callable[..., Any]) -> None:
    """Run one of `ACCESS_DEPENDENCIES` from the request alone (before its input is read).
    Raises InvalidTokenError (401) or PermissionDeniedError (403)."""
    viewer = await required_viewer(request, await bearer_token(request))
    if dependency is not required_viewer:
        await dependency(viewer)


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
