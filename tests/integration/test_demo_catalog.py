"""The demo catalog: realistic, the same on every run, seeded in bulk and only once."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, func
from sqlmodel import col, select

from backend.catalog.inputs import ProductCreate
from backend.catalog.models import Brand, Category, Product
from backend.catalog.services import brand_slug, product_slug
from backend.core.db import session_scope
from backend.demo.catalog import (
    DEFAULT_SIZE,
    DEMO_BRANDS,
    DEMO_CATEGORIES,
    demo_products,
    leaf_categories,
    sku_prefix,
)
from backend.demo.images import SHAPES, Illustration, render_views, store_product_images
from backend.demo.seed import seed_demo_data
from backend.events.models import OutboxEvent
from backend.media.storage import get_storage, key_from_url
from backend.media.thumbnails import THUMBNAIL_SIZES, thumbnail_key
from backend.settings import get_settings


@pytest.fixture
def media_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path / "media"))
    get_settings.cache_clear()
    yield tmp_path / "media"
    get_settings.cache_clear()


@pytest.fixture
async def own_seed() -> AsyncIterator[int]:
    """A seed of this test's own: its products get their own SKUs in the shared database,
    and are deleted afterwards: thousands of them would slow down every later test that
    reads the whole catalog (a search index rebuild), by more the earlier this one ran."""
    seed = secrets.randbelow(10**9) + 1
    yield seed
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]
            delete(Product).where(col(Product.sku).startswith(sku_prefix(seed)))
        )


async def _count_products(skus: list[str]) -> int:
    async with session_scope() as session:
        return (
            await session.exec(
                select(func.count()).select_from(Product).where(col(Product.sku).in_(skus))
            )
        ).one()


# ── The catalog itself ──────────────────────────────────────────────────────────


def test_the_same_seed_gives_the_same_products() -> None:
    first = list(demo_products(seed=7, size=400))

    assert list(demo_products(seed=7, size=400)) == first
    assert list(demo_products(seed=8, size=400)) != first


def test_a_smaller_catalog_is_the_start_of_a_larger_one() -> None:
    small = {product.sku: product for product in demo_products(size=1_000)}
    large = {product.sku: product for product in demo_products(size=5_000)}

    assert small.keys() <= large.keys()
    assert all(large[sku] == product for sku, product in small.items())


def test_the_default_catalog_is_a_realistic_shop() -> None:
    products = list(demo_products())
    top_level = [c for c in DEMO_CATEGORIES if c.parent is None]
    children = Counter(c.parent for c in DEMO_CATEGORIES if c.parent)

    assert len(products) == DEFAULT_SIZE == 1_000
    assert len(top_level) == 12
    assert sum(1 for c in top_level if 2 <= children[c.slug] <= 4) >= 8
    assert {p.category_slug for p in products} == {c.slug for c in leaf_categories()}
    assert 38 <= len(DEMO_BRANDS) <= 45
    assert {p.brand for p in products} <= {b.name for b in DEMO_BRANDS}
    assert len({p.name for p in products}) == len(products)
    assert len({p.sku for p in products}) == len(products)

    out_of_stock = sum(p.stock_quantity == 0 for p in products) / len(products)
    low = sum(1 <= p.stock_quantity <= 5 for p in products) / len(products)
    assert 0.05 <= out_of_stock <= 0.11
    assert 0.07 <= low <= 0.13
    assert all(p.price > 0 and p.price.as_tuple().exponent == -2 for p in products)
    assert sum(str(p.price).endswith(".99") for p in products) / len(products) > 0.5
    assert all(1 <= p.image_count <= 3 for p in products)
    assert all(p.description.count(". ") >= 3 for p in products)


def test_every_product_passes_the_catalogs_own_validation() -> None:
    category_id = uuid.uuid4()
    for product in demo_products(size=2_000):
        checked = ProductCreate(
            name=product.name,
            description=product.description,
            sku=product.sku,
            slug=product.slug,
            price=product.price,
            category_id=category_id,
            brand=product.brand,
            stock_quantity=product.stock_quantity,
            attributes=product.attributes,
        )
        assert checked.attributes == product.attributes
        assert product.slug == product_slug(product.name, product.sku)
        assert product.shape in SHAPES


def test_prices_fit_the_kind_of_product() -> None:
    by_category: dict[str, list[Decimal]] = {}
    for product in demo_products(size=3_000):
        by_category.setdefault(product.category_slug, []).append(product.price)
    median = {slug: sorted(prices)[len(prices) // 2] for slug, prices in by_category.items()}

    assert median["card-dice-games"] < Decimal(30) < median["desks-chairs"]
    assert median["hair-body"] < median["headphones"]


def test_every_kind_of_product_has_its_own_picture() -> None:
    drawings = {}
    for shape in SHAPES:
        (image,) = render_views(Illustration(shape=shape, sku="PIC-1", colour="Navy"))
        assert image.size == (800, 800)
        drawings[shape] = image.resize((64, 64)).tobytes()
    assert len(set(drawings.values())) == len(SHAPES)


def test_products_of_one_kind_look_different() -> None:
    first, second = (
        render_views(Illustration(shape="kettle", sku=sku, colour=None, views=3))
        for sku in ("KIT-CT-00001", "KIT-CT-00002")
    )
    assert len(first) == 3
    assert len({image.tobytes() for image in first + second}) == 6


# ── Seeding ───────────────────────────────────────────────────────────────────


# Seeding 1000 products takes about 20 s alone and took 193 s on a busy CI machine,
# two thirds of the suite's per-test timeout: this one gets twice that.
@pytest.mark.timeout(600)
async def test_the_default_catalog_is_seeded_once() -> None:
    expected = list(demo_products())
    skus = [product.sku for product in expected]

    await seed_demo_data(images=False)
    again = await seed_demo_data(images=False)

    assert (again.categories_created, again.brands_created, again.products_created) == (0, 0, 0)
    assert again.accounts_created == 0
    assert await _count_products(skus) == DEFAULT_SIZE
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(Category.slug, Category.parent_id, Category.id).where(
                    col(Category.slug).in_([c.slug for c in DEMO_CATEGORIES])
                )
            )
        ).all()
        products = (await session.exec(select(Product).where(col(Product.sku).in_(skus)))).all()
        brands = (
            await session.exec(
                select(Brand.name, Brand.slug).where(
                    col(Brand.name).in_([b.name for b in DEMO_BRANDS])
                )
            )
        ).all()
    ids = {slug: category_id for slug, _, category_id in rows}
    parents = {slug: parent_id for slug, parent_id, _ in rows}
    for category in DEMO_CATEGORIES:
        assert parents[category.slug] == (ids[category.parent] if category.parent else None)
    assert sum(parent is None for parent in parents.values()) == 12
    assert dict(brands) == {b.name: brand_slug(b.name) for b in DEMO_BRANDS}
    assert sum(p.stock_quantity == 0 for p in products) > 0
    by_sku = {product.sku: product for product in expected}
    for product in products:
        demo = by_sku[product.sku]
        assert (product.name, product.slug, product.price) == (demo.name, demo.slug, demo.price)
        assert product.attributes == demo.attributes
        assert product.category_id == ids[demo.category_slug]


async def test_seeded_products_get_one_to_three_pictures_with_thumbnails(
    media_dir: Path, own_seed: int
) -> None:
    expected = {p.sku: p for p in demo_products(seed=own_seed, size=45)}

    report = await seed_demo_data(size=45, seed=own_seed)  # enough to use the process pool

    async with session_scope() as session:
        products = (
            await session.exec(select(Product).where(col(Product.sku).in_(list(expected))))
        ).all()
    assert report.products_created == len(products) == 45
    assert report.images_created == sum(len(p.image_urls or []) for p in products)
    storage = get_storage()
    for product in products:
        assert len(product.image_urls or []) == expected[product.sku].image_count
        keys = {key_from_url(url) for url in product.image_urls or []}
        # A product's pictures differ from each other. Across products that is not so for
        # every seed (once, 79 pictures drawn for 45 products were 78 different files:
        # two products got the same picture, stored once by its content).
        assert len(keys) == len(product.image_urls or [])
        for key in keys:
            assert key is not None
            assert key.endswith(".webp")
            assert storage.exists(key)
            assert all(storage.exists(thumbnail_key(key, size)) for size in THUMBNAIL_SIZES)

    # Drawn once: the same product's pictures come back without drawing again.
    product = next(iter(expected.values()))
    illustration = Illustration(
        shape=product.shape,
        sku=product.sku,
        colour=product.attributes.get("colour") or product.attributes.get("finish"),
        material=product.attributes.get("material") or product.attributes.get("handle"),
        hue=product.hue,
        views=product.image_count,
    )
    stored = next(p for p in products if p.sku == product.sku)
    assert store_product_images(illustration, str(media_dir)) == stored.image_urls


@pytest.mark.timeout(600)  # as above: 116 s on a busy CI machine
async def test_a_bulk_seed_of_2000_products_in_chunks_without_pictures(own_seed: int) -> None:
    # Four chunks and a short last one (5000 in chunks of 1500 took a minute of the suite).
    skus = [product.sku for product in demo_products(seed=own_seed, size=2_000)]

    report = await seed_demo_data(size=2_000, seed=own_seed, images=False, chunk_size=600)
    again = await seed_demo_data(size=2_000, seed=own_seed, images=False)

    assert report.products_created == 2_000
    assert report.images_created == 0
    assert again.products_created == 0
    assert await _count_products(skus) == 2_000


async def test_a_larger_seed_over_a_smaller_one_adds_only_the_difference(own_seed: int) -> None:
    await seed_demo_data(size=300, seed=own_seed, images=False)

    report = await seed_demo_data(size=800, seed=own_seed, images=False)

    assert report.products_created == 500
    assert await _count_products([p.sku for p in demo_products(seed=own_seed, size=800)]) == 800


async def test_seeding_products_writes_no_outbox_events(own_seed: int) -> None:
    # The demo accounts first: creating an account is announced like any other, and
    # whether an earlier test made them depends on the order the tests run in.
    await seed_demo_data(size=0, images=False)
    async with session_scope() as session:
        before = (await session.exec(select(func.count()).select_from(OutboxEvent))).one()

    await seed_demo_data(size=200, seed=own_seed, images=False)

    async with session_scope() as session:
        after = (await session.exec(select(func.count()).select_from(OutboxEvent))).one()
    assert after == before


def test_clothing_and_shoes_come_in_sizes_and_colours_with_some_sold_out() -> None:
    products = list(demo_products(size=3_000))
    jackets = [p for p in products if p.category_slug == "outerwear"]
    shoes = [p for p in products if p.category_slug == "sneakers-running"]
    assert jackets
    assert all(p.variants for p in jackets)
    assert shoes
    assert all(p.variants for p in shoes)
    jacket = jackets[0]
    assert [name for name, _ in jacket.options] == ["Colour", "Size"]
    assert dict(jacket.options)["Size"] == ("XS", "S", "M", "L", "XL")
    assert len(dict(jacket.options)["Colour"]) == 3 == jacket.image_count
    assert len(jacket.variants) == 15
    assert "size" not in jacket.attributes
    assert "colour" not in jacket.attributes
    assert "size S" not in jacket.description
    assert "," not in jacket.name  # no colour in the name: one product, three colours
    assert dict(shoes[0].options)["Size"][0] == "EU 38"
    assert dict(shoes[0].options)["Size"][-1] == "EU 46"
    every_variant = [v for p in products for v in p.variants]
    sold_out = sum(v.stock_quantity == 0 for v in every_variant) / len(every_variant)
    assert 0.08 <= sold_out <= 0.25
    # An XL costs more than the other sizes of its product.
    xl = next(v for v in jacket.variants if v.option_values[-1] == "XL")
    m = next(v for v in jacket.variants if v.option_values[-1] == "M")
    assert xl.price == m.price + 5
    assert len({v.sku for v in every_variant}) == len(every_variant)


async def test_a_seeded_jacket_is_one_product_whose_row_summarises_its_variants(
    own_seed: int,
) -> None:
    from backend.catalog.variant_queries import get_options_and_variants

    await seed_demo_data(size=400, seed=own_seed, images=False)
    jacket = next(
        p for p in demo_products(seed=own_seed, size=400) if p.category_slug == "outerwear"
    )
    async with session_scope() as session:
        product = (await session.exec(select(Product).where(Product.sku == jacket.sku))).one()
    options, variants = await get_options_and_variants(product.id)
    assert [option.name for option in options] == ["Colour", "Size"]
    assert len(variants) == len(jacket.variants)
    assert product.price == min(v.price for v in variants)
    assert product.stock_quantity == sum(v.stock_quantity for v in variants)
    assert [v.sku for v in variants if v.is_default] == [jacket.sku]
