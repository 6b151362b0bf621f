"""Product search over the real catalog: what the worker writes (sync_products,
rebuild_index) is what shoppers find, facet counts agree with SQL, and readers in other
processes follow every write. Each test's products share a unique word."""

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from backend.catalog import services as catalog
from backend.catalog import taxonomy
from backend.catalog.inputs import CategoryCreate
from backend.core.db import session_scope
from backend.search import storage
from backend.search.queries import _search_products, search_products, suggest
from backend.search.schemas import SearchQuery, SearchResults, SearchSort
from backend.search.searcher import searchers
from backend.search.services import ensure_index, rebuild_index, sync_products
from backend.settings import PROJECT_ROOT, get_settings
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct


@pytest.fixture(scope="module", autouse=True)
async def index_dir(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    """An index folder for this module, built from the test database as it is."""
    root = tmp_path_factory.mktemp("search-index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEARCH_INDEX_DIR", str(root))
        get_settings.cache_clear()
        assert await ensure_index() is True
        yield root
        searchers.close()
    get_settings.cache_clear()


async def find(text_: str = "", **query: object) -> SearchResults:
    return await search_products(SearchQuery(text=text_, **query))  # type: ignore[arg-type]


def names(results: SearchResults) -> list[str]:
    return [item.name for item in results.items]


async def test_a_new_product_is_found_once_synced(make_product: MakeProduct, unique: str) -> None:
    product_id = await make_product(name=f"Lantern {unique}")
    assert (await find(unique)).total == 0  # nothing reaches the index but the worker

    result = await sync_products([product_id])

    assert (result.indexed, result.removed) == (1, 0)
    found = await find(f"lantern {unique}")
    assert [item.id for item in found.items] == [product_id]
    assert found.items[0].price_display == "$19.99"


async def test_an_exact_name_ranks_first(make_product: MakeProduct, unique: str) -> None:
    ids = [
        await make_product(name=f"Desk Lamp {unique} Lamp Holder"),
        await make_product(name=f"Lamp {unique}"),
        await make_product(name=f"Lamp {unique} Lamp", description=f"A lamp {unique} lamp."),
    ]
    await sync_products(ids)

    assert names(await find(f"lamp {unique}"))[0] == f"Lamp {unique}"
    assert names(await find(f"LAMP  {unique}!"))[0] == f"Lamp {unique}"


async def test_a_misspelt_word_finds_the_product_and_suggests_the_spelling(
    make_product: MakeProduct, unique: str
) -> None:
    product_id = await make_product(name=f"Studio Headphones {unique}")
    await sync_products([product_id])

    results = await find(f"heaphones {unique}")

    assert [item.id for item in results.items] == [product_id]
    assert results.did_you_mean == f"headphones {unique}"


async def test_words_are_stemmed(make_product: MakeProduct, unique: str) -> None:
    product_id = await make_product(
        name=f"Enamel Mug {unique}", description="Keeps drinks warm for hours."
    )
    await sync_products([product_id])

    for query in (f"mugs {unique}", f"enamel mugs {unique}", f"drink {unique}", f"hour {unique}"):
        assert [item.id for item in (await find(query)).items] == [product_id], query


async def test_the_sku_finds_its_product(make_product: MakeProduct, unique: str) -> None:
    ids = [await make_product() for _ in range(3)]
    await sync_products(ids)

    assert (await find(f"T-{unique}-2")).items[0].id == ids[1]
    assert (await find(f"t-{unique}-2")).items[0].id == ids[1]


async def test_prefixes_find_products_while_typing(make_product: MakeProduct, unique: str) -> None:
    wanted = await make_product(name=f"Gooseneck Kettle {unique}")
    other = await make_product(name=f"Goose Down Pillow {unique}")
    await sync_products([wanted, other])

    assert [item.id for item in (await find(f"{unique} goosen")).items] == [wanted]
    assert {s.name for s in await suggest(f"{unique} goo")} == {
        f"Gooseneck Kettle {unique}",
        f"Goose Down Pillow {unique}",
    }
    assert [s.name for s in await suggest(f"gooseneck ke {unique}")] == [
        f"Gooseneck Kettle {unique}"
    ]


async def test_inactive_products_never_appear(make_product: MakeProduct, unique: str) -> None:
    hidden = await make_product(name=f"Hidden Vase {unique}", is_active=False)
    shown = await make_product(name=f"Shown Vase {unique}")
    await sync_products([hidden, shown])
    assert names(await find(f"vase {unique}")) == [f"Shown Vase {unique}"]

    await catalog.set_product_active(shown, active=False, actor=await catalog_manager())
    result = await sync_products([shown])

    assert result.removed == 1
    assert (await find(f"vase {unique}")).total == 0
    assert (await find(category_slug=f"category-{unique}")).total == 0
    assert await suggest(f"shown vase {unique}") == []


async def test_a_deleted_product_leaves_the_index(make_product: MakeProduct, unique: str) -> None:
    product_id = await make_product(name=f"Doomed Stool {unique}")
    await sync_products([product_id])
    await catalog.delete_product(product_id, actor=await catalog_manager())

    await sync_products([product_id])

    assert (await find(f"stool {unique}")).total == 0


async def test_an_edited_product_is_found_by_its_new_name_after_sync(
    make_product: MakeProduct, unique: str
) -> None:
    product_id = await make_product(name=f"Walnut Tray {unique}")
    await sync_products([product_id])
    await catalog.update_product(
        product_id, {"name": f"Teak Platter {unique}", "price": "61"}, actor=await catalog_manager()
    )
    assert (await find(f"teak {unique}")).total == 0  # until the worker syncs

    await sync_products([product_id])

    found = (await find(f"teak platter {unique}")).items
    assert [(item.id, item.price) for item in found] == [(product_id, Decimal("61.00"))]
    assert (await find(f"walnut {unique}")).total == 0


@pytest.fixture
async def tree(make_product: MakeProduct, unique: str) -> dict[str, uuid.UUID]:
    """A parent category with two subcategories and varied products, one inactive."""
    admin = await catalog_manager()
    parent = await taxonomy.create_category(
        CategoryCreate(name=f"Home {unique}", slug=f"home-{unique}"), actor=admin
    )
    chairs, tables = [
        await taxonomy.create_category(
            CategoryCreate(
                name=f"{name} {unique}", slug=f"{name.lower()}-{unique}", parent_id=parent
            ),
            actor=admin,
        )
        for name in ("Chairs", "Tables")
    ]
    specs = [
        (chairs, "Alder", "12.00", 4, True),
        (chairs, "Alder", "25.00", 0, True),
        (chairs, "Birch", "49.99", 2, True),
        (chairs, "Birch", "80.00", 2, False),
        (tables, "Alder", "120.00", 1, True),
        (tables, None, "250.00", 9, True),
        (parent, "Cedar", "99.99", 0, True),
    ]
    ids = [
        await make_product(
            name=f"Item {number} {unique}",
            category_id=category,
            brand=brand,
            price=Decimal(price),
            stock_quantity=stock,
            is_active=active,
        )
        for number, (category, brand, price, stock, active) in enumerate(specs)
    ]
    await sync_products(ids)
    return {"parent": parent, "chairs": chairs, "tables": tables}


async def _sql_counts(unique: str, where: str = "true") -> dict[str, object]:
    """Facet counts by plain SQL over the same products."""
    products = f"SELECT * FROM products p WHERE p.is_active AND p.name LIKE :pattern AND {where}"
    params = {"pattern": f"Item % {unique}"}
    async with session_scope() as session:

        async def rows(statement: str) -> list[tuple[object, ...]]:
            result = await session.exec(text(statement), params=params)  # type: ignore[call-overload]
            return [tuple(row) for row in result]

        total = await rows(f"SELECT count(*) FROM ({products}) p")
        categories = await rows(
            f"""WITH RECURSIVE matched AS ({products}),
                up(category_id) AS (
                    SELECT category_id FROM matched
                    UNION ALL
                    SELECT c.parent_id FROM up JOIN categories c ON c.id = up.category_id
                    WHERE c.parent_id IS NOT NULL)
            SELECT c.slug, c.name, count(*) FROM up JOIN categories c ON c.id = up.category_id
            GROUP BY c.slug, c.name ORDER BY count(*) DESC, lower(c.name), c.slug"""
        )
        brands = await rows(
            f"SELECT brand, count(*) FROM ({products}) p WHERE brand IS NOT NULL "
            "GROUP BY brand ORDER BY count(*) DESC, lower(brand)"
        )
        bands = await rows(
            f"""SELECT band, count(*) FROM (SELECT CASE
                    WHEN price < 25 THEN '1 Under $25' WHEN price < 50 THEN '2 $25–$50'
                    WHEN price < 100 THEN '3 $50–$100' WHEN price < 250 THEN '4 $100–$250'
                    ELSE '5 $250 and over' END AS band FROM ({products}) p) b
            GROUP BY band ORDER BY band"""
        )
    return {
        "total": total[0][0],
        "category": categories,
        "brand": brands,
        "price_band": [(str(label)[2:], count) for label, count in bands],
    }


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ({}, "true"),
        ({"brand": "Alder"}, "p.brand = 'Alder'"),
        ({"in_stock_only": True}, "p.stock_quantity > 0"),
        ({"price_band": "$25–$50"}, "p.price >= 25 AND p.price < 50"),
    ],
)
async def test_facet_counts_equal_the_database_counts(
    tree: dict[str, uuid.UUID], unique: str, query: dict[str, object], where: str
) -> None:
    results = await find(f"item {unique}", limit=100, **query)
    expected = await _sql_counts(unique, where)

    assert results.total == expected["total"]
    assert [tuple(facet) for facet in results.facets["category"]] == expected["category"]
    assert [tuple(facet) for facet in results.facets["brand"]] == expected["brand"]
    assert [tuple(facet) for facet in results.facets["price_band"]] == expected["price_band"]


