"""Gift cards through the REST API: admins issue, find, adjust and switch off cards; a
holder checks a balance by code, and guessing codes ends in 429; an order is paid in
part with a card and the rest by the card payment."""

from __future__ import annotations

from decimal import Decimal

import httpx

from backend.accounts.schemas import Viewer
from tests.fixtures.catalog import MakeProduct
from tests.integration.test_api_cart_orders import ADDRESS, with_key
from tests.integration.test_api_products import api, assert_problem, bearer

__all__ = ["api"]


async def test_an_admin_issues_a_card_and_its_holder_reads_the_balance(
    api: httpx.AsyncClient, admin_viewer: Viewer
) -> None:
    headers = await bearer(admin_viewer)
    created = await api.post(
        "/admin/gift-cards", json={"amount": "30", "note": "Apology"}, headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    code, card = body["code"], body["card"]
    assert created.headers["cache-control"] == "no-store"
    assert (card["balance"], card["state"], card["last_four"]) == ("30.00", "Active", code[-4:])

    adjusted = await api.post(
        f"/admin/gift-cards/{card['id']}/adjustments",
        json={"amount": "-5.50", "note": "Typo"},
        headers=headers,
    )
    assert adjusted.json()["balance"] == "24.50"
    too_much = await api.post(
        f"/admin/gift-cards/{card['id']}/adjustments",
        json={"amount": "-100", "note": "No"},
        headers=headers,
    )
    assert_problem(too_much, 400)

    seen = await api.post("/gift-cards/balance", json={"code": code.lower()})
    assert seen.status_code == 200, seen.text
    assert seen.json()["balance"] == "24.50"
    assert [m["kind"] for m in seen.json()["movements"]] == ["adjusted", "issued"]
    assert "recipient_email" not in seen.json()

    off = await api.put(
        f"/admin/gift-cards/{card['id']}/active", json={"active": False}, headers=headers
    )
    assert off.json()["state"] == "Disabled"
    found = await api.get("/admin/gift-cards", params={"search": code[-4:]}, headers=headers)
    assert card["id"] in [item["id"] for item in found.json()["items"]]


async def test_shoppers_cannot_reach_the_admin_routes(
    api: httpx.AsyncClient, shopper_viewer: Viewer
) -> None:
    headers = await bearer(shopper_viewer)
    assert_problem(await api.post("/admin/gift-cards", json={"amount": "30"}, headers=headers), 403)
    assert_problem(await api.get("/admin/gift-cards", headers=headers), 403)
    assert_problem(await api.get("/admin/gift-cards"), 401)


async def test_guessing_codes_through_the_api_ends_in_429(api: httpx.AsyncClient) -> None:
    for _ in range(10):
        miss = await api.post("/gift-cards/balance", json={"code": "2222-3333-4444-5555"})
        assert_problem(miss, 409)
    blocked = await api.post("/gift-cards/balance", json={"code": "2222-3333-4444-5555"})
    assert_problem(blocked, 429)
    assert int(blocked.headers["retry-after"]) > 0


async def test_an_order_paid_in_part_by_gift_card_through_the_api(
    api: httpx.AsyncClient, admin_viewer: Viewer, shopper_viewer: Viewer, make_product: MakeProduct
) -> None:
    admin = await bearer(admin_viewer)
    code = (await api.post("/admin/gift-cards", json={"amount": "10"}, headers=admin)).json()[
        "code"
    ]
    shopper = await bearer(shopper_viewer)
    product = await make_product(price=Decimal("40.00"))
    await api.post("/cart/items", json={"product_id": str(product), "quantity": 1}, headers=shopper)

    placed = await api.post(
        "/orders",
        json={**ADDRESS, "gift_card_code": code},
        headers=with_key(shopper),
    )

    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["gift_card_amount"] == "10.00"
    assert Decimal(order["amount_due"]) == Decimal(order["total"]) - 10
    paid = await api.post(
        f"/orders/{order['number']}/payments",
        json={"payment_method": "4242 4242 4242 4242"},
        headers=with_key(shopper),
    )
    assert paid.json()["order"]["payment_status"] == "paid"
    seen = await api.post("/gift-cards/balance", json={"code": code})
    assert seen.json()["balance"] == "0.00"


async def test_a_client_app_buys_a_gift_card_through_the_cart(
    api: httpx.AsyncClient, shopper_viewer: Viewer
) -> None:
    shopper = await bearer(shopper_viewer)
    added = await api.post(
        "/cart/gift-cards",
        json={"amount": "40", "recipient_email": "pat@example.com", "message": "Cheers"},
        headers=shopper,
    )
    assert added.status_code == 200, added.text
    cart = added.json()
    [card] = cart["gift_cards"]
    assert (card["amount"], card["recipient_email"], cart["subtotal"]) == (
        "40.00",
        "pat@example.com",
        "40.00",
    )
    assert cart["ready_for_checkout"] is True
    too_big = await api.post("/cart/gift-cards", json={"amount": "5000"}, headers=shopper)
    assert too_big.status_code in (400, 422)
    past = await api.post(
        "/cart/gift-cards",
        json={"amount": "10", "send_at": "2020-01-01T09:00:00+00:00"},
        headers=shopper,
    )
    assert_problem(past, 400)

    placed = await api.post(
        "/orders",
        json=ADDRESS,
        headers=with_key(shopper),
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert (order["total"], order["shipping"], order["shipping_method"]) == (
        "40.00",
        "0.00",
        "none",
    )
    assert [line["sku"] for line in order["lines"]] == ["GIFT-CARD"]

    removed = await api.delete(f"/cart/gift-cards/{card['line_id']}", headers=shopper)
    assert removed.status_code == 204
    assert (await api.get("/cart", headers=shopper)).json()["gift_cards"] == []
