"""Role names, as stored in the seed's `roles` table: what kind of account this is.

What staff may do in the back office comes from their staff groups
(`backend.accounts.permissions`), not from roles: the admin and moderator roles of old
became the built-in "Administrators" and "Moderators" groups.
"""

from enum import StrEnum


class RoleName(StrEnum):
    USER = "user"


ROLE_DESCRIPTIONS: dict[RoleName, str] = {
    RoleName.USER: "A shopper",
}
