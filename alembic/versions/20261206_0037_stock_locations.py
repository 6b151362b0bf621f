"""Stock locations: warehouses and stores (`stock_locations`), the stock of each variant
at each (`location_stock`), what each order holds from where (`stock_allocations`), and
the location of every ledger row.

Existing shops get one location, "Main warehouse", selling online, holding all stock as
it is; every ledger row so far is its. A variant the catalog creates with a first count
puts it at the first location that sells online (a trigger: the catalog does not know
about locations). `product_variants.stock_quantity` stays what the storefront sells: the
sum over the locations that sell online, which inventory keeps.

Revision ID: 0037_stock_locations
Revises: 0036_return_exchanges
Create Date: 2026-12-06 16:10:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0037_stock_locations"
down_revision: str | None = "0036_return_exchanges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FIRST_COUNT = """
CREATE FUNCTION put_first_count_at_first_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO location_stock (location_id, variant_id, quantity)
    SELECT (SELECT id FROM stock_locations WHERE sells_online
            ORDER BY priority, created_at, id LIMIT 1),
           v.id, v.stock_quantity
    FROM new_variants AS v
    WHERE v.stock_quantity > 0;
    RETURN NULL;
END;
$$;
"""


def _uuid(name: str, target: str, ondelete: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(
        name,
        postgresql.UUID(as_uuid=True),
        sa.ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
    )


def upgrade() -> None:
    op.create_table(
        "stock_locations",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("gen_random_uuid()"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column(
            "address",
            postgresql.JSONB(),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("sells_online", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
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
            "char_length(btrim(name)) BETWEEN 1 AND 80",
            name=op.f("stock_locations_name_length_check"),
        ),
        sa.CheckConstraint(
            "priority BETWEEN 1 AND 1000", name=op.f("stock_locations_priority_in_range_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_locations_pkey")),
    )
    op.create_index(
        "stock_locations_name_key", "stock_locations", [sa.text("lower(name)")], unique=True
    )
    op.create_table(
        "location_stock",
        _uuid("location_id", "stock_locations.id", "RESTRICT"),
        _uuid("variant_id", "product_variants.id", "CASCADE"),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("location_stock_quantity_not_negative_check")
        ),
        sa.PrimaryKeyConstraint("location_id", "variant_id", name=op.f("location_stock_pkey")),
    )
    op.create_index("location_stock_variant_id_idx", "location_stock", ["variant_id"])
    op.create_table(
        "stock_allocations",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("gen_random_uuid()"),
            primary_key=True,
        ),
        _uuid("order_id", "orders.id", "CASCADE"),
        _uuid("variant_id", "product_variants.id", "CASCADE"),
        _uuid("location_id", "stock_locations.id", "RESTRICT"),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("stock_allocations_quantity_not_negative_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stock_allocations_pkey")),
        sa.UniqueConstraint(
            "order_id",
            "variant_id",
            "location_id",
            name=op.f("stock_allocations_order_id_variant_id_location_id_key"),
        ),
    )
    op.create_index("stock_allocations_location_id_idx", "stock_allocations", ["location_id"])

    op.execute(
        "INSERT INTO stock_locations (id, name, sells_online, priority) "
        "VALUES ('00000000-0000-4000-8000-000000000001', 'Main warehouse', true, 1)"
    )
    op.execute(
        "INSERT INTO location_stock (location_id, variant_id, quantity) "
        "SELECT '00000000-0000-4000-8000-000000000001', id, stock_quantity "
        "FROM product_variants WHERE stock_quantity > 0"
    )
    op.add_column(
        "stock_movements", _uuid("location_id", "stock_locations.id", "RESTRICT", nullable=True)
    )
    op.execute("UPDATE stock_movements SET location_id = '00000000-0000-4000-8000-000000000001'")
    op.alter_column("stock_movements", "location_id", nullable=False)
    op.create_index(
        "stock_movements_location_id_idx", "stock_movements", ["location_id", "created_at"]
    )
    op.execute(_FIRST_COUNT)
    op.execute(
        "CREATE TRIGGER product_variants_first_count_after_insert "
        "AFTER INSERT ON product_variants REFERENCING NEW TABLE AS new_variants "
        "FOR EACH STATEMENT EXECUTE FUNCTION put_first_count_at_first_location()"
    )


def downgrade() -> None:
    # The stock that sells online stays on the variants; offline locations' stock and
    # the per-location history are dropped.
    op.execute("DROP TRIGGER product_variants_first_count_after_insert ON product_variants")
    op.execute("DROP FUNCTION put_first_count_at_first_location()")
    op.drop_index("stock_movements_location_id_idx", table_name="stock_movements")
    op.drop_column("stock_movements", "location_id")
    op.drop_table("stock_allocations")
    op.drop_table("location_stock")
    op.drop_table("stock_locations")
