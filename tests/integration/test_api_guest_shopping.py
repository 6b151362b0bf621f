"""Shopping through the REST API without an account, as the storefront allows: a guest
cart named by its token (X-Cart-Token), an order placed with an e-mail address, and the
order's own token (X-Order-Token) to read, pay (also through the bank's extra step) and
cancel it; the lookup by number and e-mail gives that token again; at sign-in the guest
cart joins the account's."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx

from backend.accounts.schemas import Viewer
from backend.cart import activity as cart_activity
from backend.cart import owners as cart_owners
from tests.fixtures.api_client import assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.integration.test_api_cart_orders import (
    ADDRESS,
    DECLINED,
    NEEDS_AUTHENTICATION,
    SUCCEEDS,
    stock_of,
)


async def _guest_cart(api: httpx.AsyncClient) -> dict[str, str]:
    started = await api.post("/guest-carts")
    assert started.status_code == 201, started.text
    assert started.headers["cache-control"] == "no-store"
    return {"X-Cart-Token": started.json()["cart_token"]}


async def _add(
    api: httpx.AsyncClient, headers: dict[str, str], product_id: uuid.UUID, quantity: int
) -> httpx.Response:
    return await api.post(
        "/cart/items", json={"product_id": str(product_id), "quantity": quantity}, headers=headers
    )


async def test_a_guest_fills_a_cart_places_pays_and_reads_the_order(
    api: httpx.AsyncClient, make_product: MakeProduct
) -> None:
    mug = await make_product(price=Decimal("12.50"), stock_quantity=10)
    guest = await _guest_cart(api)
    email = f"guest-{uuid.uuid4().hex[:8]}@example.com"

    added = await _add(api, guest, mug, 2)
    assert added.status_code == 200, added.text
    assert (added.json()["item_count"], added.json()["subtotal"]) == (2, "25.00")
    preview = await api.post("/orders/previews", json={**ADDRESS, "email": email}, headers=guest)
    assert preview.status_code == 200, preview.text
    assert preview.json()["subtotal"] == "25.00"

    placed = await api.post("/orders", json={**ADDRESS, "email": email}, headers=with_key(guest))

    assert placed.status_code == 201, placed.text
    assert placed.headers["cache-control"] == "no-store"
    order = placed.json()
    assert (order["email"], order["status"], order["subtotal"]) == (
        email,
        "pending_payment",
        "25.00",
    )
    assert await stock_of(mug) == 8  # reserved with the order
    opens = {"X-Order-Token": order["order_token"]}
    path = f"/orders/{order['number']}"
    read = await api.get(path, headers=opens)
    assert read.status_code == 200, read.text
    assert read.json()["number"] == order["number"]

    paid = await api.post(
        f"{path}/payments", json={"payment_method": SUCCEEDS}, headers=with_key(opens)
    )

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "succeeded"
    assert (await api.get(path, headers=opens)).json()["payment_status"] == "paid"
    assert (await api.get("/cart", headers=guest)).json()["item_count"] == 0  # bought
    documents = await api.get(f"{path}/documents", headers=opens)
    assert documents.status_code == 200, documents.text


async def test_a_guest_answers_the_banks_extra_step_and_the_order_is_paid(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    guest = await _guest_cart(api)
    await _add(api, guest, await make_product(price=Decimal("30.00"), stock_quantity=3), 1)
    body = {**ADDRESS, "email": "bank-step@example.com"}
    order = (await api.post("/orders", json=body, headers=with_key(guest))).json()
    opens = {"X-Order-Token": order["order_token"]}
    path = f"/orders/{order['number']}/payments"
    confirm = f"{path}/confirmation"
    assert_problem(await api.post(confirm, json={}, headers=opens), 409)  # nothing waits

    asked = await api.post(
        path, json={"payment_method": NEEDS_AUTHENTICATION}, headers=with_key(opens)
    )
    assert asked.json()["status"] == "requires_action"
    # Not someone else's to answer: a signed-in stranger, or no credential at all.
    assert_problem(await api.post(confirm, json={}, headers=await bearer(shopper_viewer)), 404)
    assert_problem(await api.post(confirm, json={}), 401)
    confirmed = await api.post(confirm, json={"approve": True}, headers=opens)

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "succeeded"
    assert confirmed.json()["order"]["payment_status"] == "paid"
    assert (await api.get("/cart", headers=guest)).json()["item_count"] == 0


async def test_a_refused_extra_step_leaves_the_order_waiting_for_another_payment(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    shopper = await bearer(shopper_viewer)
    await _add(api, shopper, await make_product(stock_quantity=3), 1)
    order = (await api.post("/orders", json=ADDRESS, headers=with_key(shopper))).json()
    assert order["order_token"] is None  # an account's order: the Bearer token opens it
    path = f"/orders/{order['number']}/payments"
    await api.post(path, json={"payment_method": NEEDS_AUTHENTICATION}, headers=with_key(shopper))

    refused = assert_problem(
        await api.post(f"{path}/confirmation", json={"approve": False}, headers=shopper), 402
    )

    assert refused["detail"]
    after = (await api.get(f"/orders/{order['number']}", headers=shopper)).json()
    assert (after["status"], after["can_pay"]) == ("pending_payment", True)
    declined = await api.post(path, json={"payment_method": DECLINED}, headers=with_key(shopper))
    assert declined.status_code == 402
    paid = await api.post(path, json={"payment_method": SUCCEEDS}, headers=with_key(shopper))
    assert paid.json()["status"] == "succeeded"


async def test_a_guest_order_needs_an_email_address(
    api: httpx.AsyncClient, make_product: MakeProduct
) -> None:
    guest = await _guest_cart(api)
    await _add(api, guest, await make_product(stock_quantity=3), 1)

    refused = assert_problem(await api.post("/orders", json=ADDRESS, headers=with_key(guest)), 400)

    assert "email" in refused["errors"]


async def test_guest_carts_are_apart_and_a_bad_credential_is_refused(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    mug = await make_product(stock_quantity=5)
    first, second = await _guest_cart(api), await _guest_cart(api)
    await _add(api, first, mug, 1)

    assert (await api.get("/cart", headers=first)).json()["item_count"] == 1
    assert (await api.get("/cart", headers=second)).json()["item_count"] == 0
    missing = assert_problem(await api.get("/cart"), 401)
    assert "X-Cart-Token" in missing["detail"]
    assert_problem(await api.get("/cart", headers={"X-Cart-Token": "short"}), 401)
    # Refused before the body is read: a bad credential learns nothing about the input.
    assert_problem(
        await api.post("/cart/items", json={"nonsense": 1}, headers={"X-Cart-Token": "x"}), 401
    )
    # A Bearer token decides: the account's cart, never the guest's.
    signed_in = {**await bearer(shopper_viewer), **first}
    assert all(
        line["product_id"] != str(mug)
        for line in (await api.get("/cart", headers=signed_in)).json()["lines"]
    )


async def test_an_order_token_opens_its_order_only(
    api: httpx.AsyncClient, make_product: MakeProduct
) -> None:
    mug = await make_product(stock_quantity=5)
    numbers, tokens_by_number = [], {}
    for _ in range(2):
        guest = await _guest_cart(api)
        await _add(api, guest, mug, 1)
        email = f"guest-{uuid.uuid4().hex[:8]}@example.com"
        placed = (
            await api.post("/orders", json={**ADDRESS, "email": email}, headers=with_key(guest))
        ).json()
        numbers.append(placed["number"])
        tokens_by_number[placed["number"]] = placed["order_token"]
    first, second = numbers

    assert_problem(
        await api.get(f"/orders/{second}", headers={"X-Order-Token": tokens_by_number[first]}),
        404,
    )
    assert_problem(await api.get(f"/orders/{first}"), 401)
    forged = tokens_by_number[first][:-4] + "AAAA"
    assert_problem(await api.get(f"/orders/{first}", headers={"X-Order-Token": forged}), 401)
    # The guest cart's token is not the order's.
    assert_problem(
        await api.get(f"/orders/{first}", headers={"X-Cart-Token": uuid.uuid4().hex * 2}), 401
    )
    # An order token opens nothing else: not the list of orders, not a cart.
    assert_problem(
        await api.get("/orders", headers={"X-Order-Token": tokens_by_number[first]}), 401
    )


async def test_the_lookup_gives_the_token_again_and_a_guest_cancels_while_unpaid(
    api: httpx.AsyncClient, make_product: MakeProduct
) -> None:
    mug = await make_product(stock_quantity=4)
    guest = await _guest_cart(api)
    await _add(api, guest, mug, 3)
    email = f"Guest-{uuid.uuid4().hex[:8]}@Example.com"
    placed = (
        await api.post("/orders", json={**ADDRESS, "email": email}, headers=with_key(guest))
    ).json()
    assert await stock_of(mug) == 1

    found = await api.post(
        "/orders/lookup", json={"number": placed["number"].lower(), "email": email.lower()}
    )

    assert found.status_code == 200, found.text
    assert found.headers["cache-control"] == "no-store"
    opens = {"X-Order-Token": found.json()["order_token"]}
    cancelled = await api.post(f"/orders/{placed['number']}/cancel", headers=opens)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert await stock_of(mug) == 4


async def test_two_guests_behind_one_address_never_share_an_idempotent_reply(
    api: httpx.AsyncClient, make_product: MakeProduct
) -> None:
    mug = await make_product(stock_quantity=5)
    key = uuid.uuid4().hex
    numbers = []
    for _ in range(2):
        guest = await _guest_cart(api)
        await _add(api, guest, mug, 1)
        body = {**ADDRESS, "email": "same@example.com"}
        placed = await api.post("/orders", json=body, headers=with_key(guest, key))
        assert placed.status_code == 201, placed.text
        assert "idempotent-replayed" not in placed.headers
        numbers.append(placed.json()["number"])
        again = await api.post("/orders", json=body, headers=with_key(guest, key))
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["number"] == numbers[-1]

    assert numbers[0] != numbers[1]


async def test_at_sign_in_the_guest_cart_joins_the_accounts(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    mug, lamp = await make_product(stock_quantity=5), await make_product(stock_quantity=5)
    shopper = await bearer(shopper_viewer)
    await _add(api, shopper, mug, 1)
    guest = await _guest_cart(api)
    await _add(api, guest, mug, 2)
    await _add(api, guest, lamp, 1)

    assert_problem(await api.post("/cart/merge", headers=shopper), 400)
    merged = await api.post("/cart/merge", headers={**shopper, **guest})

    assert merged.status_code == 200, merged.text
    quantities = {line["product_id"]: line["quantity"] for line in merged.json()["lines"]}
    assert (quantities[str(mug)], quantities[str(lamp)]) == (3, 1)
    assert (await api.get("/cart", headers=guest)).json()["item_count"] == 0
    again = await api.post("/cart/merge", headers={**shopper, **guest})
    assert {line["product_id"]: line["quantity"] for line in again.json()["lines"]} == quantities
    assert_problem(await api.post("/cart/merge", headers=guest), 401)


async def test_a_guest_asks_for_a_reminder_about_the_cart(
    api: httpx.AsyncClient, shopper_viewer: Viewer
) -> None:
    guest = await _guest_cart(api)
    owner = cart_owners.guest_owner(guest["X-Cart-Token"])
    assert owner is not None
    path = "/cart/reminder-contact"

    kept = await api.put(path, json={"email": "Ada@Example.com", "remind": True}, headers=guest)

    assert kept.status_code == 204, kept.text
    assert await cart_activity.contact_email(owner) == "Ada@example.com"  # domain lowered
    wrong = assert_problem(
        await api.put(path, json={"email": "not an address", "remind": True}, headers=guest), 400
    )
    assert "email" in wrong["errors"]
    forgot = await api.put(path, json={"remind": False}, headers=guest)
    assert forgot.status_code == 204
    assert await cart_activity.contact_email(owner) is None
    assert_problem(
        await api.put(
            path,
            json={"email": "a@example.com", "remind": True},
            headers=await bearer(shopper_viewer),
        ),
        409,
    )


async def test_the_document_says_which_guest_credential_each_route_takes(
    api: httpx.AsyncClient,
) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]

    for path, method in (("/cart", "get"), ("/orders", "post"), ("/orders/previews", "post")):
        operation = paths[path][method]
        assert operation["x-access"] == "signed-in-or-guest"
        assert operation["x-guest-credential"] == "X-Cart-Token"
        assert {"cartToken": []} in operation["security"]
    for path, method in (("/orders/{number}", "get"), ("/orders/{number}/payments", "post")):
        operation = paths[path][method]
        assert operation["x-guest-credential"] == "X-Order-Token"
        assert {"orderToken": []} in operation["security"]
    assert paths["/orders"]["get"]["x-access"] == "signed-in"
