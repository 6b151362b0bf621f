"""Contract of /api/v1/search and /search/suggest: results with facet counts and
pagination metadata, filters, spelling suggestions, 400 for out-of-range parameters, and
never a server error, whatever the text (and with no index built yet)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from api.app import build_http_app
from backend.catalog import category_queries
from backend.search.searcher import searchers
from backend.search.services import ensure_index, sync_products
from backend.settings import get_settings
from tests.fixtures.catalog import MakeProduct

PROBLEM = "application/problem+json"


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


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    # An address of the test's own, so the API's per-address limits count it alone.
    number = uuid.uuid4().int
    transport = httpx.ASGITransport(
        app=build_http_app(), client=(f"10.{number % 256}.{number // 256 % 256}.9", 123)
    )
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:3100/api/v1"
    ) as client:
        yield client


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


@pytest.fixture
async def catalog_of_three(
    make_product: MakeProduct, category: uuid.UUID, unique: str
) -> list[uuid.UUID]:
    """Three lamps sharing the word `unique`: two brands, two price bands, one sold out."""
    ids = [
        await make_product(name=f"Desk Lamp {unique}", brand="Lumen", price=Decimal("19.99")),
        await make_product(name=f"Floor Lamp {unique}", brand="Lumen", price=Decimal("89.00")),
        await make_product(
            name=f"Wall Lamp {unique}", brand="Glow", price=Decimal("12.50"), stock_quantity=0
        ),
    ]
    await sync_products(ids)
    return ids


async def category_slug(category: uuid.UUID) -> str:
    return (await category_queries.get_category_tree()).by_id(category).slug  # type: ignore[union-attr]


async def test_search_returns_items_facets_and_pagination(
    api: httpx.AsyncClient, catalog_of_three: list[uuid.UUID], category: uuid.UUID, unique: str
) -> None:
    response = await api.get("/search", params={"q": f"lamp {unique}", "sort": "price_asc"})

    assert response.status_code == 200, response.text
    body = response.json()
    assert [item["price"] for item in body["items"]] == ["12.50", "19.99", "89.00"]
    wall = body["items"][0]
    assert wall.keys() == {
        *("id", "slug", "name", "brand", "price", "compare_at_price", "currency"),
        *("stock_quantity", "image_url", "category", "promotion"),
    }
    assert (wall["compare_at_price"], wall["promotion"]) == (None, None)
    assert (wall["id"], wall["name"], wall["brand"]) == (
        str(catalog_of_three[2]),
        f"Wall Lamp {unique}",
        "Glow",
    )
    assert (wall["currency"], wall["stock_quantity"], wall["category"]) == (
        "USD",
        0,
        f"Category {unique}",
    )
    facets = body["facets"]
    assert {"slug": await category_slug(category), "name": f"Category {unique}", "count": 3} in (
        facets["categories"]
    )
    assert facets["brands"] == [{"name": "Lumen", "count": 2}, {"name": "Glow", "count": 1}]
    assert facets["price_bands"] == [
        {"label": "Under $25", "count": 2},
        {"label": "$50–$100", "count": 1},
    ]
    assert body["pagination"] == {
        "page": 1,
        "limit": 20,
        "total": 3,
        "pages": 1,
        "has_next": False,
        "has_previous": False,
    }
    assert body["did_you_mean"] is None


async def test_search_filters_by_facet_values_and_pages(
    api: httpx.AsyncClient, catalog_of_three: list[uuid.UUID], category: uuid.UUID, unique: str
) -> None:
    async def names(**params: object) -> list[str]:
        response = await api.get("/search", params={"q": unique, "sort": "price_asc", **params})
        assert response.status_code == 200, response.text
        return [item["name"].split()[0] for item in response.json()["items"]]

    assert await names(brand="Lumen") == ["Desk", "Floor"]
    assert await names(price_band="Under $25") == ["Wall", "Desk"]
    assert await names(in_stock="true") == ["Desk", "Floor"]
    assert await names(category=await category_slug(category), sort="price_desc") == [
        "Floor",
        "Desk",
        "Wall",
    ]
    assert await names(category="no-such-category") == []
    second = await api.get("/search", params={"q": unique, "limit": 2, "page": 2})
    assert len(second.json()["items"]) == 1
    assert second.json()["pagination"]["has_previous"] is True


async def test_a_misspelt_word_is_corrected_in_did_you_mean(
    api: httpx.AsyncClient, make_product: MakeProduct, unique: str
) -> None:
    await sync_products([await make_product(name=f"Studio Headphones {unique}")])

    body = (await api.get("/search", params={"q": f"heaphones {unique}"})).json()

    assert body["did_you_mean"] == f"headphones {unique}"
    assert [item["name"] for item in body["items"]] == [f"Studio Headphones {unique}"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"page": "0"}, "page"),
        ({"page": "1001"}, "page"),
        ({"sort": "cheapest"}, "sort"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"brand": "b" * 256}, "brand"),
    ],
)
async def test_out_of_range_parameters_are_400(
    api: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    body = assert_problem(await api.get("/search", params=params), 400)

    assert field in body["errors"]  # type: ignore[operator]


WEIRD_TEXT = [
    "",
    " ",
    "a",
    "lamp " * 1000,
    "\ufffd\u202e\U0001f600",
    "'; DROP TABLE products; --",
    'title:"lamp" AND (OR NOT) *?~^2 [a TO z]',
    "%",
    "\\",
]


@pytest.mark.parametrize("text", WEIRD_TEXT)
async def test_any_text_is_searched_without_a_server_error(
    api: httpx.AsyncClient, text: str
) -> None:
    response = await api.get("/search", params={"q": text, "brand": text[:255] or None})

    assert response.status_code == 200, response.text
    assert response.json()["pagination"]["page"] == 1
    suggestions = await api.get("/search/suggest", params={"q": text})
    assert suggestions.status_code == 200, suggestions.text


async def test_a_nul_character_is_refused_like_everywhere_in_the_api(
    api: httpx.AsyncClient,
) -> None:
    for path in ("/search", "/search/suggest"):
        response = await api.get(path, params={"q": "lamp\x00"})
        assert response.status_code == 400, response.text
        assert "q" in response.json()["errors"]


async def test_bytes_that_are_not_utf8_are_no_server_error(api: httpx.AsyncClient) -> None:
    for path in ("/search?q=%ff%fe%ed%a0%80", "/search/suggest?q=%ff%fe%ed%a0%80"):
        assert (await api.get(path)).status_code == 200


async def test_without_an_index_search_finds_nothing_instead_of_failing(
    api: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        response = await api.get("/search", params={"q": "lamp"})
        suggestions = await api.get("/search/suggest", params={"q": "lamp"})
    finally:
        monkeypatch.undo()  # the module's index back before settings are re-read
        get_settings.cache_clear()

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == []
    assert body["facets"] == {"categories": [], "brands": [], "price_bands": [], "options": []}
    assert body["pagination"]["total"] == 0
    assert suggestions.json() == []


async def test_suggestions_name_products_while_typing(
    api: httpx.AsyncClient, catalog_of_three: list[uuid.UUID], unique: str
) -> None:
    response = await api.get("/search/suggest", params={"q": f"{unique} flo"})

    assert response.status_code == 200
    (suggestion,) = response.json()
    assert suggestion["name"] == f"Floor Lamp {unique}"
    assert suggestion.keys() == {"name", "slug"}
    assert len((await api.get("/search/suggest", params={"q": unique, "limit": 2})).json()) == 2


@pytest.mark.parametrize("limit", ["0", "21", "x"])
async def test_a_suggestion_limit_out_of_range_is_400(api: httpx.AsyncClient, limit: str) -> None:
    response = await api.get("/search/suggest", params={"q": "lamp", "limit": limit})

    assert "limit" in assert_problem(response, 400)["errors"]  # type: ignore[operator]


async def test_search_filters_by_option_values_and_refuses_malformed_ones(
    api: httpx.AsyncClient,
) -> None:
    fine = await api.get("/search", params=[("option", "Size:M"), ("option", "Colour:Navy")])
    assert fine.status_code == 200, fine.text
    assert "options" in fine.json()["facets"]
    assert (await api.get("/search", params={"option": "no colon"})).status_code == 400
    too_many = [("option", f"Size:{n}") for n in range(4)]
    assert (await api.get("/search", params=too_many)).status_code == 400


async def test_a_marked_down_product_is_found_with_its_was_price(
    api: httpx.AsyncClient, make_product: MakeProduct, unique: str
) -> None:
    from backend.catalog.variant_queries import variant_for_product
    from backend.catalog.variants import update_variants
    from tests.fixtures.accounts import catalog_manager

    product = await make_product(name=f"Teapot {unique}", price=Decimal("30.00"))
    variant = await variant_for_product(product)
    await update_variants(
        product, {variant: {"compare_at_price": Decimal("42.00")}}, actor=await catalog_manager()
    )
    await sync_products([product])
    item = (await api.get("/search", params={"q": f"teapot {unique}"})).json()["items"][0]
    assert (item["price"], item["compare_at_price"]) == ("30.00", "42.00")
