"""A renamed product or category keeps its old address: a plain GET of it answers 301 to
the new one (the query string kept), whoever made the rename; an old address taken by
another product or category is theirs again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import build_http_app
from backend.catalog import services as catalog
from backend.catalog import taxonomy
from backend.catalog.inputs import CategoryCreate, CategoryUpdate, ProductUpdate
from backend.catalog.queries import get_product
from backend.catalog.retired_slugs import find_renamed_category, find_renamed_product
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct

SHELL = (
    '<!DOCTYPE html><html><head><meta charSet="utf-8"/></head>'
    '<body><div id="app"></div><script>start()</script></body></html>'
)


@pytest.fixture
def compiled_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A frontend build as Reflex leaves it: the SPA fallback and the not-found page."""
    build = tmp_path / "build" / "client"
    build.mkdir(parents=True)
    for name in ("__spa-fallback.html", "404.html"):
        (build / name).write_text(SHELL)
    monkeypatch.setenv("REFLEX_WEB_WORKDIR", str(tmp_path))


@pytest.fixture
async def web(compiled_pages: None) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_http_app()), base_url="http://localhost:3100"
    ) as client:
        yield client


async def test_a_renamed_product_moves_permanently(
    make_product: MakeProduct, web: httpx.AsyncClient, unique: str
) -> None:
    product = await make_product(slug=f"old-kettle-{unique}")
    actor = await catalog_manager()
    await catalog.update_product(product, ProductUpdate(slug=f"new-kettle-{unique}"), actor=actor)

    moved = await web.get(f"/products/old-kettle-{unique}?variant=abc")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/products/new-kettle-{unique}?variant=abc"
    assert await find_renamed_product(f"new-kettle-{unique}") is None

    # Renamed again: the first address follows to the newest; the middle one too.
    await catalog.update_product(product, ProductUpdate(slug=f"kettle-{unique}"), actor=actor)
    assert await find_renamed_product(f"old-kettle-{unique}") == f"kettle-{unique}"
    assert await find_renamed_product(f"new-kettle-{unique}") == f"kettle-{unique}"

    # Another product takes an old address: it is that product's page now.
    other = await make_product(slug=f"old-kettle-{unique}")
    assert await find_renamed_product(f"old-kettle-{unique}") is None
    assert (await get_product(other)).summary.slug == f"old-kettle-{unique}"


async def test_a_deactivated_product_s_old_address_redirects_nowhere(
    make_product: MakeProduct, unique: str
) -> None:
    product = await make_product(slug=f"lamp-{unique}")
    actor = await catalog_manager()
    await catalog.update_product(
        product, ProductUpdate(slug=f"lamp-2-{unique}", is_active=False), actor=actor
    )
    assert await find_renamed_product(f"lamp-{unique}") is None


async def test_a_renamed_category_moves_permanently(web: httpx.AsyncClient, unique: str) -> None:
    actor = await catalog_manager()
    category = await taxonomy.create_category(
        CategoryCreate(name=f"Pots {unique}", slug=f"pots-{unique}"), actor=actor
    )
    await taxonomy.update_category(category, CategoryUpdate(slug=f"cookware-{unique}"), actor=actor)
    assert await find_renamed_category(f"pots-{unique}") == f"cookware-{unique}"
    moved = await web.get(f"/categories/pots-{unique}")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"/categories/cookware-{unique}"
    unknown = await web.get(f"/categories/{uuid.uuid4().hex}")
    assert unknown.status_code == 404
    assert "Page not found" in unknown.text
