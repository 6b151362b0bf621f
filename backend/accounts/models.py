"""Tables of the accounts domain: the seed's users, roles and user_roles, staff groups and
their members, plus sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlmodel import Field, SQLModel

from backend.accounts.permissions import Permission
from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

USER_STATUSES = ("pending", "active", "inactive", "locked")


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        # The seed's indexes, made unique so they also carry the UNIQUE rule; e-mail is
        # unique case-insensitively ("Ann@x.com" and "ann@x.com" are one mailbox).
        Index("users_username_idx", "username", unique=True),
        Index("users_email_idx", text("lower(email)"), unique=True),
        CheckConstraint(
            "status IN ('pending', 'active', 'inactive', 'locked')", name="status_valid"
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    username: str = Field(sa_column=Column(String(50), nullable=False))
    email: str = Field(sa_column=Column(String(255), nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    first_name: str | None = Field(default=None, sa_column=Column(String(100)))
    last_name: str | None = Field(default=None, sa_column=Column(String(100)))
    status: str = Field(
        default="pending",
        sa_column=Column(String(20), nullable=False, server_default=text("'pending'")),
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    last_login_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    email_verified: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, server_default=text("false")),
    )
    # Set when repeated failed sign-ins lock the account; NULL with status 'locked' means
    # locked by an admin until an admin unlocks it.
    locked_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Role(SQLModel, table=True):
    __tablename__ = "roles"
    __table_args__ = (Index("roles_name_idx", "name", unique=True),)

    id: uuid.UUID = uuid_primary_key()
    name: str = Field(sa_column=Column(String(50), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = created_at_column()


class UserRole(SQLModel, table=True):
    __tablename__ = "user_roles"

    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    role_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("roles.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    assigned_at: datetime = created_at_column()


_KNOWN_PERMISSIONS = ", ".join(f"'{permission.value}'" for permission in Permission)


class StaffGroup(SQLModel, table=True):
    """A named set of permissions; staff are the members of one or more groups."""

    __tablename__ = "staff_groups"
    __table_args__ = (
        Index("staff_groups_name_idx", text("lower(name)"), unique=True),
        Index("staff_groups_key_idx", "key", unique=True),
        CheckConstraint("length(btrim(name)) > 0", name="name_present"),
        CheckConstraint(
            f"permissions <@ ARRAY[{_KNOWN_PERMISSIONS}]::varchar[]", name="permissions_known"
        ),
    )

    id: uuid.UUID = uuid_primary_key()
    # The built-in groups' stable key (`DefaultGroup`); NULL for the shop's own.
    key: str | None = Field(default=None, sa_column=Column(String(40)))
    name: str = Field(sa_column=Column(String(80), nullable=False))
    description: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )
    permissions: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(40)), nullable=False, server_default=text("'{}'::varchar[]")),
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class StaffGroupMember(SQLModel, table=True):
    __tablename__ = "staff_group_members"
    __table_args__ = (Index("staff_group_members_user_id_idx", "user_id"),)

    group_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("staff_groups.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    added_at: datetime = created_at_column()


class UserSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("user_sessions_user_id_idx", "user_id"),)

    id: uuid.UUID = uuid_primary_key()
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = created_at_column()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    user_agent: str | None = Field(default=None, sa_column=Column(String(255)))


TOKEN_PURPOSES = ("verify_email", "reset_password")


class AccountToken(SQLModel, table=True):
    """A single-use, expiring secret sent by e-mail (verification, password reset).

    Only the SHA-256 of the token is stored: the database never holds a usable link.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('verify_email', 'reset_password')", name="purpose_valid"),
        Index("account_tokens_user_id_idx", "user_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    purpose: str = Field(sa_column=Column(String(20), nullable=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = created_at_column()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class RefreshToken(SQLModel, table=True):
    """An API refresh token. Rotated on every use; reusing a rotated one revokes its family."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (
        Index("refresh_tokens_user_id_idx", "user_id"),
        Index("refresh_tokens_family_id_idx", "family_id"),
    )

    id: uuid.UUID = uuid_primary_key()
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    family_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    created_at: datetime = created_at_column()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Address(SQLModel, table=True):
    """An entry in a shopper's address book; at most one is the default shipping address."""

    __tablename__ = "addresses"
    __table_args__ = (
        Index("addresses_user_id_idx", "user_id"),
        Index(
            "addresses_one_default_per_user_idx",
            "user_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_is_iso_code"),
    )

    id: uuid.UUID = uuid_primary_key()
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    full_name: str = Field(sa_column=Column(String(100), nullable=False))
    line1: str = Field(sa_column=Column(String(200), nullable=False))
    line2: str | None = Field(default=None, sa_column=Column(String(200)))
    city: str = Field(sa_column=Column(String(100), nullable=False))
    region: str | None = Field(default=None, sa_column=Column(String(100)))
    postal_code: str = Field(sa_column=Column(String(20), nullable=False))
    country: str = Field(sa_column=Column(String(2), nullable=False))
    phone: str | None = Field(default=None, sa_column=Column(String(30)))
    is_default: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class CustomerNote(SQLModel, table=True):
    """What staff noted about a customer ("Prefers deliveries after 5 pm"), kept with who
    wrote it and when: shown on the customer's page and beside their orders. Erasing the
    account deletes them."""

    __tablename__ = "customer_notes"
    __table_args__ = (
        CheckConstraint(
            "btrim(body) <> '' AND char_length(body) <= 2000", name="body_given_and_short"
        ),
        Index("customer_notes_user_id_idx", "user_id", "created_at"),
    )

    id: uuid.UUID = uuid_primary_key()
    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True), ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    body: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(sa_column=Column(String(200), nullable=False))  # the staff member
    created_at: datetime = created_at_column()


class CustomerTag(SQLModel, table=True):
    """A label staff put on a customer ("wholesale", "vip"): lower-case, trimmed; the
    staff orders list finds their orders by it."""

    __tablename__ = "customer_tags"
    __table_args__ = (
        CheckConstraint(
            "tag = lower(btrim(tag)) AND char_length(tag) BETWEEN 1 AND 40", name="tag_normalised"
        ),
        Index("customer_tags_tag_idx", "tag"),
    )

    user_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    tag: str = Field(sa_column=Column(String(40), primary_key=True))
