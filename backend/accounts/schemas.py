"""Shapes the accounts domain hands to the UIs, the API and jobs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from backend.accounts.roles import STAFF_ROLES, RoleName


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a signed-in user and their roles, resolved on the server."""

    user_id: uuid.UUID
    username: str
    email: str
    display_name: str
    roles: frozenset[RoleName]

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    def has_any_role(self, roles: frozenset[RoleName]) -> bool:
        return bool(self.roles & roles)


@dataclass(frozen=True)
class SignedIn:
    """A new browser session. `session_token` goes into the HttpOnly cookie, nowhere else."""

    session_token: str
    viewer: Viewer