async def test_a_parent_category_includes_its_subcategories(
    tree: dict[str, uuid.UUID], unique: str
) -> None:
    assert (await find(category_slug=f"home-{unique}")).total == 6
    assert (await find(category_slug=f"chairs-{unique}")).total == 3
    assert (await find(f"item {unique}", category_slug=f"tables-{unique}")).total == 2


async def test_sorting_by_price_and_newest(tree: dict[str, uuid.UUID], unique: str) -> None:
    async with session_scope() as session:

        async def sql_names(order: str) -> list[str]:
            result = await session.exec(  # type: ignore[call-overload]
                text(
                    f"SELECT name FROM products WHERE is_active AND name LIKE :p ORDER BY {order}"
                ),
                params={"p": f"Item % {unique}"},
            )
            return [row[0] for row in result]

        by_price = await sql_names("price, id")
        by_price_desc = await sql_names("price DESC, id")
        newest = await sql_names("created_at DESC, id")

    query = f"item {unique}"
    assert names(await find(query, sort=SearchSort.PRICE_ASC)) == by_price
    assert names(await find(query, sort=SearchSort.PRICE_DESC)) == by_price_desc
    assert names(await find(query, sort=SearchSort.NEWEST)) == newest
    assert names(await find(category_slug=f"home-{unique}")) == newest  # browsing: newest first


