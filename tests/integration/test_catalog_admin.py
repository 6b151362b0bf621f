"""Catalog administration: only admins change products, categories and brands; every
change is audited; bulk changes are exact; the tree refuses impossible moves and deletes."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from backend.accounts import authentication
from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from backend.accounts.schemas import Viewer
from backend.audit.models import AuditEntry
from backend.catalog import brands as brand_services
from backend.catalog import category_queries, queries, services, taxonomy
from backend.catalog.errors import (
    BrandInUseError,
    CategoryInUseError,
    DuplicateBrandError,
    DuplicateSkuError,
)
from backend.catalog.inputs import BrandCreate, CategoryCreate, CategoryUpdate
from backend.catalog.models import Category, Product
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct, count_product_announcements


@pytest.fixture
async def moderator_viewer(make_user: MakeUser) -> Viewer:
    credentials = await make_user(roles=frozenset({DefaultGroup.MODERATORS, RoleName.USER}))
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


async def _product(product_id: uuid.UUID) -> Product | None:
    async with session_scope() as session:
        return await session.get(Product, product_id)


async def _audit(entity_id: object, action: str) -> list[AuditEntry]:
    async with session_scope() as session:
        return list(
            (
                await session.exec(
                    select(AuditEntry).where(
                        AuditEntry.entity_id == str(entity_id), AuditEntry.action == action
                    )
                )
            ).all()
        )


async def _events_for(product_id: uuid.UUID) -> int:
    return await count_product_announcements([product_id])


async def test_only_admins_change_products_and_nothing_is_written_otherwise(
    make_product: MakeProduct,
    category: uuid.UUID,
    unique: str,
    shopper_viewer: Viewer,
    moderator_viewer: Viewer,
) -> None:
    product_id = await make_product(price=Decimal("10.00"))
    for outsider in (shopper_viewer, moderator_viewer):
        with pytest.raises(PermissionDeniedError):
            await services.create_product(
                {"name": "Sneaky", "sku": f"SN-{unique}", "price": "1", "category_id": category},
                actor=outsider,
            )
        with pytest.raises(PermissionDeniedError):
            await services.update_product(product_id, {"price": "0.01"}, actor=outsider)
        with pytest.raises(PermissionDeniedError):
            await services.set_products_active([product_id], active=False, actor=outsider)
        with pytest.raises(PermissionDeniedError):
            await services.change_prices_by_percent([product_id], Decimal(-50), actor=outsider)
        with pytest.raises(PermissionDeniedError):
            await services.delete_product(product_id, actor=outsider)
        with pytest.raises(PermissionDeniedError):
            await taxonomy.delete_category(category, actor=outsider)
    product = await _product(product_id)
    assert product is not None
    assert (product.price, product.is_active) == (Decimal("10.00"), True)
    assert await queries.find_product_id_by_sku(f"SN-{unique}") is None


async def test_an_edit_is_audited_with_only_the_changed_fields(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    product_id = await make_product(price=Decimal("10.00"), name="Oak Stool")
    await services.update_product(
        product_id, {"price": "12.50", "name": "Oak Stool"}, actor=admin_viewer
    )
    [entry] = await _audit(product_id, "product.updated")
    assert entry.actor_id == admin_viewer.user_id
    assert (entry.before, entry.after) == ({"price": "10.00"}, {"price": "12.50"})
    # Saving without a change writes nothing.
    await services.update_product(product_id, {"price": "12.50"}, actor=admin_viewer)
    assert len(await _audit(product_id, "product.updated")) == 1


async def test_duplicate_sku_is_a_field_error(
    make_product: MakeProduct, category: uuid.UUID, admin_viewer: Viewer, unique: str
) -> None:
    await make_product(sku=f"DUP-{unique}")
    with pytest.raises(DuplicateSkuError) as refused:
        await services.create_product(
            {"name": "Twin", "sku": f"DUP-{unique}", "price": "3", "category_id": category},
            actor=admin_viewer,
        )
    assert refused.value.data["field"] == "sku"


async def test_bulk_activation_changes_only_what_differs(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    shown, hidden = await make_product(), await make_product(is_active=False)
    assert (
        await services.set_products_active([shown, hidden], active=False, actor=admin_viewer) == 1
    )
    assert [(await _product(p)).is_active for p in (shown, hidden)] == [False, False]  # type: ignore[union-attr]
    assert await services.set_products_active([shown, hidden], active=True, actor=admin_viewer) == 2
    assert await _events_for(shown) == 3  # created, hidden, shown
    with pytest.raises(InvalidInputError):
        await services.set_products_active([], active=True, actor=admin_viewer)


@pytest.mark.parametrize(
    ("price", "percent", "expected"),
    [
        ("19.99", "10", "21.99"),  # 21.989 rounds half up once
        ("10.00", "-15", "8.50"),
        ("0.05", "10", "0.06"),  # 0.055 → 0.06
        ("100.00", "12.5", "112.50"),
    ],
)
def test_price_change_by_percent_rounds_once_to_the_cent(
    price: str, percent: str, expected: str
) -> None:
    assert services.changed_price(Decimal(price), Decimal(percent)) == Decimal(expected)


async def test_bulk_price_change_is_all_or_nothing(
    make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    cheap = await make_product(price=Decimal("19.99"))
    dear = await make_product(price=Decimal("90000000.00"))
    with pytest.raises(InvalidInputError):
        await services.change_prices_by_percent([cheap, dear], Decimal(20), actor=admin_viewer)
    assert (await _product(cheap)).price == Decimal("19.99")  # type: ignore[union-attr]
    for refused in (Decimal(0), Decimal(-95), Decimal(1001), Decimal("NaN")):
        with pytest.raises(InvalidInputError):
            await services.change_prices_by_percent([cheap], refused, actor=admin_viewer)
    assert await services.change_prices_by_percent([cheap], Decimal(10), actor=admin_viewer) == 1
    assert (await _product(cheap)).price == Decimal("21.99")  # type: ignore[union-attr]
    [entry] = await _audit(cheap, "product.bulk_updated")
    sku = (await _product(cheap)).sku  # type: ignore[union-attr]
    # Prices are per variant: the log names each one by its SKU.
    assert (entry.before, entry.after) == (
        {"price": {sku: "19.99"}},
        {"price": {sku: "21.99"}, "percent": "10"},
    )


async def test_categories_nest_reorder_and_refuse_cycles(admin_viewer: Viewer, unique: str) -> None:
    top = await taxonomy.create_category(
        CategoryCreate(name=f"Garden {unique}"), actor=admin_viewer
    )
    first, second = [
        await taxonomy.create_category(
            CategoryCreate(name=f"{name} {unique}", parent_id=top), actor=admin_viewer
        )
        for name in ("Pots", "Tools")
    ]
    rows = {row.id: row for row in await taxonomy.list_categories(admin_viewer)}
    assert rows[top].slug == f"garden-{unique}"
    assert (rows[first].depth, rows[first].position, rows[second].position) == (1, 0, 1)
    await taxonomy.move_category(second, offset=-1, actor=admin_viewer)
    order = [row.id for row in await taxonomy.list_categories(admin_viewer) if row.parent_id == top]
    assert order == [second, first]
    with pytest.raises(InvalidInputError):
        await taxonomy.update_category(top, CategoryUpdate(parent_id=first), actor=admin_viewer)
    await taxonomy.update_category(first, CategoryUpdate(parent_id=second), actor=admin_viewer)
    rows = {row.id: row for row in await taxonomy.list_categories(admin_viewer)}
    assert (rows[first].parent_id, rows[first].depth) == (second, 2)


async def test_renaming_a_category_reindexes_its_whole_subtree(
    admin_viewer: Viewer, make_product: MakeProduct, unique: str
) -> None:
    top = await taxonomy.create_category(CategoryCreate(name=f"Hall {unique}"), actor=admin_viewer)
    sub = await taxonomy.create_category(
        CategoryCreate(name=f"Hooks {unique}", parent_id=top), actor=admin_viewer
    )
    product_id = await make_product(category_id=sub)
    await taxonomy.update_category(top, CategoryUpdate(name=f"Entry {unique}"), actor=admin_viewer)
    assert await _events_for(product_id) == 2
    tree = await category_queries.get_category_tree()
    assert [node.name for node in tree.ancestors(sub)] == [f"Entry {unique}", f"Hooks {unique}"]


async def test_a_used_category_cannot_be_deleted_and_says_why(
    admin_viewer: Viewer, make_product: MakeProduct, category: uuid.UUID, unique: str
) -> None:
    await make_product()
    await make_product()
    with pytest.raises(CategoryInUseError) as refused:
        await taxonomy.delete_category(category, actor=admin_viewer)
    assert "still has 2 products" in refused.value.message
    empty = await taxonomy.create_category(
        CategoryCreate(name=f"Empty {unique}"), actor=admin_viewer
    )
    await taxonomy.delete_category(empty, actor=admin_viewer)
    async with session_scope() as session:
        assert await session.get(Category, empty) is None
        assert await session.get(Category, category) is not None
    assert len(await _audit(empty, "category.deleted")) == 1


async def test_brands_rename_follows_products_and_delete_is_refused_while_used(
    admin_viewer: Viewer, make_product: MakeProduct, unique: str
) -> None:
    brand_id = await brand_services.create_brand(
        BrandCreate(name=f"Fjord {unique}"), actor=admin_viewer
    )
    with pytest.raises(DuplicateBrandError):
        await brand_services.create_brand(BrandCreate(name=f"Fjord {unique}"), actor=admin_viewer)
    product_id = await make_product(brand=f"Fjord {unique}")
    await brand_services.rename_brand(
        brand_id, BrandCreate(name=f"Fjell {unique}"), actor=admin_viewer
    )
    assert (await _product(product_id)).brand == f"Fjell {unique}"  # type: ignore[union-attr]
    with pytest.raises(BrandInUseError) as refused:
        await brand_services.delete_brand(brand_id, actor=admin_viewer)
    assert "1 product still carries" in refused.value.message
    await services.update_product(product_id, {"brand": None}, actor=admin_viewer)
    await brand_services.delete_brand(brand_id, actor=admin_viewer)
    names = [row.name for row in await brand_services.list_brands(admin_viewer)]
    assert f"Fjell {unique}" not in names
    async with session_scope() as session:
        assert (
            await session.exec(select(func.count()).where(col(Product.id) == product_id))
        ).one() == 1
