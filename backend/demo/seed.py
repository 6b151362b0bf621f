"""Seed the demo catalog and demo accounts. Safe to run on every start: nothing is added twice.

    python -m backend.demo.seed                           # 1,000 products with pictures
    python -m backend.demo.seed --size 100000 --no-images # a benchmark catalog

Brands, categories and products are inserted in bulk (a few thousand rows per statement,
one transaction per chunk) and matched on brand name, category slug and SKU, so a second
run, or a larger run over a smaller one, only adds what is missing. Bulk seeding writes no
`ProductChanged` events: rebuild the search index after seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select

from backend.accounts import registration
from backend.accounts.errors import DuplicateAccountError
from backend.accounts.permissions import DefaultGroup
from backend.catalog import cache as catalog_cache
from backend.catalog.models import (
    Brand,
    Category,
    Product,
    ProductOption,
    ProductOptionValue,
    ProductVariant,
)
from backend.catalog.services import brand_slug
from backend.core.db import dispose_engine, get_engine
from backend.demo.catalog import (
    DEFAULT_SEED,
    DEFAULT_SIZE,
    DEMO_BRANDS,
    DEMO_CATEGORIES,
    MAX_SIZE,
    DemoProduct,
    demo_products,
)
from backend.demo.images import Illustration, store_product_images
from backend.merchandising.models import Collection
from backend.settings import get_settings

DEFAULT_CHUNK_SIZE = 2_000
MAX_CHUNK_SIZE = 4_000  # 15 columns a row: stays under PostgreSQL's 65,535 parameters
# Below this many new products, drawing in this process beats starting a process pool.
POOL_THRESHOLD = 40

T = TypeVar("T")
Progress = Callable[[int, int], None]  # (products done, products in total)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    username: str
    first_name: str
    last_name: str
    groups: frozenset[DefaultGroup]


DEMO_ADMIN = DemoAccount(
    "admin@example.com",
    "admin",
    "Ada",
    "Admin",
    frozenset({DefaultGroup.ADMINISTRATORS}),
)
DEMO_SHOPPER = DemoAccount("shopper@example.com", "shopper", "Sam", "Shopper", frozenset())


@dataclass(frozen=True)
class SeedReport:
    categories_created: int
    products_created: int
    accounts_created: int
    brands_created: int = 0
    images_created: int = 0
    collections_created: int = 0
    seconds: float = 0.0


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


async def _seed_brands(connection: AsyncConnection) -> int:
    rows = [{"name": brand.name, "slug": brand_slug(brand.name)} for brand in DEMO_BRANDS]
    statement = insert(Brand).values(rows).on_conflict_do_nothing().returning(col(Brand.name))
    return len((await connection.execute(statement)).all())


async def _seed_categories(connection: AsyncConnection) -> tuple[int, dict[str, uuid.UUID]]:
    """Parents first, then their children; positions follow the order of `DEMO_CATEGORIES`."""
    created = 0
    ids: dict[str, uuid.UUID] = {}
    for level in ("top", "sub"):
        members = [c for c in DEMO_CATEGORIES if (c.parent is None) == (level == "top")]
        rows = [
            {
                "name": category.name,
                "slug": category.slug,
                "description": category.description,
                "parent_id": ids[category.parent] if category.parent else None,
                "position": [c for c in DEMO_CATEGORIES if c.parent == category.parent].index(
                    category
                ),
            }
            for category in members
        ]
        statement = (
            insert(Category)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["slug"])
            .returning(col(Category.slug))
        )
        created += len((await connection.execute(statement)).all())
        slugs = [category.slug for category in members]
        found = await connection.execute(
            select(Category.slug, Category.id).where(col(Category.slug).in_(slugs))
        )
        ids.update({slug: category_id for slug, category_id in found.all()})
    return created, ids


# Rule-based, so they fill from whatever catalog size was seeded; on the home page in this
# order. Seeded with a new demo catalog only: a collection the merchant deletes stays gone.
DEMO_COLLECTIONS: tuple[dict[str, Any], ...] = (
    {
        "slug": "hi-fi-by-hand",
        "title": "Hi-fi by hand",
        "description": "Sound tuned by ear in small workshops: Sonora and Halden Acoustics.",
        "kind": "rules",
        "match": "any",
        "rules": [
            {"field": "brand", "operator": "is", "value": "Sonora", "name": ""},
            {"field": "brand", "operator": "is", "value": "Halden Acoustics", "name": ""},
        ],
        "home_position": 0,
    },
    {
        "slug": "on-sale",
        "title": "On sale",
        "description": "Marked down from their earlier prices while stocks last.",
        "kind": "rules",
        "match": "all",
        "rules": [{"field": "on_sale", "operator": "is", "value": "", "name": ""}],
        "home_position": 1,
    },
    {
        "slug": "gifts-under-30",
        "title": "Gifts under 30",
        "description": "Small things that make a day: everything under 30.",
        "kind": "rules",
        "match": "all",
        "rules": [{"field": "price", "operator": "below", "value": "30.00", "name": ""}],
        "home_position": 2,
    },
    {
        "slug": "new-this-month",
        "title": "New this month",
        "description": "Everything added in the last 30 days.",
        "kind": "rules",
        "match": "all",
        "rules": [{"field": "created", "operator": "within_days", "value": "30", "name": ""}],
        "home_position": 3,
    },
)


async def _seed_collections(connection: AsyncConnection) -> int:
    statement = (
        insert(Collection)
        .values(list(DEMO_COLLECTIONS))
        .on_conflict_do_nothing(index_elements=["slug"])
        .returning(col(Collection.slug))
    )
    return len((await connection.execute(statement)).all())


def _illustrations(product: DemoProduct) -> list[Illustration]:
    """Its pictures: one per colour for a product sold in colours (each colour's picture
    is that variant's picture and the colour's swatch), else 1–3 views."""
    attributes = product.attributes
    material = attributes.get("material") or attributes.get("handle")
    if product.colours:
        return [
            Illustration(
                shape=product.shape,
                sku=product.sku,
                colour=colour,
                material=material,
                hue=product.hue,
                views=1,
            )
            for colour in product.colours
        ]
    return [
        Illustration(
            shape=product.shape,
            sku=product.sku,
            colour=attributes.get("colour") or attributes.get("finish"),
            material=material,
            hue=product.hue,
            views=product.image_count,
        )
    ]


class _Painter:
    """Draws product pictures: in a pool of processes (one per core) for many products,
    in a thread of this process for a few."""

    def __init__(self, media_dir: str, workers: int | None) -> None:
        self.media_dir = media_dir
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None

    def _draw_all(self, products: list[DemoProduct]) -> list[list[str]]:
        owners, illustrations = [], []
        for index, product in enumerate(products):
            for illustration in _illustrations(product):
                owners.append(index)
                illustrations.append(illustration)
        urls: list[list[str]] = [[] for _ in products]
        for owner, drawn in zip(owners, self._draw(illustrations), strict=True):
            urls[owner] += drawn
        return urls

    def _draw(self, illustrations: list[Illustration]) -> list[list[str]]:
        if len(illustrations) < POOL_THRESHOLD or self.workers == 1:
            return [store_product_images(item, self.media_dir) for item in illustrations]
        if self.pool is None:
            # spawn: a clean interpreter, never a fork of this process's event loop and
            # database connections.
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)
        folders = [self.media_dir] * len(illustrations)
        chunksize = max(len(illustrations) // (self.workers * 8), 1)
        return list(
            self.pool.map(store_product_images, illustrations, folders, chunksize=chunksize)
        )

    async def draw(self, products: list[DemoProduct]) -> list[list[str]]:
        return await asyncio.to_thread(self._draw_all, products)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


# Every product has a variant; a product without options has one, under its own id
# (ADR 0007). One statement per chunk: the summary trigger runs once for all of them.
_DEFAULT_VARIANTS = text(
    "INSERT INTO product_variants (id, product_id, sku, price, stock_quantity, "
    "low_stock_threshold, is_default, created_at, updated_at) "
    "SELECT id, id, sku, price, stock_quantity, low_stock_threshold, true, created_at, "
    "updated_at FROM products WHERE id = ANY(:ids)"
)


# One demo product in eight is marked down: its variants get a compare-at ("was") price,
# a quarter above, chosen by the SKU's hash so every seed marks the same ones.
_MARKDOWNS = text(
    "UPDATE product_variants AS v "
    "SET compare_at_price = greatest(round(v.price * 1.25) - 0.01, v.price + 1) "
    "FROM products AS p WHERE p.id = v.product_id AND v.product_id = ANY(:ids) "
    "AND abs(hashtext(p.sku)) % 8 = 0"
)


async def _insert_variants(
    connection: AsyncConnection, made: list[tuple[uuid.UUID, DemoProduct, list[str]]]
) -> None:
    """Every new product's variants: its default one under its own id for a product sold
    as one; options, values and one variant per combination for the others. The rows go
    as executemany, one INSERT per row, so the variants' summary trigger runs once per
    variant: slow on a busy machine, but a multi-row INSERT had the trigger's plan, made
    on stale statistics, run for minutes (reverted in 8e45fe8)."""
    single = [product_id for product_id, product, _ in made if not product.variants]
    if single:
        await connection.execute(_DEFAULT_VARIANTS, {"ids": single})
    options, values, variants = [], [], []
    for product_id, product, image_urls in made:
        if not product.variants:
            continue
        colour_pictures = dict(zip(product.colours, image_urls, strict=False))
        value_ids: list[dict[str, uuid.UUID]] = []
        for position, (name, option_values) in enumerate(product.options, start=1):
            option_id = uuid.uuid4()
            options.append(
                {"id": option_id, "product_id": product_id, "name": name, "position": position}
            )
            ids = {value: uuid.uuid4() for value in option_values}
            value_ids.append(ids)
            values += [
                {
                    "id": ids[value],
                    "option_id": option_id,
                    "value": value,
                    "position": index,
                    "swatch_image_url": colour_pictures.get(value) if name == "Colour" else None,
                }
                for index, value in enumerate(option_values)
            ]
        default = next((v for v in product.variants if v.stock_quantity > 0), product.variants[0])
        for position, variant in enumerate(product.variants):
            slots: list[uuid.UUID | None] = [
                ids[value] for ids, value in zip(value_ids, variant.option_values, strict=True)
            ]
            slots += [None] * (3 - len(slots))
            picture = next(
                (colour_pictures[v] for v in variant.option_values if v in colour_pictures), None
            )
            variants.append(
                {
                    "id": uuid.uuid4(),
                    "product_id": product_id,
                    # The default variant carries the product's own SKU (the product row
                    # shows the default's), so a second seed finds the product by it.
                    "sku": product.sku if variant is default else variant.sku,
                    "price": variant.price,
                    "stock_quantity": variant.stock_quantity,
                    "low_stock_threshold": 3,
                    "image_urls": [picture] if picture else None,
                    "is_active": True,
                    "is_default": variant is default,
                    "position": position,
                    "option1_value_id": slots[0],
                    "option2_value_id": slots[1],
                    "option3_value_id": slots[2],
                }
            )
    for table, rows in (
        (ProductOption, options),
        (ProductOptionValue, values),
        (ProductVariant, variants),
    ):
        if rows:
            await connection.execute(insert(table), rows)
    await connection.execute(_MARKDOWNS, {"ids": [product_id for product_id, _, _ in made]})


async def _existing_skus(skus: list[str]) -> set[str]:
    async with get_engine().connect() as connection:
        rows = await connection.execute(select(Product.sku).where(col(Product.sku).in_(skus)))
        return {sku for (sku,) in rows.all()}


def _row(
    product: DemoProduct, category_id: uuid.UUID, image_urls: list[str], now: datetime
) -> dict[str, Any]:
    added = now - timedelta(minutes=product.age_minutes)
    return {
        "name": product.name,
        "description": product.description,
        "sku": product.sku,
        "slug": product.slug,
        "price": product.price,
        "currency": get_settings().shop_currency,
        "category_id": category_id,
        "brand": product.brand,
        "stock_quantity": product.stock_quantity,
        "low_stock_threshold": 5,
        "image_urls": image_urls,
        "attributes": product.attributes,
        "is_active": True,
        "created_at": added,
        "updated_at": added,
    }


async def _seed_products(
    category_ids: dict[str, uuid.UUID],
    *,
    seed: int,
    size: int,
    images: bool,
    chunk_size: int,
    workers: int | None,
    progress: Progress | None,
) -> tuple[int, int]:
    now = datetime.now(UTC)
    created = pictures = done = 0
    painter = _Painter(str(get_settings().media_dir), workers) if images else None
    statement = (
        insert(Product)
        .on_conflict_do_nothing()
        .returning(col(Product.id), col(Product.sku))
        .execution_options(insertmanyvalues_page_size=chunk_size)
    )
    try:
        for chunk in _chunks(demo_products(seed=seed, size=size), chunk_size):
            existing = await _existing_skus([product.sku for product in chunk])
            new = [product for product in chunk if product.sku not in existing]
            if new:
                urls = await painter.draw(new) if painter else [[] for _ in new]
                pictures += sum(len(product_urls) for product_urls in urls)
                rows = [
                    _row(product, category_ids[product.category_slug], product_urls, now)
                    for product, product_urls in zip(new, urls, strict=True)
                ]
                async with get_engine().begin() as connection:  # one transaction per chunk
                    inserted = (await connection.execute(statement, rows)).all()
                    by_sku = {p.sku: (p, u) for p, u in zip(new, urls, strict=True)}
                    await _insert_variants(
                        connection, [(found, *by_sku[sku]) for found, sku in inserted]
                    )
                    created += len(inserted)
            done += len(chunk)
            if progress:
                progress(done, size)
    finally:
        if painter:
            painter.close()
    return created, pictures


async def _seed_accounts() -> int:
    settings = get_settings()
    created = 0
    for account, password in (
        (DEMO_ADMIN, settings.demo_admin_password.get_secret_value()),
        (DEMO_SHOPPER, settings.demo_shopper_password.get_secret_value()),
    ):
        try:
            await registration.create_user(
                username=account.username,
                email=account.email,
                password=password,
                first_name=account.first_name,
                last_name=account.last_name,
                status="active",
                email_verified=True,
                groups=account.groups,
            )
            created += 1
        except DuplicateAccountError:
            continue
    return created


async def seed_demo_data(
    *,
    size: int = DEFAULT_SIZE,
    seed: int = DEFAULT_SEED,
    images: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Add whatever of the demo catalog (`size` products from `seed`) and the two demo
    accounts is missing. `images` draws 1–3 pictures per new product into MEDIA_DIR
    (`workers` processes, default one per core). Refuses to run in production."""
    started = time.perf_counter()
    if get_settings().is_production:
        msg = "refusing to seed demo accounts and products into a production database"
        raise RuntimeError(msg)
    if not 0 <= size <= MAX_SIZE:
        msg = f"size must be between 0 and {MAX_SIZE}"
        raise ValueError(msg)
    chunk_size = min(max(chunk_size, 1), MAX_CHUNK_SIZE)
    await registration.ensure_roles()

    async with get_engine().begin() as connection:
        brands_created = await _seed_brands(connection)
        categories_created, category_ids = await _seed_categories(connection)
        collections_created = await _seed_collections(connection) if categories_created else 0
    products_created, images_created = await _seed_products(
        category_ids,
        seed=seed,
        size=size,
        images=images,
        chunk_size=chunk_size,
        workers=workers,
        progress=progress,
    )
    if products_created or categories_created:
        await catalog_cache.invalidate_after_commit()  # cached pages also expire anyway

    accounts_created = await _seed_accounts()
    return SeedReport(
        categories_created=categories_created,
        products_created=products_created,
        accounts_created=accounts_created,
        brands_created=brands_created,
        images_created=images_created,
        collections_created=collections_created,
        seconds=round(time.perf_counter() - started, 2),
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m backend.demo.seed", description="Seed the demo catalog and accounts."
    )
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="number of products")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument("--no-images", action="store_true", help="skip drawing pictures")
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    parser.add_argument("--workers", type=int, default=None, help="drawing processes")
    arguments = parser.parse_args()
    if not 0 <= arguments.size <= MAX_SIZE:
        parser.error(f"--size must be between 0 and {MAX_SIZE}")
    return arguments


def _print_progress(done: int, total: int) -> None:
    print(f"  {done:,} / {total:,} products", flush=True)  # noqa: T201


async def _main(arguments: argparse.Namespace) -> None:
    try:
        report = await seed_demo_data(
            size=arguments.size,
            seed=arguments.seed,
            images=not arguments.no_images,
            chunk_size=arguments.chunk_size,
            workers=arguments.workers,
            progress=_print_progress if arguments.size >= 10_000 else None,
        )
    finally:
        await dispose_engine()
    print(  # noqa: T201
        f"Demo data: {report.categories_created} categories, {report.brands_created} brands, "
        f"{report.products_created} products ({report.images_created} pictures), "
        f"{report.accounts_created} accounts added in {report.seconds:.1f} s. "
        f"Rebuild the search index if products were added."
    )


if __name__ == "__main__":
    asyncio.run(_main(_arguments()))
