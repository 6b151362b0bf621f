"""Migration 0018 (product variants) on a database holding the shop's data: every product
becomes one default variant under its own id, everything naming a product keeps working,
and the way back restores the rows as they were (and refuses to lose variants)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from alembic import command

from tests.integration.test_migrations import _alembic, scratch_database

BEFORE, AFTER = "0017_outbox_trace", "0018_variants"


@pytest.fixture(scope="module")
def scratch_url() -> Iterator[str]:
    yield from scratch_database("variant_migration")


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(_plain(url)) as connection:
        return connection.execute(query).fetchall()  # type: ignore[arg-type]


_SHOP_DATA = """
INSERT INTO users (id, username, email, password_hash)
    VALUES ('00000000-0000-0000-0000-0000000000aa', 'ann', 'ann@example.com', 'x');
INSERT INTO categories (id, name, slug)
    VALUES ('00000000-0000-0000-0000-0000000000c1', 'Mugs', 'mugs');
INSERT INTO products (id, name, sku, price, category_id, slug, stock_quantity,
                      low_stock_threshold)
VALUES ('00000000-0000-0000-0000-000000000001', 'Mug', 'MUG-1', 12.50,
        '00000000-0000-0000-0000-0000000000c1', 'mug', 7, 3),
       ('00000000-0000-0000-0000-000000000002', 'Jug', 'JUG-1', 30.00,
        '00000000-0000-0000-0000-0000000000c1', 'jug', 0, 5);
INSERT INTO orders (id, number, checkout_key, email, customer_name, shipping_address,
                    shipping_method, currency, subtotal, total)
VALUES ('00000000-0000-0000-0000-0000000000d1', 'KG-1', 'key-1', 'ann@example.com', 'Ann',
        '{}', 'standard', 'USD', 25.00, 25.00);
INSERT INTO order_lines (order_id, product_id, sku, name, unit_price, quantity, line_total,
                         position)
VALUES ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-000000000001',
        'MUG-1', 'Mug', 12.50, 2, 25.00, 0);
INSERT INTO stock_movements (product_id, change, quantity_after, reason, order_id)
VALUES ('00000000-0000-0000-0000-000000000001', -2, 7, 'order_placed',
        '00000000-0000-0000-0000-0000000000d1');
