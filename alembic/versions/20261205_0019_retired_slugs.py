"""Retired product and category addresses: when a slug changes, the old one keeps
pointing at its product or category, so old links and search results answer 301 to the
new address. Triggers record the change whoever makes it (staff form, CSV import, API); a
retired slug taken into use again stops redirecting.

Revision ID: 0019_retired_slugs
Revises: 0018_variants
Create Date: 2026-12-05 10:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_retired_slugs"
down_revision: str | None = "0018_variants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    # (retired table, owner table, owner column, slug length)
    ("retired_product_slugs", "products", "product_id", 160),
    ("retired_category_slugs", "categories", "category_id", 120),
)


def upgrade() -> None:
    for retired, owner, column, length in TABLES:
        op.create_table(
            retired,
            sa.Column("slug", sa.String(length)),
            sa.Column(
                column,
                sa.UUID(),
                sa.ForeignKey(f"{owner}.id", ondelete="CASCADE", name=f"{retired}_{column}_fkey"),
                nullable=False,
            ),
            sa.Column(
                "retired_at",
                sa.DateTime(timezone=True),
                server_default=sa.text("CURRENT_TIMESTAMP"),
                nullable=False,
            ),
            sa.PrimaryKeyConstraint("slug", name=f"{retired}_pkey"),
        )
        op.create_index(f"{retired}_{column}_idx", retired, [column])
        op.execute(
            f"""
            CREATE FUNCTION remember_{retired}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.slug IS DISTINCT FROM OLD.slug THEN
                    INSERT INTO {retired} (slug, {column}) VALUES (OLD.slug, NEW.id)
                    ON CONFLICT (slug) DO UPDATE
                        SET {column} = EXCLUDED.{column}, retired_at = CURRENT_TIMESTAMP;
                    DELETE FROM {retired} WHERE slug = NEW.slug;
                END IF;
                RETURN NEW;
            END $$
            """  # noqa: S608  (table names from TABLES above, not input)
        )
        op.execute(
            f"""
            CREATE TRIGGER remember_{retired} AFTER UPDATE OF slug ON {owner}
            FOR EACH ROW EXECUTE FUNCTION remember_{retired}()
            """
        )
        # A new row taking a retired slug: the slug is live again.
        op.execute(
            f"""
            CREATE FUNCTION revive_{retired}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM {retired} WHERE slug = NEW.slug;
                RETURN NEW;
            END $$
            """  # noqa: S608  (table names from TABLES above, not input)
        )
        op.execute(
            f"""
            CREATE TRIGGER revive_{retired} AFTER INSERT ON {owner}
            FOR EACH ROW EXECUTE FUNCTION revive_{retired}()
            """
        )


def downgrade() -> None:
    for retired, owner, _column, _length in TABLES:
        op.execute(f"DROP TRIGGER revive_{retired} ON {owner}")
        op.execute(f"DROP FUNCTION revive_{retired}()")
        op.execute(f"DROP TRIGGER remember_{retired} ON {owner}")
        op.execute(f"DROP FUNCTION remember_{retired}()")
        op.drop_table(retired)
