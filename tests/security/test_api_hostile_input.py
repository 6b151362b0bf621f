"""Hostile input at the REST API's edge, replayed in-process against the HTTP app the shop
serves (`api.app.build_http_app`): what a fuzzer (schemathesis) and a person found.

- Who is asking is settled before what was sent: a shopper's malformed body to an
  admin-only route is a 403, an anonymous one a 401, never a 400 that confirms the shape;
  so is a staff member's whose groups lack the route's permission (every route, every
  permission).
- A NUL character (which PostgreSQL text cannot hold) in any string, path or query value
  is a 400 naming the field, never a 500.
- Bodies are read strictly as documented: booleans are not integers, digits are ASCII, a
  JSON body needs a JSON content type (415), and malformed JSON says what is wrong.
- Addresses the shop stores and renders later (product images) are https:// or the shop's
  own media paths: never javascript:, data: or plain http.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from api.app import build_http_app
from api.v1.app import build_api_v1
from api.v1.auth import STAFF_DEPENDENCIES
from api.v1.edge import EdgeRoute, api_routes
from backend.accounts import authentication, staff_groups, tokens
from backend.accounts.permissions import Permission, with_implied
from backend.accounts.schemas import Viewer
from backend.catalog import queries as catalog_queries
from backend.webhooks import queries as webhook_queries
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct

PROBLEM = "application/problem+json"
NUL = "\x00"


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_http_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:3100/api/v1"
    ) as client:
        yield client


async def bearer(viewer: Viewer) -> dict[str, str]:
    pair = await tokens.issue_tokens(viewer.user_id)
    return {"Authorization": f"Bearer {pair.access_token}"}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def field_problem(response: httpx.Response, field: str) -> str:
    """The 400's message for `field` (the answer must name it)."""
    errors = problem(response, 400).get("errors") or {}
    assert field in errors, errors
    message: str = errors[field]
    return message


def product_body(category: uuid.UUID, unique: str, **fields: object) -> dict[str, Any]:
    return {
        "name": f"Edge product {unique}",
        "sku": f"EDGE-{unique}-{uuid.uuid4().hex[:6]}",
        "price": "12.00",
        "category_id": str(category),
        **fields,
    }


# --- who is asking comes first ---------------------------------------------------------

MALFORMED = b'{"name": "Mug", "price": '


# Fixed, not uuid4(): the test ids must be the same in every pytest-xdist worker.
NO_SUCH_PRODUCT = uuid.UUID("5f0c8a3e-2b7d-4c1e-9a6f-0d3b8e7c4a21")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/products"),
        ("PATCH", f"/products/{NO_SUCH_PRODUCT}"),
        ("PUT", f"/products/{NO_SUCH_PRODUCT}"),
        ("POST", "/webhooks/endpoints"),
        ("POST", "/orders/KG-AAAA-BBBB/fulfil"),
    ],
)
async def test_a_shopper_gets_403_for_any_body_sent_to_an_admin_route(
    api: httpx.AsyncClient, shopper_viewer: Viewer, method: str, path: str
) -> None:
    shopper = await bearer(shopper_viewer)
    json_type = {"content-type": "application/json"}
    for body in (MALFORMED, b"{}", b'{"price": true}'):
        response = await api.request(method, path, content=body, headers=shopper | json_type)
        problem(response, 403)
    anonymous = await api.request(method, path, content=MALFORMED, headers=json_type)
    problem(anonymous, 401)


# --- NUL characters ---------------------------------------------------------------------


async def test_nul_in_an_order_number_is_a_400_naming_it(
    api: httpx.AsyncClient, shopper_viewer: Viewer, admin_viewer: Viewer
) -> None:
    shopper = await bearer(shopper_viewer)
    assert "NUL" in field_problem(await api.get("/orders/%00", headers=shopper), "number")
    assert "NUL" in field_problem(await api.get("/orders/KG%00X", headers=shopper), "number")
    admin = await bearer(admin_viewer)
    for action in ("cancel", "fulfil", "deliver"):
        body = {"carrier": "UPS", "tracking_number": "1Z"} if action == "fulfil" else None
        response = await api.post(f"/orders/%00/{action}", json=body, headers=admin)
        assert "NUL" in field_problem(response, "number"), action


