"""Product options and variants (docs/adr/0007-product-variants.md).

Every product gets one default variant carrying its SKU, price, stock and low-stock
threshold. That variant takes the product's own id, so everything that names a product
today (carts in Redis, order lines, the stock ledger, back-in-stock notices) already names
its variant: the references below are filled with the same id and nothing is rekeyed.

From here on the product row's `price`, `sku` and `stock_quantity` are a summary of its
variants, kept by the database (`refresh_product_summaries`, statement-level triggers):
the lowest active variant price, the default variant's SKU, the sum of active variants'
stock. Listings, their indexes, the search index and the seed's REST fields read it.

Down folds the default variant back into its product, and refuses while a product has
options or more than one variant (those would be lost).

Revision ID: 0018_variants
Revises: 0017_outbox_trace
Create Date: 2026-12-05 04:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018_variants"
down_revision: str | None = "0017_outbox_trace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUMMARY_FUNCTIONS = (
    """
CREATE FUNCTION product_option_values_of(product uuid, in_stock_only boolean) RETURNS text[]
LANGUAGE sql STABLE AS $$
    -- "size\x1fM": the option values the product's variants on sale have (in stock).
    SELECT coalesce(array_agg(DISTINCT lower(o.name) || chr(31) || ov.value), '{}')
    FROM product_variants AS v
    CROSS JOIN LATERAL unnest(ARRAY[v.option1_value_id, v.option2_value_id,
                                    v.option3_value_id]) AS slot(value_id)
    JOIN product_option_values AS ov ON ov.id = slot.value_id
    JOIN product_options AS o ON o.id = ov.option_id
    WHERE v.product_id = product AND v.is_active
      AND (NOT in_stock_only OR v.stock_quantity > 0)
$$;
""",
    """
