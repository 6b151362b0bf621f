"""Shapes the accounts domain hands to the UIs, the API and jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from backend.accounts.permissions import Permission


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a signed-in user and what their staff groups allow, resolved on the
    server (no permissions: a shopper)."""

    user_id: uuid.UUID
    username: str
    email: str
    display_name: str
    permissions: frozenset[Permission] = frozenset()

    @property
    def is_staff(self) -> bool:
        return bool(self.permissions)

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class SignedIn:
    """A new browser session. `session_token` goes into the HttpOnly cookie, nowhere else."""

    session_token: str
    viewer: Viewer


@dataclass(frozen=True)
class VerifiedSession:
    """A browser session as the database vouched for it, and what tells it is still so.

    Kept server-side with the tab (never sent to the browser); `session_unchanged` says
    whether it still holds without asking the database again.
    """

    viewer: Viewer
    expires_at: datetime
    epoch: str  # the user's session epoch, read before the database was asked
    verified_at: float  # wall clock (time.time()): the tab may move between processes


@dataclass(frozen=True)
class Profile:
    user_id: uuid.UUID
    username: str
    email: str
    first_name: str
    last_name: str
    email_verified: bool


@dataclass(frozen=True)
class SavedAddress:
    id: uuid.UUID
    full_name: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    is_default: bool

    @property
    def one_line(self) -> str:
        parts = [
            self.line1,
            self.line2,
            f"{self.postal_code} {self.city}",
            self.region,
            self.country,
        ]
        return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class UserRecord:
    user_id: uuid.UUID
    username: str
    email: str
    first_name: str | None
    last_name: str | None
    status: str
    roles: tuple[str, ...]
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds until the access token expires
    token_type: str = "Bearer"  # noqa: S105  (the OAuth token type)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
