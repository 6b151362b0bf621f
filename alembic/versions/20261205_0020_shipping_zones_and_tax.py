"""Shipping zones, methods and rate bands; tax classes, rates and configuration; the tax
class of each product; the tax lines of each order.

What the environment configured until now (`TAX_RATES`, `SHIPPING_STANDARD_PRICE`,
`SHIPPING_EXPRESS_PRICE`, `FREE_SHIPPING_THRESHOLD`) becomes the first zone, its two
methods and the standard tax rates, read once here, so a running shop charges the same
until the merchant edits them in the admin.

Revision ID: 0020_shipping_and_tax
Revises: 0019_retired_slugs
Create Date: 2026-12-05 16:30:00+00:00
"""

import os
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020_shipping_and_tax"
down_revision: str | None = "0019_retired_slugs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_TAX_RATES = "US:0,CA:5,GB:20,DE:19,FR:20,NL:21"
VAT_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GB",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
        "CH",
        "NO",
        "IS",
    ]
)
GST_COUNTRIES = frozenset(["CA", "AU", "NZ", "SG", "IN", "MY"])


def _legacy_tax_rates() -> list[tuple[str, Decimal]]:
    """`TAX_RATES` as the settings parsed it: `US:0,GB:20` → [("US", 0), ("GB", 20)]."""
    rates: dict[str, Decimal] = {}
    for item in (os.environ.get("TAX_RATES") or DEFAULT_TAX_RATES).split(","):
        country, _, rate = item.partition(":")
        if country.strip():
            rates[country.strip().upper()] = Decimal(rate.strip() or "0")
    return list(rates.items())


def _legacy_price(name: str, default: str) -> Decimal:
    return Decimal((os.environ.get(name) or default).strip())


def _tax_name(country: str) -> str:
    if country in VAT_COUNTRIES:
        return "VAT"
    if country in GST_COUNTRIES:
        return "GST"
    return "Sales tax" if country == "US" else "Tax"


def _timestamps() -> list[sa.Column]:
    return [
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
    ]


def _uuid_id() -> sa.Column:
    return sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False)


def upgrade() -> None:
    _create_tax_tables()
    _create_shipping_tables()
    # The classes first: existing products take the standard class as the column appears.
    op.execute(
        "INSERT INTO tax_classes (code, name, position) VALUES "
        "('standard', 'Standard rate', 0), ('reduced', 'Reduced rate', 1), "
        "('zero', 'Zero rate', 2)"
    )
    op.add_column(
        "products",
        sa.Column(
            "tax_class", sa.String(length=20), server_default=sa.text("'standard'"), nullable=False
        ),
    )
    op.create_foreign_key(
        op.f("products_tax_class_fkey"),
        "products",
        "tax_classes",
        ["tax_class"],
        ["code"],
        onupdate="CASCADE",
        ondelete="RESTRICT",
    )
    _orders_keep_tax_lines()
    _seed_from_legacy_settings()


