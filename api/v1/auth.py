"""Who is calling: a Bearer access token (OAuth2 password grant at /auth/token), resolved
on every request against the account as it is now."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from backend.accounts import tokens
from backend.accounts.errors import InvalidTokenError
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


async def optional_viewer(access_token: AccessToken) -> Viewer | None:
    """The caller, or None without a token. A token that is present but bad is a 401."""
    if access_token is None:
        return None
    return await tokens.resolve_access_token(access_token)


async def required_viewer(access_token: AccessToken) -> Viewer:
    if access_token is None:
        raise InvalidTokenError("Send an access token: Authorization: Bearer <token>.")
    return await tokens.resolve_access_token(access_token)


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(required_viewer)]
