"""Who is calling: a Bearer access token (OAuth2 password grant at /auth/token), resolved
on every request against the account as it is now."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.accounts import tokens
from backend.accounts.errors import InvalidTokenError
from backend.accounts.schemas import Viewer

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from POST /api/v1/auth/token (15 minutes).",
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def optional_viewer(credentials: Credentials) -> Viewer | None:
    """The caller, or None without a token. A token that is present but bad is a 401."""
    if credentials is None:
        return None
    return await tokens.resolve_access_token(credentials.credentials)


async def required_viewer(credentials: Credentials) -> Viewer:
    if credentials is None:
        raise InvalidTokenError("Send an access token: Authorization: Bearer <token>.")
    return await tokens.resolve_access_token(credentials.credentials)


OptionalViewer = Annotated[Viewer | None, Depends(optional_viewer)]
CurrentViewer = Annotated[Viewer, Depends(required_viewer)]