def _create_tax_tables() -> None:
    op.create_table(
        "tax_classes",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("code ~ '^[a-z][a-z0-9_-]*$'", name=op.f("tax_classes_code_form_check")),
        sa.PrimaryKeyConstraint("code", name=op.f("tax_classes_pkey")),
        sa.UniqueConstraint("name", name=op.f("tax_classes_name_key")),
    )
    op.create_table(
        "tax_rates",
        _uuid_id(),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=60), server_default=sa.text("''"), nullable=False),
        sa.Column(
            "tax_class", sa.String(length=20), server_default=sa.text("'standard'"), nullable=False
        ),
        sa.Column("name", sa.String(length=40), server_default=sa.text("'Tax'"), nullable=False),
        sa.Column("percent", sa.Numeric(6, 3), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("country ~ '^[A-Z]{2}$'", name=op.f("tax_rates_country_code_check")),
        sa.CheckConstraint(
            "percent >= 0 AND percent <= 100", name=op.f("tax_rates_percent_in_range_check")
        ),
        sa.CheckConstraint(
            "region = upper(btrim(region))", name=op.f("tax_rates_region_canonical_check")
        ),
        sa.ForeignKeyConstraint(
            ["tax_class"],
            ["tax_classes.code"],
            name=op.f("tax_rates_tax_class_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("tax_rates_pkey")),
        sa.UniqueConstraint(
            "country", "region", "tax_class", name=op.f("tax_rates_place_class_key")
        ),
    )
    op.create_table(
        "tax_configuration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "prices_include_tax", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("tax_configuration_single_row_check")),
        sa.PrimaryKeyConstraint("id", name=op.f("tax_configuration_pkey")),
    )


def _create_shipping_tables() -> None:
    op.create_table(
        "shipping_zones",
        _uuid_id(),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("countries", postgresql.ARRAY(sa.String(length=2)), nullable=False),
        sa.Column(
            "regions", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "postcode_prefixes",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("taxes_shipping", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "cardinality(countries) > 0", name=op.f("shipping_zones_has_countries_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("shipping_zones_pkey")),
        sa.UniqueConstraint("name", name=op.f("shipping_zones_name_key")),
    )
    op.create_table(
        "shipping_methods",
        _uuid_id(),
        sa.Column("zone_id", sa.UUID(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column(
            "delivery_time", sa.String(length=80), server_default=sa.text("''"), nullable=False
        ),
        sa.Column(
            "rate_basis", sa.String(length=10), server_default=sa.text("'flat'"), nullable=False
        ),
        sa.Column("flat_price", sa.Numeric(10, 2), nullable=True),
        sa.Column("free_above", sa.Numeric(12, 2), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("position", sa.Integer(), server_default=sa.text("0"), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "rate_basis IN ('flat', 'weight', 'value')",
            name=op.f("shipping_methods_rate_basis_known_check"),
        ),
        sa.CheckConstraint(
            "(rate_basis = 'flat') = (flat_price IS NOT NULL)",
            name=op.f("shipping_methods_flat_price_when_flat_check"),
        ),
        sa.CheckConstraint(
            "flat_price IS NULL OR flat_price >= 0",
            name=op.f("shipping_methods_flat_price_not_negative_check"),
        ),
        sa.CheckConstraint(
            "free_above IS NULL OR free_above >= 0",
            name=op.f("shipping_methods_free_above_not_negative_check"),
        ),
        sa.CheckConstraint(
            "code ~ '^[a-z0-9][a-z0-9_-]*$'", name=op.f("shipping_methods_code_form_check")
        ),
        sa.ForeignKeyConstraint(
            ["zone_id"],
            ["shipping_zones.id"],
            name=op.f("shipping_methods_zone_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("shipping_methods_pkey")),
        sa.UniqueConstraint("zone_id", "code", name=op.f("shipping_methods_zone_code_key")),
    )
    op.create_index(
        "shipping_methods_zone_position_idx", "shipping_methods", ["zone_id", "position"]
    )
    op.create_table(
        "shipping_rate_bands",
        _uuid_id(),
        sa.Column("method_id", sa.UUID(), nullable=False),
        sa.Column("up_to", sa.Numeric(12, 3), nullable=True),
        sa.Column("price", sa.Numeric(10, 2), nullable=False),
        sa.CheckConstraint(
            "up_to IS NULL OR up_to > 0", name=op.f("shipping_rate_bands_up_to_positive_check")
        ),
        sa.CheckConstraint("price >= 0", name=op.f("shipping_rate_bands_price_not_negative_check")),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["shipping_methods.id"],
            name=op.f("shipping_rate_bands_method_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("shipping_rate_bands_pkey")),
        sa.UniqueConstraint(
            "method_id",
            "up_to",
            name=op.f("shipping_rate_bands_method_up_to_key"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "shipping_method_exclusions",
        _uuid_id(),
        sa.Column("method_id", sa.UUID(), nullable=False),
        sa.Column("category_id", sa.UUID(), nullable=True),
        sa.Column("product_id", sa.UUID(), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(category_id, product_id) = 1",
            name=op.f("shipping_method_exclusions_one_target_check"),
        ),
        sa.ForeignKeyConstraint(
            ["method_id"],
            ["shipping_methods.id"],
            name=op.f("shipping_method_exclusions_method_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("shipping_method_exclusions_category_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("shipping_method_exclusions_product_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("shipping_method_exclusions_pkey")),
        sa.UniqueConstraint(
            "method_id",
            "category_id",
            "product_id",
            name=op.f("shipping_method_exclusions_target_key"),
            postgresql_nulls_not_distinct=True,
        ),
    )


def _orders_keep_tax_lines() -> None:
    op.add_column(
        "orders",
        sa.Column(
            "prices_include_tax", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.drop_constraint(op.f("orders_total_adds_up_check"), "orders", type_="check")
    op.create_check_constraint(
        op.f("orders_total_adds_up_check"),
        "orders",
        "total = subtotal - discount + shipping + CASE WHEN prices_include_tax THEN 0 ELSE tax END",
    )
    op.create_table(
        "order_tax_lines",
        _uuid_id(),
        sa.Column("order_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("percent", sa.Numeric(6, 3), nullable=False),
        sa.Column("base", sa.Numeric(12, 2), nullable=False),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.CheckConstraint(
            "percent > 0 AND percent <= 100", name=op.f("order_tax_lines_percent_in_range_check")
        ),
        sa.CheckConstraint(
            "base >= 0 AND amount >= 0", name=op.f("order_tax_lines_amounts_not_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("order_tax_lines_order_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("order_tax_lines_pkey")),
        sa.UniqueConstraint(
            "order_id", "position", name=op.f("order_tax_lines_order_position_key")
        ),
    )


def _seed_from_legacy_settings() -> None:
    op.execute("INSERT INTO tax_configuration (id, prices_include_tax) VALUES (1, false)")
    bind = op.get_bind()
    rates = _legacy_tax_rates()
    for country, percent in rates:
        bind.execute(
            sa.text(
                "INSERT INTO tax_rates (country, tax_class, name, percent) "
                "VALUES (:country, 'standard', :name, :percent)"
            ),
            {"country": country, "name": _tax_name(country), "percent": percent},
        )
    zone_id = bind.execute(
        sa.text(
            "INSERT INTO shipping_zones (name, countries) VALUES ('Everywhere we ship', :countries) "
            "RETURNING id"
        ),
        {"countries": [country for country, _ in rates]},
    ).scalar_one()
    methods = (
        ("standard", "Standard", "3–5 business days", "SHIPPING_STANDARD_PRICE", "4.95", 0),
        ("express", "Express", "1–2 business days", "SHIPPING_EXPRESS_PRICE", "14.95", 1),
    )
    for code, name, delivery, variable, default, position in methods:
        free_above = (
            _legacy_price("FREE_SHIPPING_THRESHOLD", "75.00") if code == "standard" else None
        )
        bind.execute(
            sa.text(
                "INSERT INTO shipping_methods (zone_id, code, name, delivery_time, rate_basis, "
                "flat_price, free_above, position) VALUES (:zone, :code, :name, :delivery, "
                "'flat', :price, :free_above, :position)"
            ),
            {
                "zone": zone_id,
                "code": code,
                "name": name,
                "delivery": delivery,
                "price": _legacy_price(variable, default),
                "free_above": free_above,
                "position": position,
            },
        )


def downgrade() -> None:
    op.drop_table("order_tax_lines")
    op.drop_constraint(op.f("orders_total_adds_up_check"), "orders", type_="check")
    op.create_check_constraint(
        op.f("orders_total_adds_up_check"), "orders", "total = subtotal - discount + shipping + tax"
    )
    op.drop_column("orders", "prices_include_tax")
    op.drop_constraint(op.f("products_tax_class_fkey"), "products", type_="foreignkey")
    op.drop_column("products", "tax_class")
    for table in (
        "shipping_method_exclusions",
        "shipping_rate_bands",
        "shipping_methods",
        "shipping_zones",
        "tax_rates",
        "tax_configuration",
        "tax_classes",
    ):
        op.drop_table(table)