async def test_pages_cover_every_result_once(make_product: MakeProduct, unique: str) -> None:
    ids = [await make_product(price=Decimal(10 + n)) for n in range(7)]
    await sync_products(ids)

    pages = [
        await find(unique, limit=3, page=page, sort=SearchSort.PRICE_ASC) for page in (1, 2, 3, 4)
    ]

    assert [len(page.items) for page in pages] == [3, 3, 1, 0]
    assert {(page.total, page.page_count) for page in pages} == {(7, 3)}
    assert [item.id for page in pages for item in page.items] == ids


@pytest.mark.parametrize(
    "garbage",
    ["", "   ", "!!!", '"unbalanced', "AND OR NOT", "x" * 10_000, "ÿ€😀 \u200b", "(* ~ ^ :)"],
)
async def test_bad_input_never_raises(garbage: str) -> None:
    results = await find(garbage, page=-1, limit=10_000, sort="nonsense", brand=garbage)  # type: ignore[arg-type]
    assert results.total >= 0
    assert isinstance(await suggest(garbage, limit=-1), list)


async def test_readers_keep_the_old_index_while_a_rebuild_runs(
    make_product: MakeProduct, unique: str
) -> None:
    product_id = await make_product(name=f"Anchor {unique}")
    await sync_products([product_id])
    before = storage.current_generation(storage.index_root())
    seen_during_rebuild: list[int] = []

    def progress(read: int, total: int) -> None:
        assert 0 < read <= total
        seen_during_rebuild.append(_search_products(SearchQuery(text=f"anchor {unique}")).total)

    result = await rebuild_index(progress)

    assert seen_during_rebuild
    assert set(seen_during_rebuild) == {1}
    assert storage.current_generation(storage.index_root()) != before
    assert result.indexed <= result.read
    assert (await find(f"anchor {unique}")).total == 1


