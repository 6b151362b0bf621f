"""Staff permission groups: `staff_groups` (named sets of permissions; the built-in ones
carry a stable key) and `staff_group_members`. The admin and moderator roles become the
"Administrators" and "Moderators" groups, with a third, "Fulfilment", for packers; the
`roles` table keeps only the shopper's role. Nobody gains a right: moderators could moderate
reviews and adjust stock, and that is what their group gives.

Revision ID: 0033_staff_groups
Revises: 0032_invoices
Create Date: 2026-12-06 06:33:57.592512+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0033_staff_groups"
down_revision: str | None = "0032_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALL = (
    "{catalog,inventory,orders.view,orders.fulfil,orders.refund,customers,promotions,"
    "reviews,settings,staff,webhooks,analytics}"
)
DEFAULT_GROUPS = (
    ("administrators", "Administrators", "Everything in the admin dashboard", ALL),
    (
        "moderators",
        "Moderators",
        "Moderate reviews and keep stock levels",
        "{inventory,reviews}",
    ),
    (
        "fulfilment",
        "Fulfilment",
        "See orders, ship and deliver them, receive returns",
        "{orders.view,orders.fulfil}",
    ),
)
ROLE_GROUPS = (("admin", "administrators"), ("moderator", "moderators"))


def upgrade() -> None:
    op.create_table(
        "staff_groups",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "permissions",
            postgresql.ARRAY(sa.String(length=40)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "permissions <@ ARRAY['catalog', 'inventory', 'orders.view', 'orders.fulfil', 'orders.refund', 'customers', 'promotions', 'reviews', 'settings', 'staff', 'webhooks', 'analytics']::varchar[]",
            name=op.f("staff_groups_permissions_known_check"),
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("staff_groups_name_present_check")),
        sa.PrimaryKeyConstraint("id", name=op.f("staff_groups_pkey")),
    )
    op.create_index("staff_groups_key_idx", "staff_groups", ["key"], unique=True)
    op.create_index(
        "staff_groups_name_idx", "staff_groups", [sa.literal_column("lower(name)")], unique=True
    )
    op.create_table(
        "staff_group_members",
        sa.Column("group_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column(
            "added_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["staff_groups.id"],
            name=op.f("staff_group_members_group_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("staff_group_members_user_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("staff_group_members_pkey")),
    )
    op.create_index(
        "staff_group_members_user_id_idx", "staff_group_members", ["user_id"], unique=False
    )
    # The three built-in groups; the admin and moderator roles become their first members.
    for key, name, description, permissions in DEFAULT_GROUPS:
        op.execute(
            sa.text(
                "INSERT INTO staff_groups (key, name, description, permissions)"
                " VALUES (:key, :name, :description, CAST(:permissions AS varchar[]))"
            ).bindparams(key=key, name=name, description=description, permissions=permissions)
        )
    for role, key in ROLE_GROUPS:
        op.execute(
            sa.text(
                "INSERT INTO staff_group_members (group_id, user_id, added_at)"
                " SELECT g.id, ur.user_id, ur.assigned_at FROM user_roles ur"
                " JOIN roles r ON r.id = ur.role_id JOIN staff_groups g ON g.key = :key"
                " WHERE r.name = :role"
            ).bindparams(role=role, key=key)
        )
    op.execute("DELETE FROM roles WHERE name IN ('admin', 'moderator')")  # user_roles cascade


def downgrade() -> None:
    # Back to roles: members of the built-in groups get the role of old; members of the
    # shop's own groups lose staff access.
    op.execute(
        "INSERT INTO roles (name, description) VALUES"
        " ('admin', 'Full access to the admin dashboard, staff and settings'),"
        " ('moderator', 'Manages the catalog and moderates reviews in the admin dashboard')"
        " ON CONFLICT (name) DO NOTHING"
    )
    for role, key in ROLE_GROUPS:
        op.execute(
            sa.text(
                "INSERT INTO user_roles (user_id, role_id) SELECT m.user_id, r.id"
                " FROM staff_group_members m JOIN staff_groups g ON g.id = m.group_id"
                " JOIN roles r ON r.name = :role WHERE g.key = :key ON CONFLICT DO NOTHING"
            ).bindparams(role=role, key=key)
        )
    op.drop_index("staff_group_members_user_id_idx", table_name="staff_group_members")
    op.drop_table("staff_group_members")
    op.drop_index("staff_groups_name_idx", table_name="staff_groups")
    op.drop_index("staff_groups_key_idx", table_name="staff_groups")
    op.drop_table("staff_groups")
