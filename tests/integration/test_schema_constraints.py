"""The database keeps its own rules, whatever the code above it does."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from backend.core.db import session_scope

INSERT_PRODUCT = text(
    "INSERT INTO products (name, sku, slug, price, category_id, stock_quantity) "
    "VALUES (:name, :sku, :slug, :price, :category_id, :stock)"
)


async def _insert(category: uuid.UUID, *, sku: str, price: str = "1.00", stock: int = 0) -> None:
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]
            INSERT_PRODUCT,
            params={
                "name": "Raw",
                "sku": sku,
                "slug": sku.lower(),
                "price": price,
                "category_id": category,
                "stock": stock,
            },
        )


async def test_database_refuses_a_negative_price(category: uuid.UUID, unique: str) -> None:
    with pytest.raises(IntegrityError, match="products_price_not_negative_check"):
        await _insert(category, sku=f"NEG-{unique}", price="-0.01")


async def test_database_refuses_a_negative_stock(category: uuid.UUID, unique: str) -> None:
    with pytest.raises(IntegrityError, match="products_stock_quantity_not_negative_check"):
        await _insert(category, sku=f"STOCK-{unique}", stock=-1)


async def test_database_refuses_a_duplicate_sku(category: uuid.UUID, unique: str) -> None:
    await _insert(category, sku=f"DUP-{unique}")
    with pytest.raises(IntegrityError, match="products_sku_key"):
        await _insert(category, sku=f"DUP-{unique}")


async def test_database_refuses_a_product_in_a_missing_category(unique: str) -> None:
    with pytest.raises(IntegrityError, match="products_category_id_fkey"):
        await _insert(uuid.uuid4(), sku=f"ORPHAN-{unique}")


async def test_ids_and_timestamps_come_from_the_database(category: uuid.UUID, unique: str) -> None:
    await _insert(category, sku=f"DEF-{unique}")
    async with session_scope() as session:
        row = (
            await session.exec(  # type: ignore[call-overload]
                text(
                    "SELECT id, currency, attributes, is_active, created_at FROM products "
                    "WHERE sku = :sku"
                ),
                params={"sku": f"DEF-{unique}"},
            )
        ).one()
    assert isinstance(row.id, uuid.UUID)
    assert (row.currency, row.attributes, row.is_active) == ("USD", {}, True)
    assert row.created_at.tzinfo is not None


async def test_emails_are_unique_regardless_of_case(unique: str) -> None:
    statement = text(
        "INSERT INTO users (username, email, password_hash) VALUES (:username, :email, 'x')"
    )
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]
            statement, params={"username": f"a{unique}", "email": f"Ann{unique}@example.com"}
        )
    with pytest.raises(IntegrityError, match="users_email_idx"):
        async with session_scope() as session:
            await session.exec(  # type: ignore[call-overload]
                statement, params={"username": f"b{unique}", "email": f"ann{unique}@EXAMPLE.com"}
            )
