"""The sitemap as a crawler reads it: an index of parts of at most 50,000 product URLs
each (the protocol's limit) and one of categories, every file valid against the protocol's
schema, with every active product listed exactly once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree
from sqlalchemy import text

from api.app import build_http_app
from backend.catalog.sitemap_queries import URLS_PER_SITEMAP
from backend.core.db import session_scope
from backend.merchandising.services import save_collection
from backend.settings import get_settings
from tests.fixtures.accounts import catalog_manager

SCHEMA = etree.XMLSchema(
    etree.parse(str(Path(__file__).parents[1] / "fixtures" / "schemas" / "sitemap.xsd"))
)
NAMESPACE = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
async def web() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_http_app()), base_url="http://localhost:3100"
    ) as client:
        yield client


@pytest.fixture
async def many_products(category: uuid.UUID, unique: str) -> AsyncIterator[int]:
    """One more active product than a sitemap file may list, inserted in one statement
    (the services would take minutes), and gone after the test."""
    count = URLS_PER_SITEMAP + 1
    async with session_scope() as session:
        await session.exec(
            text(  # type: ignore[call-overload]
                "INSERT INTO products (name, sku, slug, price, category_id)"
                " SELECT 'Bulk ' || n, :prefix || n, lower(:prefix) || n, 1.00, :category"
                " FROM generate_series(1, :count) AS n"
            ),
            params={"prefix": f"SM-{unique}-", "category": category, "count": count},
        )
    try:
        yield count
    finally:
        async with session_scope() as session:
            await session.exec(
                text("DELETE FROM products WHERE sku LIKE :pattern"),  # type: ignore[call-overload]
                params={"pattern": f"SM-{unique}-%"},
            )


def valid(document: bytes) -> etree._Element:
    root = etree.fromstring(document)
    assert SCHEMA.validate(root), SCHEMA.error_log
    return root


async def test_the_sitemap_splits_its_products_into_valid_files_of_50000(
    web: httpx.AsyncClient, many_products: int, category: uuid.UUID, unique: str
) -> None:
    base = get_settings().public_base_url
    index = await web.get("/sitemap.xml")
    assert index.status_code == 200
    assert index.headers["cache-control"] == "public, max-age=60"
    files = valid(index.content).xpath("//s:sitemap/s:loc/text()", namespaces=NAMESPACE)
    parts = [file for file in files if "/sitemaps/products-" in file]
    assert len(parts) >= 2
    assert f"{base}/sitemaps/categories.xml" in files

    listed: list[str] = []
    sizes: list[int] = []
    for number, address in enumerate(parts, start=1):
        assert address == f"{base}/sitemaps/products-{number}.xml"
        part = await web.get(address.removeprefix(base))
        assert part.status_code == 200
        urls = valid(part.content).xpath("//s:url/s:loc/text()", namespaces=NAMESPACE)
        sizes.append(len(urls))
        listed += urls
    assert sizes[:-1] == [URLS_PER_SITEMAP] * (len(parts) - 1)  # full parts, then the rest
    assert 0 < sizes[-1] <= URLS_PER_SITEMAP
    assert len(set(listed)) == len(listed)  # each product once
    async with session_scope() as session:
        statement = text("SELECT count(*) FROM products WHERE is_active")
        active = (await session.exec(statement)).scalar_one()  # type: ignore[call-overload]
    assert len(listed) == active
    assert f"{base}/products/sm-{unique}-1" in listed
    assert f"{base}/products/sm-{unique}-{many_products}" in listed

    categories = await web.get("/sitemaps/categories.xml")
    names = valid(categories.content).xpath("//s:url/s:loc/text()", namespaces=NAMESPACE)
    assert f"{base}/categories/category-{unique}" in names
    past_the_end = await web.get(f"/sitemaps/products-{len(parts) + 1}.xml")
    assert past_the_end.status_code == 404


async def test_live_collections_have_their_part_and_scheduled_ones_wait(
    web: httpx.AsyncClient, unique: str
) -> None:
    base = get_settings().public_base_url
    admin = await catalog_manager()
    await save_collection(None, {"title": f"Live {unique}", "kind": "manual"}, actor=admin)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await save_collection(
        None, {"title": f"Later {unique}", "kind": "manual", "starts_at": later}, actor=admin
    )
    index = valid((await web.get("/sitemap.xml")).content)
    files = index.xpath("//s:sitemap/s:loc/text()", namespaces=NAMESPACE)
    assert f"{base}/sitemaps/collections.xml" in files
    part = await web.get("/sitemaps/collections.xml")
    urls = valid(part.content).xpath("//s:url/s:loc/text()", namespaces=NAMESPACE)
    assert f"{base}/collections/live-{unique}".lower() in urls
    assert f"{base}/collections/later-{unique}".lower() not in urls