async def test_nul_in_the_staff_order_search_is_a_400_naming_it(
    api: httpx.AsyncClient, admin_viewer: Viewer
) -> None:
    admin = await bearer(admin_viewer)
    response = await api.get(
        "/orders", params={"scope": "all", "search": f"KG{NUL}"}, headers=admin
    )
    assert "NUL" in field_problem(response, "search")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": f"Mug{NUL}"}, "name"),
        ({"description": f"Good{NUL}mug"}, "description"),
        ({"brand": f"Acme{NUL}"}, "brand"),
        ({"image_urls": [f"https://cdn.example.com/a{NUL}.jpg"]}, "image_urls.0"),
        ({"attributes": {"colour": f"blue{NUL}"}}, "attributes.colour"),
    ],
)
async def test_nul_in_a_product_field_is_a_400_naming_it_on_every_write(
    api: httpx.AsyncClient,
    admin_viewer: Viewer,
    make_product: MakeProduct,
    category: uuid.UUID,
    unique: str,
    fields: dict[str, object],
    field: str,
) -> None:
    admin = await bearer(admin_viewer)
    created = await api.post(
        "/products", json=product_body(category, unique, **fields), headers=admin
    )
    assert "NUL" in field_problem(created, field)

    product_id = await make_product()
    patched = await api.patch(f"/products/{product_id}", json=fields, headers=admin)
    assert "NUL" in field_problem(patched, field)
    replaced = await api.put(
        f"/products/{product_id}", json=product_body(category, unique, **fields), headers=admin
    )
    assert "NUL" in field_problem(replaced, field)
    assert NUL not in (await catalog_queries.get_product(product_id)).summary.name


async def test_nul_in_a_webhook_endpoint_is_a_400_naming_the_field(
    api: httpx.AsyncClient, admin_viewer: Viewer
) -> None:
    admin = await bearer(admin_viewer)
    base = {"url": "https://example.com/hook", "event_types": ["order.paid"]}
    for fields, field in (
        ({"description": f"ops{NUL}"}, "description"),
        ({"url": f"https://example.com/h{NUL}"}, "url"),
    ):
        response = await api.post("/webhooks/endpoints", json=base | fields, headers=admin)
        assert "NUL" in field_problem(response, field)
    created = await api.post("/webhooks/endpoints", json=base, headers=admin)
    endpoint = f"/webhooks/endpoints/{created.json()['id']}"
    try:
        patched = await api.patch(endpoint, json={"description": f"x{NUL}"}, headers=admin)
        assert "NUL" in field_problem(patched, "description")
    finally:
        await api.delete(endpoint, headers=admin)


# --- strict reading of bodies ------------------------------------------------------------


async def test_false_is_not_zero_hours_when_rotating_a_webhook_secret(
    api: httpx.AsyncClient, admin_viewer: Viewer
) -> None:
    admin = await bearer(admin_viewer)
    created = await api.post(
        "/webhooks/endpoints",
        json={"url": "https://example.com/hook", "event_types": ["order.paid"]},
        headers=admin,
    )
    endpoint_id = uuid.UUID(created.json()["id"])
    try:
        for value in (False, True, "0", 1.5):
            response = await api.post(
                f"/webhooks/endpoints/{endpoint_id}/rotate-secret",
                json={"keep_previous_for_hours": value},
                headers=admin,
            )
            field_problem(response, "keep_previous_for_hours")
        endpoint = await webhook_queries.get_endpoint(admin_viewer, endpoint_id)
        assert endpoint.previous_secret_expires_at is None  # no rotation happened
    finally:
        await api.delete(f"/webhooks/endpoints/{endpoint_id}", headers=admin)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": "١٢"}, "price"),  # Arabic-Indic digits
        ({"price": "１２.００"}, "price"),  # full-width digits
        ({"stock_quantity": True}, "stock_quantity"),
        ({"stock_quantity": "12"}, "stock_quantity"),
        ({"is_active": "yes"}, "is_active"),
        ({"is_active": 1}, "is_active"),
    ],
)
async def test_product_bodies_are_read_as_documented_not_coerced(
    api: httpx.AsyncClient,
    admin_viewer: Viewer,
    category: uuid.UUID,
    unique: str,
    fields: dict[str, object],
    field: str,
) -> None:
    admin = await bearer(admin_viewer)
    body = product_body(category, unique, **fields)
    field_problem(await api.post("/products", json=body, headers=admin), field)
    listed = await api.get("/products", params={"limit": 100})
    assert body["sku"] not in {item["sku"] for item in listed.json()["items"]}


async def test_a_json_body_with_another_content_type_is_415(
    api: httpx.AsyncClient, admin_viewer: Viewer, category: uuid.UUID, unique: str
) -> None:
    admin = await bearer(admin_viewer)
    import json

    body = json.dumps(product_body(category, unique)).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = admin | ({"content-type": content_type} if content_type else {})
        response = await api.post("/products", content=body, headers=headers)
        problem(response, 415)


