"""Contract of /api/v1/shipping and /api/v1/taxes: shoppers see the methods their cart can
ship by; admins configure zones, methods and rates with a message per field; others get
401/403; orders report their tax lines."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from api.app import build_http_app
from backend.accounts import tokens
from backend.accounts.schemas import Viewer
from tests.fixtures.catalog import MakeProduct

pytestmark = pytest.mark.usefixtures("restore_shipping_and_tax")

PROBLEM = "application/problem+json"


@pytest.fixture
async def api() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_http_app()),
        base_url="http://localhost:3100/api/v1",
    ) as client:
        yield client


async def _bearer(viewer: Viewer) -> dict[str, str]:
    return {"Authorization": f"Bearer {(await tokens.issue_tokens(viewer.user_id)).access_token}"}


async def test_admins_set_up_a_zone_with_weight_bands_and_shoppers_get_its_prices(
    api: httpx.AsyncClient,
    admin_viewer: Viewer,
    shopper_viewer: Viewer,
    make_product: MakeProduct,
) -> None:
    admin, shopper = await _bearer(admin_viewer), await _bearer(shopper_viewer)
    created = await api.post(
        "/shipping/zones", json={"name": "Japan", "countries": ["JP"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    zone = created.json()
    assert created.headers["Location"] == f"/api/v1/shipping/zones/{zone['id']}"
    method = await api.post(
        f"/shipping/zones/{zone['id']}/methods",
        json={
            "code": "ems",
            "name": "EMS",
            "rate_basis": "weight",
            "bands": [{"up_to": "2", "price": "20.00"}, {"up_to": None, "price": "45.00"}],
        },
        headers=admin,
    )
    assert method.status_code == 201, method.text
    assert method.json()["methods"][0]["bands"] == [
        {"up_to": "2", "price": "20.00"},
        {"up_to": None, "price": "45.00"},
    ]
    product = await make_product()
    added = await api.post(
        "/cart/items", json={"product_id": str(product), "quantity": 1}, headers=shopper
    )
    assert added.status_code == 200, added.text

    offers = await api.get("/shipping/methods", params={"country": "JP"}, headers=shopper)
    assert offers.status_code == 200, offers.text
    assert offers.json() == [{"code": "ems", "name": "EMS", "delivery_time": "", "price": "20.00"}]
    refused = await api.get("/shipping/methods", params={"country": "BR"}, headers=shopper)
    assert refused.status_code == 400
    assert "We don't ship to Brazil" in refused.text


async def test_bad_input_gets_a_message_per_field_and_strangers_get_nothing(
    api: httpx.AsyncClient, admin_viewer: Viewer, shopper_viewer: Viewer
) -> None:
    admin, shopper = await _bearer(admin_viewer), await _bearer(shopper_viewer)
    bad_zone = await api.post(
        "/shipping/zones", json={"name": "Nowhere", "countries": ["XX"]}, headers=admin
    )
    assert bad_zone.status_code == 400
    assert bad_zone.headers["content-type"].startswith(PROBLEM)
    assert "XX" in bad_zone.text
    zone_id = (await api.get("/shipping/zones", headers=admin)).json()[0]["id"]
    no_price = await api.post(
        f"/shipping/zones/{zone_id}/methods",
        json={"code": "cheap", "name": "Cheap", "rate_basis": "flat"},
        headers=admin,
    )
    assert no_price.status_code == 400
    assert "flat_price" in no_price.text
    flat = await api.post(
        f"/shipping/zones/{zone_id}/methods",
        json={"code": f"flat{uuid.uuid4().hex[:6]}", "name": "Flat", "flat_price": "5.50"},
        headers=admin,
    )
    assert flat.status_code == 201, flat.text
    assert "5.50" in [m["flat_price"] for m in flat.json()["methods"]]
    twice = await api.post(
        "/taxes/rates", json={"country": "DE", "name": "VAT", "percent": "16"}, headers=admin
    )
    assert twice.status_code == 400
    assert "has a rate already" in twice.text
    assert (await api.get("/shipping/zones", headers=shopper)).status_code == 403
    assert (await api.get("/taxes/rates")).status_code == 401
    missing = await api.delete(f"/shipping/zones/{uuid.uuid4()}", headers=admin)
    assert missing.status_code == 404
    unknown_method = await api.put(
        f"/shipping/methods/{uuid.uuid4()}",
        json={"code": "x", "name": "X", "rate_basis": "flat", "flat_price": "1"},
        headers=admin,
    )
    assert unknown_method.status_code == 404, unknown_method.text
    unknown_rate = await api.put(
        f"/taxes/rates/{uuid.uuid4()}",
        json={"country": "FR", "name": "TVA", "percent": "20"},
        headers=admin,
    )
    assert unknown_rate.status_code == 404, unknown_rate.text


async def test_tax_rates_configuration_and_the_checkout_preview(
    api: httpx.AsyncClient, admin_viewer: Viewer
) -> None:
    admin = await _bearer(admin_viewer)
    created = await api.post(
        "/taxes/rates",
        json={"country": "US", "region": "California", "name": "Sales tax", "percent": "7.25"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["region"] == "CA"
    switched = await api.put(
        "/taxes/configuration", json={"prices_include_tax": True}, headers=admin
    )
    assert switched.json()["prices_include_tax"] is True
    assert [c["code"] for c in switched.json()["tax_classes"]] == ["standard", "reduced", "zero"]

    preview = await api.get(
        "/taxes/checkout-preview",
        params={"country": "US", "region": "ca", "order_value": "80"},
        headers=admin,
    )
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["zone"] == "Everywhere we ship"
    assert [(m["code"], m["price"]) for m in body["methods"]] == [
        ("standard", "0.00"),
        ("express", "14.95"),
    ]
    assert body["taxes"][0] == {
        "tax_class": "Standard rate",
        "name": "Sales tax",
        "percent": "7.25",
    }
    deleted = await api.delete(f"/taxes/rates/{created.json()['id']}", headers=admin)
    assert deleted.status_code == 204
