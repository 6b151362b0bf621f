"""Contract of /api/v1/products and /api/v1/categories: the seed's parameters and status
codes, one error shape, pagination metadata, ETags, and admin-only writes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal

import fastapi.applications
import httpx
import pytest

from api.app import build_api_schema, build_http_app
from backend.accounts import tokens
from backend.accounts.schemas import Viewer
from backend.catalog import category_queries, queries
from backend.core.errors import NotFoundError
from tests.fixtures.catalog import MakeProduct

PROBLEM = "application/problem+json"


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:3100/api/v1"
    ) as client:
        yield client


async def bearer(viewer: Viewer) -> dict[str, str]:
    pair = await tokens.issue_tokens(viewer.user_id)
    return {"Authorization": f"Bearer {pair.access_token}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert response.headers["x-request-id"]
    return body


async def test_the_list_pages_filters_and_sorts(
    api: httpx.AsyncClient, make_product: MakeProduct, category: uuid.UUID
) -> None:
    for price in ("5.00", "15.00", "25.00"):
        await make_product(price=Decimal(price))
    slug = (await category_queries.get_category_tree()).by_id(category).slug  # type: ignore[union-attr]

    response = await api.get(
        "/products",
        params={"category": slug, "limit": 2, "sort_by": "price", "order": "desc"},
    )

    assert response.status_code == 200
    body = response.json()
    assert [item["price"] for item in body["items"]] == ["25.00", "15.00"]
    assert body["pagination"] == {
        "page": 1,
        "limit": 2,
        "total": 3,
        "pages": 2,
        "has_next": True,
        "has_previous": False,
    }
    cheap = await api.get("/products", params={"category": slug, "max_price": "10"})
    assert [item["price"] for item in cheap.json()["items"]] == ["5.00"]


async def test_the_cached_list_is_never_stale_and_answers_not_modified(
    api: httpx.AsyncClient, make_product: MakeProduct, category: uuid.UUID, admin_viewer: Viewer
) -> None:
    product_id = await make_product(price=Decimal("7.00"))
    slug = (await category_queries.get_category_tree()).by_id(category).slug  # type: ignore[union-attr]
    first = await api.get("/products", params={"category": slug})
    assert [item["price"] for item in first.json()["items"]] == ["7.00"]
    etag = first.headers["etag"]
    again = await api.get("/products", params={"category": slug}, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")

    # A change through the API shows at once in the (cached) listing.
    await api.patch(
        f"/products/{product_id}", json={"price": "8.00"}, headers=await bearer(admin_viewer)
    )
    changed = await api.get("/products", params={"category": slug}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert [item["price"] for item in changed.json()["items"]] == ["8.00"]
    assert changed.headers["etag"] != etag


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "101"}, "limit"),
        ({"page": "0"}, "page"),
        ({"min_price": "-1"}, "min_price"),
        ({"sort_by": "colour"}, "sort_by"),
        ({"order": "up"}, "order"),
        ({"min_price": "abc"}, "min_price"),
    ],
)
async def test_bad_list_parameters_are_400_naming_the_field(
    api: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    body = assert_problem(await api.get("/products", params=params), 400)
    assert field in body["errors"]  # type: ignore[operator]


async def test_one_product_with_an_etag_and_not_modified(
    api: httpx.AsyncClient, make_product: MakeProduct, admin_viewer: Viewer
) -> None:
    product_id = await make_product(price=Decimal("12.50"), attributes={"colour": "teal"})
    response = await api.get(f"/products/{product_id}")
    assert response.status_code == 200
    assert response.json()["price"] == "12.50"
    assert response.json()["attributes"] == {"colour": "teal"}
    etag = response.headers["etag"]

    again = await api.get(f"/products/{product_id}", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")

    await api.patch(
        f"/products/{product_id}", json={"price": "13.00"}, headers=await bearer(admin_viewer)
    )
    changed = await api.get(f"/products/{product_id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_hidden_products_exist_only_for_staff(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    admin_viewer: Viewer,
) -> None:
    product_id = await make_product(is_active=False)
    assert_problem(await api.get(f"/products/{product_id}"), 404)
    assert_problem(
        await api.get(f"/products/{product_id}", headers=await bearer(shopper_viewer)), 404
    )
    seen = await api.get(f"/products/{product_id}", headers=await bearer(admin_viewer))
    assert (seen.status_code, seen.json()["is_active"]) == (200, False)
    assert_problem(await api.get(f"/products/{uuid.uuid4()}"), 404)
    assert_problem(await api.get("/products/not-a-uuid"), 400)


async def test_writes_need_an_admin_token(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    category: uuid.UUID,
    shopper_viewer: Viewer,
    unique: str,
) -> None:
    product_id = await make_product(price=Decimal("9.00"))
    body = {"name": "Nope", "sku": f"NOPE-{unique}", "price": "1.00", "category_id": str(category)}
    for headers, status in (
        ({}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
        (await bearer(shopper_viewer), 403),
    ):
        assert_problem(await api.post("/products", json=body, headers=headers), status)
        assert_problem(
            await api.patch(f"/products/{product_id}", json={"price": "0"}, headers=headers),
            status,
        )
        assert_problem(await api.delete(f"/products/{product_id}", headers=headers), status)
    unauthenticated = await api.post("/products", json=body)
    assert unauthenticated.headers["www-authenticate"] == "Bearer"
    assert await queries.find_product_id_by_sku(f"NOPE-{unique}") is None
    assert (await queries.get_product(product_id)).summary.price == Decimal("9.00")


async def test_an_admin_creates_replaces_patches_and_deletes(
    api: httpx.AsyncClient, category: uuid.UUID, admin_viewer: Viewer, unique: str
) -> None:
    headers = await bearer(admin_viewer)
    body = {
        "name": f"Api Lamp {unique}",
        "sku": f"API-{unique}",
        "price": "19.90",
        "category_id": str(category),
        "stock_quantity": 4,
        "attributes": {"colour": "red"},
    }
    created = await api.post("/products", json=body, headers=headers)
    assert created.status_code == 201, created.text
    product = created.json()
    assert created.headers["location"] == f"/api/v1/products/{product['id']}"
    assert (product["price"], product["stock_quantity"]) == ("19.90", 4)

    assert_problem(await api.post("/products", json=body, headers=headers), 409)
    invalid = assert_problem(
        await api.post("/products", json={**body, "sku": "x y", "price": "-1"}, headers=headers),
        400,
    )
    assert {"sku", "price"} <= invalid["errors"].keys()  # type: ignore[attr-defined]

    replaced = await api.put(
        f"/products/{product['id']}",
        json={**body, "name": f"Api Lamp II {unique}"},
        headers=headers,
    )
    assert replaced.status_code == 200
    assert replaced.json()["name"] == f"Api Lamp II {unique}"
    assert replaced.json()["slug"] == product["slug"]  # the address is kept

    emptied = assert_problem(
        await api.patch(
            f"/products/{product['id']}", json={"price": None, "name": None}, headers=headers
        ),
        400,
    )
    assert {"price", "name"} <= emptied["errors"].keys()  # type: ignore[attr-defined]
    cleared = await api.patch(f"/products/{product['id']}", json={"brand": None}, headers=headers)
    assert (cleared.status_code, cleared.json()["brand"]) == (200, None)

    patched = await api.patch(
        f"/products/{product['id']}", json={"price": "17.00"}, headers=headers
    )
    assert (patched.json()["price"], patched.json()["name"]) == ("17.00", f"Api Lamp II {unique}")
    assert_problem(
        await api.patch(f"/products/{uuid.uuid4()}", json={"price": "1"}, headers=headers), 404
    )

    deleted = await api.delete(f"/products/{product['id']}", headers=headers)
    assert (deleted.status_code, deleted.content) == (204, b"")
    with pytest.raises(NotFoundError):
        await queries.get_product(uuid.UUID(product["id"]))
    assert_problem(await api.delete(f"/products/{product['id']}", headers=headers), 404)


async def test_categories_come_parents_first(api: httpx.AsyncClient, category: uuid.UUID) -> None:
    response = await api.get("/categories")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()]
    assert str(category) in ids


async def test_the_openapi_document_and_docs_are_served(api: httpx.AsyncClient) -> None:
    document = (await api.get("/openapi.json")).json()
    assert document["info"]["title"] == "Kestrel Goods API"
    assert "/products/{product_id}" in document["paths"]
    assert (await api.get("/docs")).status_code == 200


async def test_a_web_process_builds_the_openapi_document_as_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Built on the first request instead, it held up every other request of the process
    for over a second (past a client's 5 s timeout on a busy machine)."""
    http_app = build_http_app()
    build_api_schema(http_app)

    def refuse(*args: object, **kwargs: object) -> dict[str, object]:
        raise AssertionError("the document was built again while serving a request")

    monkeypatch.setattr(fastapi.applications, "get_openapi", refuse)
    transport = httpx.ASGITransport(app=http_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:
        response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Kestrel Goods API"


async def test_a_request_id_is_kept_or_made(api: httpx.AsyncClient) -> None:
    given = await api.get("/health", headers={"X-Request-ID": "client-chosen-1234"})
    assert given.headers["x-request-id"] == "client-chosen-1234"
    made = await api.get("/health", headers={"X-Request-ID": "bad id; <script>"})
    assert len(made.headers["x-request-id"]) == 32