async def test_malformed_json_names_the_problem(
    api: httpx.AsyncClient, admin_viewer: Viewer
) -> None:
    admin = await bearer(admin_viewer) | {"content-type": "application/json"}
    response = await api.post("/products", content=b'{"name": "Mug",, }', headers=admin)
    message = field_problem(response, "body")
    assert "JSON" in message
    assert "line 1" in message  # where, as a person counts, not a character offset


# --- addresses that are rendered later ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:image/svg+xml;base64,PHN2Zz4=",
        "http://cdn.example.com/a.jpg",
        "//cdn.example.com/a.jpg",
        "https://",
        "/media/../../etc/passwd",
        "/elsewhere/a.jpg",
    ],
)
async def test_product_images_must_be_https_or_the_shops_own_media(
    api: httpx.AsyncClient,
    admin_viewer: Viewer,
    make_product: MakeProduct,
    category: uuid.UUID,
    unique: str,
    url: str,
) -> None:
    admin = await bearer(admin_viewer)
    created = await api.post(
        "/products", json=product_body(category, unique, image_urls=[url]), headers=admin
    )
    field_problem(created, "image_urls.0")
    product_id = await make_product()
    patched = await api.patch(f"/products/{product_id}", json={"image_urls": [url]}, headers=admin)
    field_problem(patched, "image_urls.0")
    assert (await catalog_queries.get_product(product_id)).image_urls == ()


async def test_https_and_own_media_images_are_still_accepted(
    api: httpx.AsyncClient, admin_viewer: Viewer, category: uuid.UUID, unique: str
) -> None:
    admin = await bearer(admin_viewer)
    urls = ["https://cdn.example.com/a%20b.jpg", "/media/images/ab/ab12.webp"]
    created = await api.post(
        "/products",
        json=product_body(category, unique, image_urls=urls, price="12.50"),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["image_urls"] == urls
    assert Decimal(created.json()["price"]) == Decimal("12.50")


def test_every_api_route_checks_its_edge_first() -> None:
    """A new router that forgets `route_class=EdgeRoute` would skip all of the above."""
    routes = api_routes(build_api_v1())
    assert len(routes) > 20
    assert [route.path for route in routes if not isinstance(route, EdgeRoute)] == []


# --- the permission matrix: every staff route, every permission --------------------------


def _api_routes() -> list[APIRoute]:
    return api_routes(build_api_v1())


def _route_permission(route: APIRoute) -> Permission | None:
    """The permission the route's staff dependency asks for (None: not a staff route)."""
    by_dependency = {dependency: p for p, dependency in STAFF_DEPENDENCIES.items()}
    pending = [route.dependant]
    while pending:
        current = pending.pop()
        if current.call in by_dependency:
            return by_dependency[current.call]
        pending.extend(current.dependencies)
    return None


def _concrete(path: str) -> str:
    """The route's path with made-up values: nothing is found, nothing can be changed."""
    return re.sub(
        r"\{(\w+)\}",
        lambda m: "KG-AAAA-BBBB" if m.group(1) == "number" else str(NO_SUCH_PRODUCT),
        path,
    )


STAFF_ROUTES = [
    (method, route.path, permission)
    for route in _api_routes()
    if (permission := _route_permission(route)) is not None
    for method in sorted(route.methods)
]


async def test_every_staff_route_refuses_staff_without_its_permission_before_reading_input(
    api: httpx.AsyncClient, admin_viewer: Viewer, make_user: MakeUser, unique: str
) -> None:
    assert len(STAFF_ROUTES) > 40
    headers: dict[Permission, dict[str, str]] = {}
    for permission in Permission:  # one member per permission, in a group giving only it
        group_id = await staff_groups.create_group(
            admin_viewer,
            staff_groups.parse_group_input(f"Only {permission.value} {unique}", "", [permission]),
        )
        login = await make_user()
        member = (await authentication.sign_in(email=login.email, password=login.password)).viewer
        await staff_groups.set_membership(admin_viewer, member.user_id, group_id, member=True)
        headers[permission] = await bearer(member)
    json_type = {"content-type": "application/json"}
    for method, path, needed in STAFF_ROUTES:
        for permission, caller in headers.items():
            response = await api.request(
                method, _concrete(path), content=MALFORMED, headers=caller | json_type
            )
            if needed in with_implied(frozenset({permission})):
                assert response.status_code not in (401, 403), (method, path, permission)
            else:
                assert response.status_code == 403, (method, path, permission, response.text)