async def test_concurrent_writers_take_turns(make_product: MakeProduct, unique: str) -> None:
    ids = [await make_product(name=f"Turn {unique} {n}") for n in range(4)]

    await asyncio.gather(
        sync_products(ids[:2]), rebuild_index(), sync_products(ids[2:]), sync_products(ids[1:3])
    )

    assert (await find(f"turn {unique}")).total == 4


async def test_writes_by_another_process_reach_this_process(
    make_product: MakeProduct, unique: str
) -> None:
    """The worker is another process: the cached searcher must notice its commits."""
    assert (await find(f"harbour {unique}")).total == 0  # the searcher is now cached
    product_id = await make_product(name=f"Harbour Bell {unique}")

    async def in_worker_process(call: str) -> None:
        script = (
            "import asyncio, uuid\n"
            "from backend.core.db import dispose_engine\n"
            "from backend.search import services\n"
            "async def main():\n"
            f"    await services.{call}\n"
            "    await dispose_engine()\n"
            "asyncio.run(main())\n"
        )
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, cwd=PROJECT_ROOT, env=os.environ.copy()
        )
        assert await child.wait() == 0

    await in_worker_process(f"sync_products([uuid.UUID('{product_id}')])")
    assert names(await find(f"harbour {unique}")) == [f"Harbour Bell {unique}"]

    await catalog.update_product(
        product_id, {"name": f"Harbour Gong {unique}"}, actor=await catalog_manager()
    )
    await in_worker_process("rebuild_index()")
    assert names(await find(f"harbour {unique}")) == [f"Harbour Gong {unique}"]


async def test_without_an_index_a_sync_waits_for_the_first_build(
    make_product: MakeProduct, unique: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    product_id = await make_product(name=f"Early Bird {unique}")
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path / "fresh"))
    get_settings.cache_clear()
    try:
        assert (await sync_products([product_id])).no_index is True
        assert (await find(f"early {unique}")).total == 0

        assert await ensure_index() is True
        assert await ensure_index() is False

        assert (await find(f"early {unique}")).total == 1
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_a_sync_while_another_writer_holds_the_index_is_written_by_the_next(
    make_product: MakeProduct, unique: str
) -> None:
    """No worker slot waits behind the lock, and no change is left behind."""
    waiting = await make_product(name=f"Queued Kettle {unique}")
    later = await make_product(name=f"Later Kettle {unique}")
    lock = storage.acquire_writer_lock(storage.index_root(), timeout=1)
    try:
        result = await sync_products([waiting])
    finally:
        lock.release()
    assert result.queued
    assert (await find(f"kettle {unique}")).total == 0

    result = await sync_products([later])

    assert (result.indexed, result.queued) == (2, False)
    assert sorted(names(await find(f"kettle {unique}"))) == [
        f"Later Kettle {unique}",
        f"Queued Kettle {unique}",
    ]


async def test_the_reindex_command_reports_its_speed() -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.search.reindex",
        cwd=PROJECT_ROOT,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await child.communicate()

    assert child.returncode == 0
    assert b"products/s" in output


