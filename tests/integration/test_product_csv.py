"""CSV export and two-step import of products: admins only, every row checked and
explained, good rows land even when others fail, an import applies once, stock changes
go through the ledger.

Categories and products are set up with plain inserts here, not the catalog services,
so these tests do not depend on those services' signatures.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select

from backend import product_import as product_csv
from backend.accounts import authentication
from backend.accounts.permissions import DefaultGroup
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog.errors import ImportExpiredError
from backend.catalog.models import Brand, Category, Product, ProductVariant
from backend.catalog.services import brand_slug, product_slug
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.events.models import OutboxEvent
from backend.inventory import services as inventory
from backend.product_import import CSV_COLUMNS
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import count_product_announcements

MINIMAL_COLUMNS = ("sku", "name", "price", "category")


# --- setup through plain inserts ------------------------------------------------------------


async def add_category(slug: str) -> uuid.UUID:
    async with session_scope() as session:
        category = Category(name=f"Category {slug}", slug=slug)
        session.add(category)
        await session.flush()
        return category.id


async def add_product(category_id: uuid.UUID, sku: str, **fields: Any) -> uuid.UUID:
    values: dict[str, Any] = {
        "name": f"Product {sku}",
        "price": Decimal("19.99"),
        "stock_quantity": 10,
        "low_stock_threshold": 5,
    }
    values |= fields
    values.setdefault("slug", product_slug(values["name"], sku))
    async with session_scope() as session:
        if values.get("brand"):
            await session.exec(
                insert(Brand)
                .values(name=values["brand"], slug=brand_slug(values["brand"]))
                .on_conflict_do_nothing()
            )
        product = Product(sku=sku, category_id=category_id, **values)
        session.add(product)
        await session.flush()
        session.add(  # every product has a variant, under its own id (ADR 0007)
            ProductVariant(
                id=product.id,
                product_id=product.id,
                sku=sku,
                price=product.price,
                stock_quantity=product.stock_quantity,
                is_default=True,
            )
        )
        return product.id


async def product_by_sku(sku: str) -> Product | None:
    async with session_scope() as session:
        return (await session.exec(select(Product).where(Product.sku == sku))).first()


async def count_products(sku_prefix: str) -> int:
    async with session_scope() as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(Product)
                .where(col(Product.sku).startswith(sku_prefix))
            )
        ).one()


async def count_events(event_type: str, product_ids: Sequence[uuid.UUID]) -> int:
    async with session_scope() as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(OutboxEvent)
                .where(
                    OutboxEvent.event_type == event_type,
                    col(OutboxEvent.aggregate_id).in_([str(i) for i in product_ids]),
                )
            )
        ).one()


async def ids_of(sku_prefix: str) -> list[uuid.UUID]:
    async with session_scope() as session:
        return list(
            (
                await session.exec(
                    select(Product.id).where(col(Product.sku).startswith(sku_prefix))
                )
            ).all()
        )


def csv_bytes(rows: Sequence[dict[str, str]], columns: Sequence[str] = MINIMAL_COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def parsed(exported: str) -> list[dict[str, str]]:
    assert exported.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(exported[1:], newline="")))


@pytest.fixture
async def csv_category(unique: str) -> tuple[uuid.UUID, str]:
    slug = f"csv-{unique}"
    return await add_category(slug), slug


@pytest.fixture
async def moderator_viewer(make_user: MakeUser) -> Viewer:
    moderator = await make_user(roles=frozenset({DefaultGroup.MODERATORS}))
    return (await authentication.sign_in(email=moderator.email, password=moderator.password)).viewer


# --- export and round trips --------------------------------------------------------------------


async def test_an_exported_catalog_imports_back_unchanged(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    category_id, _ = csv_category
    await add_product(category_id, f"RT-{unique}-B", is_active=False, brand=f"Brand {unique}")
    await add_product(category_id, f"RT-{unique}-A", description="Plain text")
    await add_product(
        category_id, f"RT-{unique}-C", attributes={"color": "blue"}, image_urls=["/media/c.png"]
    )

    exported = await product_csv.export_products_csv(admin_viewer)

    rows = parsed(exported)
    assert exported[1:].splitlines()[0] == ",".join(CSV_COLUMNS)
    # Every product, hidden ones too (one row each, or one per variant under its handle).
    assert len({row["handle"] or row["sku"] for row in rows}) == await count_products("")
    ours = [row for row in rows if row["sku"].startswith(f"RT-{unique}")]
    assert [row["sku"] for row in ours] == [f"RT-{unique}-{x}" for x in "ABC"]  # by SKU
    # Other tests' products may have been written around the input rules: only ours here.
    preview = await product_csv.preview_import(admin_viewer, csv_bytes(ours, CSV_COLUMNS))
    assert (preview.file_rows, preview.unchanged_count) == (3, 3)
    assert (preview.create_count, preview.update_count, preview.rejected_count) == (0, 0, 0)
    assert preview.token is None  # nothing to apply


async def test_attributes_images_and_awkward_text_survive_a_round_trip(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    category_id, _ = csv_category
    sku = f"ART-{unique}"
    original = {
        "name": "=Mug, “enamel”; 12 oz",
        "description": 'Line one, with a comma\nline "two"; a=b',
        "price": Decimal("1234.50"),
        "currency": "EUR",
        "brand": f"Brändé {unique}",
        "stock_quantity": 0,
        "low_stock_threshold": 0,
        "is_active": False,
        "attributes": {"color": "Blue, dark", "fit": "a=b; c=d", "note": 'say "hi"'},
        "image_urls": ["https://cdn.example.com/a%20b.jpg", "/media/x/y.png"],
    }
    await add_product(category_id, sku, **original)

    rows = parsed(await product_csv.export_products_csv(admin_viewer))
    row = next(r for r in rows if r["sku"] == sku)
    assert row["name"] == "'=Mug, “enamel”; 12 oz"  # a spreadsheet must not run it
    assert row["image_urls"] == "https://cdn.example.com/a%20b.jpg /media/x/y.png"
    async with session_scope() as session:
        await session.exec(delete(Product).where(col(Product.sku) == sku))

    preview = await product_csv.preview_import(admin_viewer, csv_bytes([row], CSV_COLUMNS))
    assert (preview.create_count, preview.rejected) == (1, ())
    assert preview.token is not None
    result = await product_csv.apply_import(admin_viewer, preview.token)

    assert result.created == 1
    product = await product_by_sku(sku)
    assert product is not None
    assert {name: getattr(product, name) for name in original} == original
    assert product.category_id == category_id


# --- previews ------------------------------------------------------------------------------


async def test_a_thousand_rows_with_three_bad_ones_import_the_other_997(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    _, slug = csv_category
    prefix = f"K-{unique}-"
    rows = [
        {"sku": f"{prefix}{n:04}", "name": f"Thing {n}", "price": "4.50", "category": slug}
        for n in range(1000)
    ]
    rows[15]["price"] = "-1.00"  # spreadsheet row 17
    rows[500]["category"] = f"nowhere-{unique}"  # row 502
    rows[998]["sku"] = "bad sku!"  # row 1000

    preview = await product_csv.preview_import(admin_viewer, csv_bytes(rows))

    assert [(r.row, r.sku, r.reason) for r in preview.rejected] == [
        (17, f"{prefix}0015", "Row 17: price — The price cannot be negative."),
        (
            502,
            f"{prefix}0500",
            f"Row 502: category — There is no category with the address “nowhere-{unique}”.",
        ),
        (
            1000,
            "bad sku!",
            "Row 1000: sku — Use 1 to 50 letters, digits, dots, dashes or underscores.",
        ),
    ]
    assert (preview.file_rows, preview.create_count, preview.rejected_count) == (1000, 997, 3)
    assert [s.row for s in preview.sample] == [*range(2, 17), *range(18, 23)]
    assert preview.sample[0].action == "create"
    assert await count_products(prefix) == 0  # a preview writes nothing
    assert preview.token is not None

    result = await product_csv.apply_import(admin_viewer, preview.token)

    assert (result.created, result.updated, result.failed, result.rejected) == (997, 0, (), 3)
    assert await count_products(prefix) == 997
    assert await count_product_announcements(await ids_of(prefix)) == 997
    logged = await audit.list_entries(entity_type="product_import", action="product.imported")
    ours = [e for e in logged.items if e.after and e.after["skus"][0].startswith(prefix)]
    assert sum(e.after["created"] for e in ours if e.after) == 997
    assert {e.actor.split(" ")[0] for e in ours} == {admin_viewer.username}


async def test_every_row_of_a_repeated_sku_is_rejected(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    _, slug = csv_category
    twice, once = f"D-{unique}-1", f"D-{unique}-2"
    rows = [
        {"sku": twice, "name": "First", "price": "1", "category": slug},
        {"sku": once, "name": "Only", "price": "2", "category": slug},
        {"sku": twice, "name": "Second", "price": "3", "category": slug},
    ]

    preview = await product_csv.preview_import(admin_viewer, csv_bytes(rows))

    message = f"sku — SKU {twice} is on rows 2, 4: keep one row per product."
    assert [(r.row, r.reason) for r in preview.rejected] == [
        (2, f"Row 2: {message}"),
        (4, f"Row 4: {message}"),
    ]
    assert preview.create_count == 1


async def test_a_bom_blank_lines_and_column_order_are_fine(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    _, slug = csv_category
    text = (
        f"\ufeffCategory,Price,SKU,Name\r\n{slug},2.00,B-{unique}-1,One\r\n\r\n"
        f"{slug},-2,B-{unique}-2,Two\r\n"
    )

    preview = await product_csv.preview_import(admin_viewer, text.encode())

    assert preview.create_count == 1
    # The blank line is row 3 in a spreadsheet, so the bad row is row 4.
    assert [r.reason for r in preview.rejected] == ["Row 4: price — The price cannot be negative."]


UNUSABLE_FILES = {
    "empty": (b"", "The file is empty."),
    "only whitespace": (b" \r\n\r\n", "The file is empty."),
    "header only": (b"sku,name,price,category\r\n", "The file has a header but no product rows."),
    "windows-1252": ("sku,name,price,category\nA1,Café,1.00,x\n".encode("cp1252"), "UTF-8"),
    "utf-16": ("sku,name,price,category\nA1,Mug,1.00,x\n".encode("utf-16"), "UTF-8"),
    "missing columns": (
        b"sku,name\nA1,Mug\n",
        "Missing columns: price, category. A product file needs at least sku, name, price and",
    ),
    "unknown column": (b"sku,name,price,category,colour\nA1,Mug,1,x,red\n", "Unknown columns: "),
    "semicolons": (b"sku;name;price;category\nA1;Mug;1;x\n", "Separate the columns with commas"),
    "repeated column": (b"sku,name,price,category,name\nA1,Mug,1,x,y\n", "more than once: name"),
    "too big": (
        b"sku,name,price,category,description\n" + b"A1,Mug,1,x," + b"x" * (5 * 1024 * 1024),
        "larger than 5 MB",
    ),
    "too many rows": (
        b"sku,name,price,category\n" + b"A1,Mug,1,x\n" * 20_001,
        "more than 20,000 product rows",
    ),
}


@pytest.mark.parametrize("case", UNUSABLE_FILES)
async def test_an_unusable_file_is_refused_with_a_clear_message(
    admin_viewer: Viewer, case: str
) -> None:
    data, message = UNUSABLE_FILES[case]
    with pytest.raises(InvalidInputError) as refused:
        await product_csv.preview_import(admin_viewer, data)
    assert message in refused.value.message
    assert refused.value.field_errors == {"file": refused.value.message}


# --- applying ---------------------------------------------------------------------------------


async def test_an_update_changes_price_and_stock_through_the_ledger(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    category_id, slug = csv_category
    sku, same = f"U-{unique}", f"U-{unique}-same"
    product_id = await add_product(
        category_id, sku, description="Kept", brand=f"Kept {unique}", stock_quantity=10
    )
    same_id = await add_product(category_id, same)
    rows = [
        {
            "sku": sku,
            "name": f"Product {sku}",
            "price": "17.50",
            "category": slug,
            "stock_quantity": "4",
        },
        {"sku": same, "name": f"Product {same}", "price": "19.99", "category": slug},
    ]

    preview = await product_csv.preview_import(
        admin_viewer, csv_bytes(rows, [*MINIMAL_COLUMNS, "stock_quantity"])
    )
    assert (preview.update_count, preview.unchanged_count) == (1, 1)
    assert preview.sample[0].changes == ("price: 19.99 → 17.50", "stock_quantity: 10 → 4")
    assert preview.token is not None
    result = await product_csv.apply_import(admin_viewer, preview.token)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    product = await product_by_sku(sku)
    assert product is not None
    assert (product.price, product.stock_quantity) == (Decimal("17.50"), 4)
    assert (product.description, product.brand) == ("Kept", f"Kept {unique}")  # not in file
    history = await inventory.list_movements(product_id)
    assert [(m.change, m.quantity_after, m.reason, m.who) for m in history] == [
        (-6, 4, "csv import", admin_viewer.username)
    ]
    assert await count_events("InventoryUpdated", [product_id]) == 1
    assert await count_events("LowStock", [product_id]) == 1  # 10 → 4 crossed 5
    assert await count_product_announcements([product_id]) == 1
    assert await count_product_announcements([same_id]) == 0  # nothing to change


async def test_sales_between_preview_and_apply_are_never_undone(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    category_id, slug = csv_category
    price_only, restock = f"S-{unique}-1", f"S-{unique}-2"
    for sku in (price_only, restock):
        await add_product(category_id, sku, stock_quantity=10)
    columns = [*MINIMAL_COLUMNS, "stock_quantity"]
    rows = [
        {
            "sku": price_only,
            "name": f"Product {price_only}",
            "price": "9.00",
            "category": slug,
            "stock_quantity": "10",
        },
        {
            "sku": restock,
            "name": f"Product {restock}",
            "price": "9.00",
            "category": slug,
            "stock_quantity": "50",
        },
    ]
    preview = await product_csv.preview_import(admin_viewer, csv_bytes(rows, columns))
    assert preview.token is not None
    async with session_scope() as session:  # orders come in meanwhile
        await session.exec(
            update(ProductVariant)
            .where(col(ProductVariant.sku).in_([price_only, restock]))
            .values(stock_quantity=ProductVariant.stock_quantity - 3)
        )

    result = await product_csv.apply_import(admin_viewer, preview.token)

    assert (result.updated, result.unchanged, result.file_rows) == (1, 0, 2)
    assert [(r.row, r.sku) for r in result.failed] == [(3, restock)]
    assert result.failed[0].reason.startswith("Row 3: stock_quantity — The stock changed since")
    sold = await product_by_sku(price_only)
    untouched = await product_by_sku(restock)
    assert sold is not None
    assert untouched is not None
    assert (sold.price, sold.stock_quantity) == (Decimal("9.00"), 7)
    assert (untouched.price, untouched.stock_quantity) == (Decimal("19.99"), 7)


async def test_an_import_applies_once_and_only_for_its_admin(
    admin_viewer: Viewer, make_user: MakeUser, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    _, slug = csv_category
    prefix = f"O-{unique}-"
    rows = [
        {"sku": f"{prefix}{n}", "name": "Once", "price": "1", "category": slug} for n in range(3)
    ]
    preview = await product_csv.preview_import(admin_viewer, csv_bytes(rows))
    assert preview.token is not None
    other = await make_user(roles=frozenset({DefaultGroup.ADMINISTRATORS}))
    other_admin = (await authentication.sign_in(email=other.email, password=other.password)).viewer

    with pytest.raises(ImportExpiredError):
        await product_csv.apply_import(other_admin, preview.token)
    first = await product_csv.apply_import(admin_viewer, preview.token)
    with pytest.raises(ImportExpiredError) as again:
        await product_csv.apply_import(admin_viewer, preview.token)
    with pytest.raises(ImportExpiredError):
        await product_csv.apply_import(admin_viewer, "not-a-token")

    assert first.created == 3
    assert again.value.message.startswith("This import was already applied or has expired")
    assert await count_products(prefix) == 3
    assert await count_product_announcements(await ids_of(prefix)) == 3


@pytest.mark.parametrize("who", ["shopper", "moderator"])
async def test_only_administrators_export_or_import(
    who: str,
    admin_viewer: Viewer,
    shopper_viewer: Viewer,
    moderator_viewer: Viewer,
    csv_category: tuple[uuid.UUID, str],
    unique: str,
) -> None:
    actor = {"shopper": shopper_viewer, "moderator": moderator_viewer}[who]
    _, slug = csv_category
    sku = f"P-{unique}"
    data = csv_bytes([{"sku": sku, "name": "Refused", "price": "1", "category": slug}])
    preview = await product_csv.preview_import(admin_viewer, data)
    assert preview.token is not None

    with pytest.raises(PermissionDeniedError):
        await product_csv.export_products_csv(actor)
    with pytest.raises(PermissionDeniedError):
        product_csv.stream_products_csv(actor)
    with pytest.raises(PermissionDeniedError):
        await product_csv.preview_import(actor, data)
    with pytest.raises(PermissionDeniedError):
        await product_csv.apply_import(actor, preview.token)
    assert await product_by_sku(sku) is None

    # The refused attempt did not spend the admin's import.
    assert (await product_csv.apply_import(admin_viewer, preview.token)).created == 1


async def test_rows_refused_when_applied_are_reported_and_the_others_land(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    category_id, slug = csv_category
    doomed = f"doomed-{unique}"
    await add_category(doomed)
    prefix = f"F-{unique}-"
    clash = f"{prefix}9"
    # Someone already uses the address a new "Clash" product would get.
    await add_product(category_id, f"X-{unique}", slug=product_slug("Clash", clash))
    rows = [
        {
            "sku": f"{prefix}{n}",
            "name": f"Fine {n}",
            "price": "1",
            "category": doomed if n in (1, 3) else slug,
        }
        for n in range(5)
    ] + [{"sku": clash, "name": "Clash", "price": "1", "category": slug}]
    preview = await product_csv.preview_import(admin_viewer, csv_bytes(rows))
    assert (preview.create_count, preview.token is not None) == (6, True)
    async with session_scope() as session:
        await session.exec(delete(Category).where(col(Category.slug) == doomed))

    assert preview.token is not None
    result = await product_csv.apply_import(admin_viewer, preview.token)

    assert result.created == 3
    assert [(r.row, r.reason) for r in result.failed] == [
        (3, f"Row 3: category — The category “{doomed}” no longer exists."),
        (5, f"Row 5: category — The category “{doomed}” no longer exists."),
        (
            7,
            "Row 7: name — Another product already uses the address "
            f"“{product_slug('Clash', clash)}”: change the name or the SKU.",
        ),
    ]
    assert sorted(
        p.sku for p in [await product_by_sku(f"{prefix}{n}") for n in (0, 2, 4)] if p
    ) == [f"{prefix}0", f"{prefix}2", f"{prefix}4"]
    assert await count_products(prefix) == 3


async def test_progress_is_reported_after_each_chunk(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    _, slug = csv_category
    rows = [
        {"sku": f"G-{unique}-{n}", "name": "Step", "price": "1", "category": slug}
        for n in range(450)
    ]
    preview = await product_csv.preview_import(admin_viewer, csv_bytes(rows))
    seen: list[tuple[int, int]] = []

    async def on_progress(done: int, total: int) -> None:
        seen.append((done, total))

    assert preview.token is not None
    await product_csv.apply_import(admin_viewer, preview.token, on_progress=on_progress)

    assert seen == [(200, 450), (400, 450), (450, 450)]


async def test_products_in_sizes_export_one_row_per_variant_and_import_back(
    admin_viewer: Viewer, csv_category: tuple[uuid.UUID, str], unique: str
) -> None:
    from backend.catalog import queries as catalog_queries
    from backend.catalog import variants

    category_id, slug = csv_category
    product_id = await add_product(category_id, f"VT-{unique}", name=f"Vest {unique}")
    await variants.save_variants(
        product_id,
        {
            "options": [
                {"name": "Size", "values": ["S", "M"]},
                {"name": "Colour", "values": ["Navy"]},
            ],
            "variants": [
                {
                    "sku": f"VT-{unique}-{size}",
                    "price": "30.00",
                    "option_values": [size, "Navy"],
                    "stock_quantity": 4,
                }
                for size in ("S", "M")
            ],
        },
        actor=admin_viewer,
    )
    handle = (await catalog_queries.get_product(product_id)).summary.slug
    exported = parsed(await product_csv.export_products_csv(admin_viewer))
    ours = [row for row in exported if row["handle"] == handle]
    assert [(r["sku"], r["option1_value"], r["option2_value"]) for r in ours] == [
        (f"VT-{unique}-S", "S", "Navy"),
        (f"VT-{unique}-M", "M", "Navy"),
    ]
    assert {r["option1_name"] for r in ours} == {"Size"}

    unchanged = await product_csv.preview_import(admin_viewer, csv_bytes(ours, CSV_COLUMNS))
    assert (unchanged.unchanged_count, unchanged.update_count, unchanged.token) == (2, 0, None)

    # The M gets dearer and recounted, an L is added: the preview says so, confirm applies.
    ours[1] |= {"price": "34.00", "stock_quantity": "6"}
    ours.append(ours[1] | {"sku": f"VT-{unique}-L", "option1_value": "L", "stock_quantity": "2"})
    preview = await product_csv.preview_import(admin_viewer, csv_bytes(ours, CSV_COLUMNS))
    assert (preview.update_count, preview.rejected_count) == (3, 0)
    assert preview.sample[0].changes == ("variants", f"stock of VT-{unique}-M: → 6")
    assert preview.token is not None
    result = await product_csv.apply_import(admin_viewer, preview.token)
    assert (result.updated, result.failed) == (3, ())
    record = await catalog_queries.get_product(product_id)
    by_sku = {v.sku: v for v in record.variants}
    assert (by_sku[f"VT-{unique}-M"].price, by_sku[f"VT-{unique}-M"].stock_quantity) == (
        Decimal("34.00"),
        6,
    )
    assert by_sku[f"VT-{unique}-L"].stock_quantity == 2
    assert by_sku[f"VT-{unique}-S"].stock_quantity == 4
    assert record.summary.stock_quantity == 12

    # A new product in sizes; a bad group is refused row by row, naming the reason.
    new_rows = [
        {
            "handle": f"tee-{unique}",
            "sku": f"NT-{unique}-{size}",
            "name": f"Tee {unique}",
            "price": "15.00",
            "category": slug,
            "stock_quantity": "3",
            "option1_name": "Size",
            "option1_value": size,
        }
        for size in ("S", "M")
    ]
    bad = [
        row | {"handle": f"bad-{unique}", "sku": f"BD-{unique}", "option1_value": "S"}
        for row in new_rows
    ]
    preview = await product_csv.preview_import(admin_viewer, csv_bytes(new_rows + bad, CSV_COLUMNS))
    assert (preview.create_count, preview.rejected_count) == (2, 2)
    assert (
        "same" in preview.rejected[0].reason.lower()
        or "twice" in preview.rejected[0].reason.lower()
    )
    assert preview.token is not None
    result = await product_csv.apply_import(admin_viewer, preview.token)
    assert result.created == 2
    tee = await catalog_queries.find_product_id_by_sku(f"NT-{unique}-S")
    assert tee is not None
    assert [v.title for v in (await catalog_queries.get_product(tee)).variants] == ["S", "M"]