CREATE FUNCTION refresh_product_summaries_of(product_ids uuid[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE products AS p
    SET price = s.price, stock_quantity = s.stock_quantity, sku = coalesce(s.sku, p.sku),
        option_values = s.option_values, option_values_in_stock = s.option_values_in_stock
    FROM (
        SELECT v.product_id,
               -- Inactive variants only: the lowest of them, so the row stays valid.
               coalesce(min(v.price) FILTER (WHERE v.is_active), min(v.price)) AS price,
               coalesce(sum(v.stock_quantity) FILTER (WHERE v.is_active), 0) AS stock_quantity,
               max(v.sku) FILTER (WHERE v.is_default) AS sku,
               product_option_values_of(v.product_id, false) AS option_values,
               product_option_values_of(v.product_id, true) AS option_values_in_stock
        FROM product_variants AS v
        WHERE v.product_id = ANY(product_ids)
        GROUP BY v.product_id
    ) AS s
    WHERE p.id = s.product_id
      AND (p.price, p.stock_quantity, p.sku, p.option_values, p.option_values_in_stock)
          IS DISTINCT FROM (s.price, s.stock_quantity, coalesce(s.sku, p.sku),
                            s.option_values, s.option_values_in_stock)
$$;
""",
    """
CREATE FUNCTION refresh_product_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM refresh_product_summaries_of(
            ARRAY(SELECT DISTINCT product_id FROM new_variants));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM refresh_product_summaries_of(
            ARRAY(SELECT product_id FROM new_variants
                  UNION SELECT product_id FROM old_variants));
    ELSE
        PERFORM refresh_product_summaries_of(
            ARRAY(SELECT DISTINCT product_id FROM old_variants));
    END IF;
    RETURN NULL;
END;
$$;
""",
)


def _create_summary_triggers() -> None:
    for function in _SUMMARY_FUNCTIONS:
        op.execute(function)
    for event, tables in (
        ("INSERT", "NEW TABLE AS new_variants"),
        ("UPDATE", "OLD TABLE AS old_variants NEW TABLE AS new_variants"),
        ("DELETE", "OLD TABLE AS old_variants"),
    ):
        op.execute(
            f"CREATE TRIGGER product_variants_summary_after_{event.lower()} "
            f"AFTER {event} ON product_variants REFERENCING {tables} "
            "FOR EACH STATEMENT EXECUTE FUNCTION refresh_product_summaries()"
        )


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def upgrade() -> None:
    op.create_table(
        "product_options",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "position BETWEEN 1 AND 3", name=op.f("product_options_position_in_range_check")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("product_options_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("product_options_pkey")),
        sa.UniqueConstraint(
            "product_id", "position", name=op.f("product_options_product_id_position_key")
        ),
    )
    op.create_index(
        "product_options_name_key",
        "product_options",
        ["product_id", sa.text("lower(name)")],
        unique=True,
    )
    op.create_table(
        "product_option_values",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("option_id", sa.UUID(), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("swatch_image_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["product_options.id"],
            name=op.f("product_option_values_option_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("product_option_values_pkey")),
    )
    op.create_index(
        "product_option_values_value_key",
        "product_option_values",
        ["option_id", sa.text("lower(value)")],
        unique=True,
    )
    op.create_index(
        "product_option_values_option_position_idx",
        "product_option_values",
        ["option_id", "position"],
    )
    op.create_table(
        "product_variants",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("product_id", sa.UUID(), nullable=False),
        sa.Column("sku", sa.String(length=50), nullable=False),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("compare_at_price", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("stock_quantity", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), server_default=sa.text("5"), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("image_urls", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("option1_value_id", sa.UUID(), nullable=True),
        sa.Column("option2_value_id", sa.UUID(), nullable=True),
        sa.Column("option3_value_id", sa.UUID(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("price >= 0", name=op.f("product_variants_price_not_negative_check")),
        sa.CheckConstraint(
            "compare_at_price IS NULL OR compare_at_price > price",
            name=op.f("product_variants_compare_at_above_price_check"),
        ),
        sa.CheckConstraint(
            "stock_quantity >= 0", name=op.f("product_variants_stock_quantity_not_negative_check")
        ),
        sa.CheckConstraint(
            "low_stock_threshold >= 0",
            name=op.f("product_variants_low_stock_threshold_not_negative_check"),
        ),
        sa.CheckConstraint(
            "weight_grams IS NULL OR weight_grams >= 0",
            name=op.f("product_variants_weight_not_negative_check"),
        ),
        sa.CheckConstraint(
            "(option2_value_id IS NULL OR option1_value_id IS NOT NULL) "
            "AND (option3_value_id IS NULL OR option2_value_id IS NOT NULL)",
            name=op.f("product_variants_option_slots_in_order_check"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("product_variants_product_id_fkey"),
            ondelete="CASCADE",
        ),
        *(
            sa.ForeignKeyConstraint(
                [f"option{slot}_value_id"],
                ["product_option_values.id"],
                name=op.f(f"product_variants_option{slot}_value_id_fkey"),
            )
            for slot in (1, 2, 3)
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("product_variants_pkey")),
        sa.UniqueConstraint("sku", name=op.f("product_variants_sku_key")),
        sa.UniqueConstraint(
            "product_id",
            "option1_value_id",
            "option2_value_id",
            "option3_value_id",
            name="product_variants_combination_key",
            postgresql_nulls_not_distinct=True,
            # Checked at commit: an editor may swap two variants' values in between.
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    op.create_index(
        "product_variants_one_default_key",
        "product_variants",
        ["product_id"],
        unique=True,
        postgresql_where=sa.text("is_default"),
    )
    op.create_index(
        "product_variants_product_position_idx", "product_variants", ["product_id", "position"]
    )
    for slot in (1, 2, 3):
        op.create_index(
            f"product_variants_option{slot}_idx",
            "product_variants",
            [f"option{slot}_value_id", "stock_quantity"],
        )
    op.create_index(
        "product_variants_sku_trgm_idx",
        "product_variants",
        ["sku"],
        postgresql_using="gin",
        postgresql_ops={"sku": "gin_trgm_ops"},
    )

    # Sizes and colours a product's variants on sale have, for listing facets and filters
    # ("size\x1fM"), kept with the summary.
    for column in ("option_values", "option_values_in_stock"):
        op.add_column(
            "products",
            sa.Column(
                column,
                postgresql.ARRAY(sa.Text()),
                server_default=sa.text("'{}'::text[]"),
                nullable=False,
            ),
        )
        op.create_index(
            f"products_{column}_idx",
            "products",
            [column],
            postgresql_using="gin",
        )

    # Every product becomes a product with one default variant, under the product's id.
    op.execute(
        "INSERT INTO product_variants (id, product_id, sku, price, stock_quantity, "
        "low_stock_threshold, is_active, is_default, position, created_at, updated_at) "
        "SELECT id, id, sku, price, stock_quantity, low_stock_threshold, true, true, 0, "
        "created_at, updated_at FROM products"
    )
    _create_summary_triggers()

    # What was bought, moved and waited for names its variant (the same id as above).
    op.add_column("order_lines", sa.Column("variant_id", sa.UUID(), nullable=True))
    op.add_column(
        "order_lines",
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.execute("UPDATE order_lines SET variant_id = product_id WHERE product_id IS NOT NULL")
    op.create_foreign_key(
        op.f("order_lines_variant_id_fkey"),
        "order_lines",
        "product_variants",
        ["variant_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index("order_lines_variant_id_idx", "order_lines", ["variant_id"])

    op.add_column("stock_movements", sa.Column("variant_id", sa.UUID(), nullable=True))
    op.execute("UPDATE stock_movements SET variant_id = product_id")
    op.alter_column("stock_movements", "variant_id", nullable=False)
    op.create_foreign_key(
        op.f("stock_movements_variant_id_fkey"),
        "stock_movements",
        "product_variants",
        ["variant_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index(
        "stock_movements_variant_id_idx", "stock_movements", ["variant_id", "created_at"]
    )

    op.add_column("stock_notice_subscriptions", sa.Column("variant_id", sa.UUID(), nullable=True))
    op.execute("UPDATE stock_notice_subscriptions SET variant_id = product_id")
    op.alter_column("stock_notice_subscriptions", "variant_id", nullable=False)
    op.create_foreign_key(
        op.f("stock_notice_subscriptions_variant_id_fkey"),
        "stock_notice_subscriptions",
        "product_variants",
        ["variant_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_index(
        "stock_notice_subscriptions_open_product_email_idx",
        table_name="stock_notice_subscriptions",
    )
    op.drop_index(
        "stock_notice_subscriptions_active_product_idx", table_name="stock_notice_subscriptions"
    )
    op.create_index(
        "stock_notice_subscriptions_open_variant_email_idx",
        "stock_notice_subscriptions",
        ["variant_id", sa.text("lower(email)")],
        unique=True,
        postgresql_where=sa.text("status IN ('pending', 'active')"),
    )
    op.create_index(
        "stock_notice_subscriptions_active_variant_idx",
        "stock_notice_subscriptions",
        ["variant_id"],
        postgresql_where=sa.text("status = 'active'"),
    )

    op.add_column("wishlist_items", sa.Column("variant_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("wishlist_items_variant_id_fkey"),
        "wishlist_items",
        "product_variants",
        ["variant_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    connection = op.get_bind()
    blocking = connection.execute(
        sa.text(
            "SELECT (SELECT count(*) FROM product_options) + (SELECT count(*) FROM ("
            "SELECT product_id FROM product_variants GROUP BY product_id "
            "HAVING count(*) > 1 OR bool_and(id <> product_id)) AS many)"
        )
    ).scalar_one()
    if blocking:
        raise RuntimeError(
            "Cannot downgrade below product variants: some products have options or "
            "variants of their own, which the earlier schema cannot hold."
        )
    op.drop_constraint(op.f("wishlist_items_variant_id_fkey"), "wishlist_items", type_="foreignkey")
    op.drop_column("wishlist_items", "variant_id")

    op.drop_index(
        "stock_notice_subscriptions_active_variant_idx", table_name="stock_notice_subscriptions"
    )
    op.drop_index(
        "stock_notice_subscriptions_open_variant_email_idx",
        table_name="stock_notice_subscriptions",
    )
    op.create_index(
        "stock_notice_subscriptions_open_product_email_idx",
        "stock_notice_subscriptions",
        ["product_id", sa.text("lower(email)")],
        unique=True,
        postgresql_where=sa.text("status IN ('pending', 'active')"),
    )
    op.create_index(
        "stock_notice_subscriptions_active_product_idx",
        "stock_notice_subscriptions",
        ["product_id"],
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_column("stock_notice_subscriptions", "variant_id")

    op.drop_index("stock_movements_variant_id_idx", table_name="stock_movements")
    op.drop_column("stock_movements", "variant_id")

    op.drop_index("order_lines_variant_id_idx", table_name="order_lines")
    op.drop_column("order_lines", "options")
    op.drop_column("order_lines", "variant_id")

    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER product_variants_summary_after_{event} ON product_variants")
    op.execute("DROP FUNCTION refresh_product_summaries()")
    op.execute("DROP FUNCTION refresh_product_summaries_of(uuid[])")
    op.execute("DROP FUNCTION product_option_values_of(uuid, boolean)")
    op.drop_index("products_option_values_in_stock_idx", table_name="products")
    op.drop_index("products_option_values_idx", table_name="products")
    op.drop_column("products", "option_values_in_stock")
    op.drop_column("products", "option_values")
    # The product keeps what its one variant had (the summary already says the same
    # price, SKU and stock; the threshold lived on the variant).
    op.execute(
        "UPDATE products AS p SET price = v.price, sku = v.sku, "
        "stock_quantity = v.stock_quantity, low_stock_threshold = v.low_stock_threshold "
        "FROM product_variants AS v WHERE v.product_id = p.id"
    )
    op.drop_table("product_variants")
    op.drop_table("product_option_values")
    op.drop_table("product_options")
