"""Migrations 0020 to 0022 on a database holding a running shop's data: existing products
take the standard tax class, existing orders keep their totals (tax added), the
environment's shipping, tax and shop name become the first zone, rates and store
settings, and the way back works."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from alembic import command

from tests.integration.test_migrations import _alembic, scratch_database
from tests.integration.test_variant_migration import _plain, _rows

BEFORE = "0019_retired_slugs"

_SHOP_DATA = """
INSERT INTO categories (id, name, slug)
    VALUES ('00000000-0000-0000-0000-0000000000c1', 'Mugs', 'mugs');
INSERT INTO products (id, name, sku, price, category_id, slug, stock_quantity)
VALUES ('00000000-0000-0000-0000-000000000001', 'Mug', 'MUG-1', 12.50,
        '00000000-0000-0000-0000-0000000000c1', 'mug', 7);
INSERT INTO orders (id, number, checkout_key, email, customer_name, shipping_address,
                    shipping_method, currency, subtotal, shipping, tax, total)
VALUES ('00000000-0000-0000-0000-0000000000d1', 'KG-1', 'key-1', 'ann@example.com', 'Ann',
        '{}', 'standard', 'USD', 25.00, 4.95, 2.00, 31.95);
"""


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    yield from scratch_database("shipping_tax_migration")


def test_a_shop_with_products_and_orders_migrates_there_and_back(
    scratch_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _alembic(scratch_url)
    command.upgrade(config, BEFORE)
    with psycopg.connect(_plain(scratch_url)) as connection:
        connection.execute(_SHOP_DATA)  # type: ignore[arg-type]
    monkeypatch.setenv("TAX_RATES", "GB:20,DE:19")
    monkeypatch.setenv("SHIPPING_STANDARD_PRICE", "3.50")
    monkeypatch.setenv("RETURN_WINDOW_DAYS", "14")
    monkeypatch.setenv("SHOP_NAME", " Corner  Store ")

    command.upgrade(config, "head")

    assert _rows(scratch_url, "SELECT tax_class FROM products") == [("standard",)]
    assert _rows(scratch_url, "SELECT total, prices_include_tax FROM orders") == [
        (Decimal("31.95"), False)
    ]
    assert _rows(scratch_url, "SELECT countries FROM shipping_zones") == [(["GB", "DE"],)]
    assert _rows(
        scratch_url, "SELECT code, flat_price FROM shipping_methods ORDER BY position"
    ) == [("standard", Decimal("3.50")), ("express", Decimal("14.95"))]
    assert _rows(
        scratch_url, "SELECT return_window_days, shop_name, money_locale FROM shop_settings"
    ) == [(14, "Corner Store", "en_US")]

    command.downgrade(config, BEFORE)
    assert _rows(scratch_url, "SELECT count(*) FROM products") == [(1,)]
    command.upgrade(config, "head")
