"""The collections API as a client app uses it: admins create, replace and delete; anyone
reads live collections with a page of their products, filtered and sorted; scheduled
ones are not found; bad bodies and parameters get a problem naming the field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from backend.accounts.schemas import Viewer
from tests.fixtures.catalog import MakeProduct
from tests.integration.test_api_products import api, assert_problem, bearer

__all__ = ["api"]  # the client fixture, shared with the products API tests


async def test_an_admin_builds_a_collection_and_anyone_reads_it(
    api: httpx.AsyncClient, admin_viewer: Viewer, make_product: MakeProduct, unique: str
) -> None:
    headers = await bearer(admin_viewer)
    mug = await make_product(name=f"Mug {unique}", brand="Alder", price=Decimal("12.00"))
    jug = await make_product(name=f"Jug {unique}", brand="Birch", price=Decimal("30.00"))
    created = await api.post(
        "/admin/collections",
        json={
            "title": f"Kitchen {unique}",
            "kind": "manual",
            "product_ids": [str(jug), str(mug)],
            "home_position": 3,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["location"] == f"/api/v1/admin/collections/{body['id']}"
    assert body["status"] == "active"
    assert body["product_ids"] == [str(jug), str(mug)]
    slug = body["slug"]
    assert slug == f"kitchen-{unique}".lower()

    public = (await api.get(f"/collections/{slug}")).json()
    assert public["title"] == f"Kitchen {unique}"
    assert "product_ids" not in public  # staff fields stay staff's
    assert "rules" not in public
    assert [p["name"] for p in public["products"]["items"]] == [f"Jug {unique}", f"Mug {unique}"]
    cheap_first = (await api.get(f"/collections/{slug}", params={"sort_by": "price"})).json()
    assert [p["price"] for p in cheap_first["products"]["items"]] == ["12.00", "30.00"]
    birch = (await api.get(f"/collections/{slug}", params={"brand": "Birch"})).json()
    assert birch["products"]["pagination"]["total"] == 1
    assert slug in [c["slug"] for c in (await api.get("/collections")).json()]

    # Replaced by rules: every Alder product, newest first by default.
    replaced = await api.put(
        f"/admin/collections/{body['id']}",
        json={
            "title": f"Kitchen {unique}",
            "kind": "rules",
            "rules": [{"field": "brand", "operator": "is", "value": "Alder"}],
        },
        headers=headers,
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["product_ids"] == []
    alder = (await api.get(f"/collections/{slug}", params={"limit": 100})).json()
    assert f"Mug {unique}" in [p["name"] for p in alder["products"]["items"]]
    assert f"Jug {unique}" not in [p["name"] for p in alder["products"]["items"]]

    deleted = await api.delete(f"/admin/collections/{body['id']}", headers=headers)
    assert deleted.status_code == 204
    assert_problem(await api.get(f"/collections/{slug}"), 404)


async def test_a_scheduled_collection_is_staffs_until_it_starts(
    api: httpx.AsyncClient, admin_viewer: Viewer, unique: str
) -> None:
    headers = await bearer(admin_viewer)
    starts = datetime.now(UTC) + timedelta(days=1)
    created = await api.post(
        "/admin/collections",
        json={"title": f"Black Friday {unique}", "kind": "manual", "starts_at": starts.isoformat()},
        headers=headers,
    )
    assert created.json()["status"] == "scheduled"
    assert_problem(await api.get(f"/collections/{created.json()['slug']}"), 404)
    listed = (await api.get("/admin/collections", headers=headers)).json()
    assert created.json()["id"] in [c["id"] for c in listed]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "kind": "sometimes"}, "kind"),
        (
            {"title": "X", "kind": "rules", "rules": [{"field": "colour", "operator": "is"}]},
            "rules",
        ),
        ({"title": "X", "kind": "manual", "product_ids": ["not-an-id"]}, "product_ids"),
        ({"title": "X", "kind": "manual", "home_position": -1}, "home_position"),
    ],
)
async def test_bad_bodies_get_a_problem_naming_the_field(
    api: httpx.AsyncClient, admin_viewer: Viewer, body: dict[str, object], field: str
) -> None:
    response = await api.post("/admin/collections", json=body, headers=await bearer(admin_viewer))
    problem = assert_problem(response, 400)
    assert field in str(problem)


async def test_shoppers_and_strangers_cannot_write(
    api: httpx.AsyncClient, shopper_viewer: Viewer
) -> None:
    body = {"title": "Mine", "kind": "manual"}
    assert_problem(await api.post("/admin/collections", json=body), 401)
    forbidden = await api.post(
        "/admin/collections", json=body, headers=await bearer(shopper_viewer)
    )
    assert_problem(forbidden, 403)
    assert_problem(await api.get("/admin/collections", headers=await bearer(shopper_viewer)), 403)
    assert_problem(await api.delete(f"/admin/collections/{uuid.uuid4()}"), 401)


async def test_bad_listing_parameters_are_a_400(
    api: httpx.AsyncClient, admin_viewer: Viewer, unique: str
) -> None:
    created = await api.post(
        "/admin/collections",
        json={"title": f"Params {unique}", "kind": "manual"},
        headers=await bearer(admin_viewer),
    )
    slug = created.json()["slug"]
    assert_problem(await api.get(f"/collections/{slug}", params={"sort_by": "colour"}), 400)
    assert_problem(await api.get(f"/collections/{slug}", params={"page": 0}), 400)
