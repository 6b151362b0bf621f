"""Role names, as stored in the seed's `roles` table."""

from enum import StrEnum


class RoleName(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"  # catalog management and review moderation
    USER = "user"


ROLE_DESCRIPTIONS: dict[RoleName, str] = {
    RoleName.ADMIN: "Full access to the admin dashboard, staff and settings",
    RoleName.MODERATOR: "Manages the catalog and moderates reviews in the admin dashboard",
    RoleName.USER: "A shopper",
}

# Roles that may open the admin dashboard at all.
STAFF_ROLES: frozenset[RoleName] = frozenset({RoleName.ADMIN, RoleName.MODERATOR})