INSERT INTO stock_notice_subscriptions (product_id, email, status, confirmed_at)
VALUES ('00000000-0000-0000-0000-000000000002', 'ann@example.com', 'active', now());
INSERT INTO wishlists (id, user_id)
VALUES ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000aa');
INSERT INTO wishlist_items (wishlist_id, product_id)
VALUES ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-000000000002');
INSERT INTO reviews (product_id, author_name, rating, body)
VALUES ('00000000-0000-0000-0000-000000000001', 'Ann', 5, 'Holds tea.');
"""

_SNAPSHOT = {
    "products": "SELECT id, sku, price, stock_quantity, low_stock_threshold FROM products",
    "order_lines": "SELECT product_id, sku, quantity, line_total FROM order_lines",
    "stock_movements": "SELECT product_id, change, quantity_after FROM stock_movements",
    "notices": "SELECT product_id, email, status FROM stock_notice_subscriptions",
    "wishlist_items": "SELECT product_id FROM wishlist_items",
    "reviews": "SELECT product_id, rating FROM reviews",
}


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {name: sorted(_rows(url, query), key=str) for name, query in _SNAPSHOT.items()}


def test_up_gives_each_product_its_default_variant_and_down_restores_it(
    scratch_url: str,
) -> None:
    config = _alembic(scratch_url)
    command.downgrade(config, "base")  # whatever ran before: a fresh schema
    command.upgrade(config, BEFORE)
    with psycopg.connect(_plain(scratch_url)) as connection:
        connection.execute(_SHOP_DATA)  # type: ignore[arg-type]
    before = _snapshot(scratch_url)

    command.upgrade(config, AFTER)

    assert _snapshot(scratch_url) == before  # nothing lost, nothing changed
    variants = _rows(
        scratch_url,
        "SELECT id = product_id, sku, price, stock_quantity, low_stock_threshold, is_default "
        "FROM product_variants ORDER BY sku",
    )
    assert variants == [
        (True, "JUG-1", Decimal("30.00"), 0, 5, True),
        (True, "MUG-1", Decimal("12.50"), 7, 3, True),
    ]
    # Every reference to a product now also names its variant (the same id).
    for table in ("order_lines", "stock_movements", "stock_notice_subscriptions"):
        assert _rows(
            scratch_url, f"SELECT count(*) FROM {table} WHERE variant_id <> product_id"
        ) == [(0,)]
    # The product row follows its variant from now on (the summary trigger).
    with psycopg.connect(_plain(scratch_url)) as connection:
        connection.execute(
            "UPDATE product_variants SET stock_quantity = 4, price = 11.00 WHERE sku = 'MUG-1'"
        )
    assert _rows(scratch_url, "SELECT price, stock_quantity FROM products WHERE sku = 'MUG-1'") == [
        (Decimal("11.00"), 4)
    ]

    command.downgrade(config, BEFORE)
    assert _rows(scratch_url, "SELECT price, stock_quantity FROM products WHERE sku = 'MUG-1'") == [
        (Decimal("11.00"), 4)
    ]
    with psycopg.connect(_plain(scratch_url)) as connection:
        connection.execute(
            "UPDATE products SET stock_quantity = 7, price = 12.50 WHERE sku = 'MUG-1'"
        )
    assert _snapshot(scratch_url) == before


def test_down_refuses_while_a_product_has_several_variants(scratch_url: str) -> None:
    config = _alembic(scratch_url)
    command.downgrade(config, "base")  # whatever ran before: a fresh schema
    command.upgrade(config, AFTER)
    with psycopg.connect(_plain(scratch_url)) as connection:
        connection.execute(
            "INSERT INTO categories (id, name, slug) VALUES "
            "('00000000-0000-0000-0000-0000000000c2', 'Bowls', 'bowls'); "
            "INSERT INTO products (id, name, sku, price, category_id, slug) VALUES "
            "('00000000-0000-0000-0000-000000000003', 'Bowl', 'BOWL-1', 9.00, "
            "'00000000-0000-0000-0000-0000000000c2', 'bowl'); "
            "INSERT INTO product_options (id, product_id, name, position) VALUES "
            "('00000000-0000-0000-0000-0000000000f1', '00000000-0000-0000-0000-000000000003',"
            " 'Size', 1); "
            "INSERT INTO product_option_values (id, option_id, value, position) VALUES "
            "('00000000-0000-0000-0000-0000000000f2', '00000000-0000-0000-0000-0000000000f1',"
            " 'Small', 0), "
            "('00000000-0000-0000-0000-0000000000f3', '00000000-0000-0000-0000-0000000000f1',"
            " 'Big', 1); "
            "INSERT INTO product_variants (product_id, sku, price, option1_value_id, is_default)"
            " VALUES ('00000000-0000-0000-0000-000000000003', 'BOWL-S', 9.00,"
            " '00000000-0000-0000-0000-0000000000f2', true), "
            "('00000000-0000-0000-0000-000000000003', 'BOWL-B', 14.00,"
            " '00000000-0000-0000-0000-0000000000f3', false)"
        )
    assert _rows(scratch_url, "SELECT sku, price FROM products") == [("BOWL-S", Decimal("9.00"))]
    with pytest.raises(RuntimeError, match="Cannot downgrade below product variants"):
        command.downgrade(config, BEFORE)
    assert _rows(scratch_url, "SELECT count(*) FROM product_variants") == [(2,)]
    with psycopg.connect(_plain(scratch_url)) as connection:
        connection.execute("DELETE FROM products")  # the module's schema can go down again