async def test_sizes_and_colours_are_found_filtered_and_counted_like_the_database(
    make_product: MakeProduct, unique: str
) -> None:
    from backend.catalog import queries as catalog_queries
    from backend.catalog import variants
    from backend.inventory import services as inventory

    manager = await catalog_manager()
    jacket = await make_product(name=f"Ridge Jacket {unique}")
    await variants.save_variants(
        jacket,
        {
            "options": [
                {"name": "Colour", "values": ["Navy", "Ochre"]},
                {"name": "Size", "values": ["S", "M"]},
            ],
            "variants": [
                {
                    "sku": f"RJ-{unique}-{colour[0]}{size}",
                    "price": "80.00",
                    "option_values": [colour, size],
                    "stock_quantity": 0 if (colour, size) == ("Ochre", "M") else 2,
                }
                for colour in ("Navy", "Ochre")
                for size in ("S", "M")
            ],
        },
        actor=manager,
    )
    vest = await make_product(name=f"Ridge Vest {unique}")
    await variants.save_variants(
        vest,
        {
            "options": [{"name": "Size", "values": ["M", "L"]}],
            "variants": [
                {"sku": f"RV-{unique}-{s}", "price": "40.00", "option_values": [s]}
                for s in ("M", "L")
            ],
        },
        actor=manager,
    )
    await sync_products([jacket, vest])

    found = await find(f"ridge {unique}")
    counts = {(f.name, f.value): f.product_count for f in found.facets["options"]}
    assert counts == {
        ("colour", "Navy"): 1,
        ("colour", "Ochre"): 1,
        ("size", "S"): 1,
        ("size", "M"): 2,
        ("size", "L"): 1,
    }
    in_stock = await find(f"ridge {unique}", in_stock_only=True)
    counts = {(f.name, f.value): f.product_count for f in in_stock.facets["options"]}
    assert counts == {
        ("colour", "Navy"): 1,
        ("colour", "Ochre"): 1,
        ("size", "S"): 1,
        ("size", "M"): 1,
    }

    assert {i.id for i in (await find(f"ridge {unique}", options=(("Size", "M"),))).items} == {
        jacket,
        vest,
    }
    sized = await find(f"ridge {unique}", options=(("size", "m"),), in_stock_only=True)
    assert [i.id for i in sized.items] == [jacket]
    ochre_m = await find(
        f"ridge {unique}", options=(("colour", "Ochre"), ("size", "M")), in_stock_only=True
    )
    assert ochre_m.total == 0  # Ochre in M is sold out (Ochre S and Navy M are not it)
    assert (await find(f"ochre ridge {unique}")).total == 1  # colours are words too

    # Ochre M comes back: after the worker's sync the filter finds it.
    record = await catalog_queries.get_product(jacket)
    ochre_m_id = next(v.id for v in record.variants if v.title == "Ochre / M")
    await inventory.adjust_stock(ochre_m_id, change=3, reason="restock", actor=manager)
    await sync_products([jacket])
    ochre_m = await find(
        f"ridge {unique}", options=(("colour", "Ochre"), ("size", "M")), in_stock_only=True
    )
    assert [i.id for i in ochre_m.items] == [jacket]


async def test_a_live_sale_prices_sorts_filters_and_counts_search_results(
    make_product: MakeProduct, category: uuid.UUID, unique: str
) -> None:
    """The index keeps catalog prices; while a sale runs, search goes by the sale prices,
    and back by the catalog's the moment it ends, with no reindex."""
    from backend.merchandising.promotions import forget_cached
    from tests.integration.test_promotions import _promote

    lamp = await make_product(name=f"Lamp {unique}", price=Decimal("120.00"))
    vase = await make_product(name=f"Vase {unique}", price=Decimal("60.00"))
    await sync_products([lamp, vase])
    promotion = await _promote(
        title="Half off", value="50", target="category", category_id=str(category)
    )
    try:
        on_sale = await find(unique, sort=SearchSort.PRICE_ASC)
        assert [(i.name, i.price, i.compare_at_price, i.sale_label) for i in on_sale.items] == [
            (f"Vase {unique}", Decimal("30.00"), Decimal("60.00"), "−50%"),
            (f"Lamp {unique}", Decimal("60.00"), Decimal("120.00"), "−50%"),
        ]
        bands = {band.label: band.product_count for band in on_sale.facets["price_band"]}
        assert bands == {"$25–$50": 1, "$50–$100": 1}
        in_band = await find(unique, price_band="$50–$100")
        assert names(in_band) == [f"Lamp {unique}"]  # at 60.00 now, indexed at 120.00
        assert names(await find(unique, price_band="$100–$250")) == []
        assert names(await find(unique, sort=SearchSort.PRICE_DESC)) == [
            f"Lamp {unique}",
            f"Vase {unique}",
        ]
    finally:
        async with session_scope() as session:
            await session.exec(  # type: ignore[call-overload]
                text("DELETE FROM promotions WHERE id = :id"), params={"id": promotion}
            )
        forget_cached()

    ended = await find(unique, price_band="$100–$250")
    assert [(i.name, i.price, i.sale_label) for i in ended.items] == [
        (f"Lamp {unique}", Decimal("120.00"), "")
    ]
