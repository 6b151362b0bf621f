"""The Store API after an order (#25 item 1): buy it again, and return items of it (refund
or exchange), against the real app. What a client reads after each write, 401 without a
token, 404 for somebody else's order, the service's refusals with the field named, and
nothing written after a refusal."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
from sqlalchemy import func
from sqlmodel import select

from backend.accounts import authentication
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.catalog import queries as catalog_queries
from backend.catalog import services as catalog
from backend.catalog import variants
from backend.catalog.models import ProductVariant
from backend.core.db import session_scope
from backend.returns.models import RETURN_REASONS, ReturnRequest
from tests.fixtures.accounts import MakeUser, catalog_manager
from tests.fixtures.api_client import assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import delivered_order, paid_order


async def signed_in(make_user: MakeUser) -> Viewer:
    credentials = await make_user()
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


async def returns_of(order_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(ReturnRequest)
                .where(ReturnRequest.order_id == order_id)
            )
        ).one()


async def stock_of(variant_id: uuid.UUID) -> int:
    async with session_scope() as session:
        variant = await session.get(ProductVariant, variant_id)
    assert variant is not None
    return variant.stock_quantity


async def options(api: httpx.AsyncClient, number: str, headers: dict[str, str]) -> dict:
    response = await api.get(f"/orders/{number}/return-options", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def line_id(found: dict, name: str) -> str:
    return next(str(line["line_id"]) for line in found["lines"] if line["name"] == name)


# --- buy again --------------------------------------------------------------------------


async def test_buy_again_adds_what_is_still_sold_and_names_the_rest(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    make_user: MakeUser,
    unique: str,
) -> None:
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("40.00"))
    vase = await make_product(name=f"Vase {unique}", price=Decimal("25.00"))
    placed = await paid_order({kettle: 2, vase: 1}, shopper_viewer)
    admin = await catalog_manager()
    await catalog.update_product(kettle, {"price": "44.00"}, actor=admin)
    await catalog.set_product_active(vase, active=False, actor=admin)
    headers = await bearer(shopper_viewer)
    await carts.clear_cart(cart_owners.user_owner(shopper_viewer.user_id))

    # A stranger first: their cart stays empty and the order is not confirmed to exist.
    stranger = await signed_in(make_user)
    refused = await api.post(f"/orders/{placed.number}/buy-again", headers=await bearer(stranger))
    assert_problem(refused, 404)
    assert (await cart_queries.get_cart(cart_owners.user_owner(stranger.user_id))).lines == ()

    again = await api.post(f"/orders/{placed.number.lower()}/buy-again", headers=headers)

    assert again.status_code == 200, again.text
    body = again.json()
    assert (body["added"], body["unavailable"]) == ([f"Kettle {unique}"], [f"Vase {unique}"])
    assert [
        (line["product_id"], line["quantity"], line["unit_price"]) for line in body["cart"]["lines"]
    ] == [(str(kettle), 2, "44.00")]
    cart = (await api.get("/cart", headers=headers)).json()
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [(str(kettle), 2)]

    assert_problem(await api.post(f"/orders/{placed.number}/buy-again"), 401)
    assert_problem(await api.post("/orders/KG-NONE-NONE/buy-again", headers=headers), 404)


# --- returns ----------------------------------------------------------------------------


async def test_a_shopper_returns_items_of_a_delivered_order(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(name=f"Lamp {unique}", price=Decimal("30.00"), stock_quantity=5)
    placed = await delivered_order({lamp: 3}, shopper_viewer)
    headers = await bearer(shopper_viewer)

    offered = await options(api, placed.number, headers)
    assert (offered["can_request"], offered["refusal"]) == (True, "")
    assert offered["deadline"] is not None
    assert [r["code"] for r in offered["reasons"]] == list(RETURN_REASONS)
    assert offered["comment_max_length"] == 1000
    [line] = offered["lines"]
    assert (line["name"], line["delivered"], line["returnable"], line["exchange_choices"]) == (
        f"Lamp {unique}",
        3,
        3,
        [],
    )

    asked = await api.post(
        f"/orders/{placed.number}/returns",
        json={
            "lines": [{"line_id": line["line_id"], "quantity": 2}],
            "reason": "damaged",
            "comment": "The shade is cracked.",
        },
        headers=with_key(headers),
    )

    assert asked.status_code == 201, asked.text
    created = asked.json()
    assert asked.headers["location"] == (
        f"/api/v1/orders/{placed.number}/returns/{created['number']}"
    )
    assert (created["status"], created["reason"], created["reason_label"]) == (
        "requested",
        "damaged",
        RETURN_REASONS["damaged"],
    )
    assert created["items"] == [{"name": f"Lamp {unique}", "quantity": 2, "exchange_for": None}]
    assert (created["comment"], created["refund_amount"], created["exchange_order_number"]) == (
        "The shade is cracked.",
        None,
        None,
    )
    listed = (await api.get(f"/orders/{placed.number}/returns", headers=headers)).json()
    assert [(r["number"], r["status"]) for r in listed["returns"]] == [
        (created["number"], "requested")
    ]
    one = await api.get(f"/orders/{placed.number}/returns/{created['number']}", headers=headers)
    assert one.json() == created
    assert (await options(api, placed.number, headers))["lines"][0]["returnable"] == 1
    order = (await api.get(f"/orders/{placed.number}", headers=headers)).json()
    assert any(entry["axis"] == "return" for entry in order["timeline"])
    assert_problem(
        await api.get(f"/orders/{placed.number}/returns/RT-NONE-NONE", headers=headers), 404
    )


async def test_the_same_idempotency_key_asks_for_one_return(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    mug = await make_product(name=f"Mug {unique}")
    placed = await delivered_order({mug: 2}, shopper_viewer)
    headers = with_key(await bearer(shopper_viewer))
    found = await options(api, placed.number, headers)
    body = {"lines": [{"line_id": found["lines"][0]["line_id"], "quantity": 1}], "reason": "other"}

    first = await api.post(f"/orders/{placed.number}/returns", json=body, headers=headers)
    second = await api.post(f"/orders/{placed.number}/returns", json=body, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["number"] == second.json()["number"]
    assert await returns_of(placed.id) == 1


async def test_return_requests_are_refused_with_the_field_named_and_nothing_written(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(name=f"Lamp {unique}", stock_quantity=5)
    other = await make_product(name=f"Other {unique}")
    placed = await delivered_order({lamp: 2}, shopper_viewer)
    headers = await bearer(shopper_viewer)
    line = line_id(await options(api, placed.number, headers), f"Lamp {unique}")
    url = f"/orders/{placed.number}/returns"

    too_many = await api.post(
        url, json={"lines": [{"line_id": line, "quantity": 3}], "reason": "other"}, headers=headers
    )
    assert "Only 2" in assert_problem(too_many, 400)["errors"]["lines.0.quantity"]
    not_in_order = await api.post(
        url,
        json={"lines": [{"line_id": str(uuid.uuid4()), "quantity": 1}], "reason": "other"},
        headers=headers,
    )
    assert "lines.0.quantity" in assert_problem(not_in_order, 400)["errors"]
    not_a_swap = await api.post(
        url,
        json={
            "lines": [{"line_id": line, "quantity": 1, "exchange_variant_id": str(other)}],
            "reason": "does_not_fit",
        },
        headers=headers,
    )
    assert "lines.0.exchange_variant_id" in assert_problem(not_a_swap, 400)["errors"]
    bad_reason = await api.post(
        url, json={"lines": [{"line_id": line, "quantity": 1}], "reason": "bored"}, headers=headers
    )
    assert "reason" in assert_problem(bad_reason, 400)["errors"]
    twice = await api.post(
        url,
        json={
            "lines": [{"line_id": line, "quantity": 1}, {"line_id": line, "quantity": 1}],
            "reason": "other",
        },
        headers=headers,
    )
    assert "lines" in assert_problem(twice, 400)["errors"]
    nothing = await api.post(url, json={"lines": [], "reason": "other"}, headers=headers)
    assert "lines" in assert_problem(nothing, 400)["errors"]
    zero = await api.post(
        url, json={"lines": [{"line_id": line, "quantity": 0}], "reason": "other"}, headers=headers
    )
    assert "lines.0.quantity" in assert_problem(zero, 400)["errors"]
    long_note = await api.post(
        url,
        json={
            "lines": [{"line_id": line, "quantity": 1}],
            "reason": "other",
            "comment": "x" * 1001,
        },
        headers=headers,
    )
    assert "comment" in assert_problem(long_note, 400)["errors"]

    assert await returns_of(placed.id) == 0
    assert (await options(api, placed.number, headers))["lines"][0]["returnable"] == 2


async def test_an_order_not_yet_delivered_cannot_be_returned(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    jug = await make_product(name=f"Jug {unique}")
    placed = await paid_order({jug: 1}, shopper_viewer)
    headers = await bearer(shopper_viewer)

    found = await options(api, placed.number, headers)
    assert (found["can_request"], found["deadline"]) == (False, None)
    assert "delivered" in found["refusal"]
    refused = await api.post(
        f"/orders/{placed.number}/returns",
        json={
            "lines": [{"line_id": found["lines"][0]["line_id"], "quantity": 1}],
            "reason": "other",
        },
        headers=headers,
    )

    assert "delivered" in assert_problem(refused, 409)["detail"]
    assert await returns_of(placed.id) == 0
    listed = (await api.get(f"/orders/{placed.number}/returns", headers=headers)).json()
    assert (listed["returns"], listed["can_request"]) == ([], False)


async def test_somebody_elses_order_has_no_returns_for_you(
    api: httpx.AsyncClient,
    make_product: MakeProduct,
    shopper_viewer: Viewer,
    make_user: MakeUser,
    unique: str,
) -> None:
    lamp = await make_product(name=f"Lamp {unique}")
    placed = await delivered_order({lamp: 1}, shopper_viewer)
    line = line_id(
        await options(api, placed.number, await bearer(shopper_viewer)), f"Lamp {unique}"
    )
    theirs = await bearer(await signed_in(make_user))
    body = {"lines": [{"line_id": line, "quantity": 1}], "reason": "other"}

    assert_problem(await api.get(f"/orders/{placed.number}/returns", headers=theirs), 404)
    assert_problem(await api.get(f"/orders/{placed.number}/return-options", headers=theirs), 404)
    assert_problem(
        await api.post(f"/orders/{placed.number}/returns", json=body, headers=theirs), 404
    )
    assert_problem(await api.get("/orders/KG-NONE-NONE/returns", headers=theirs), 404)
    assert await returns_of(placed.id) == 0

    assert_problem(await api.get(f"/orders/{placed.number}/returns"), 401)
    assert_problem(await api.get(f"/orders/{placed.number}/return-options"), 401)
    assert_problem(await api.post(f"/orders/{placed.number}/returns", json=body), 401)


async def test_an_exchange_names_the_size_wanted_and_holds_its_stock(
    api: httpx.AsyncClient, make_product: MakeProduct, shopper_viewer: Viewer, unique: str
) -> None:
    jacket = await make_product(name=f"Swap Jacket {unique}")
    await variants.save_variants(
        jacket,
        {
            "options": [{"name": "Size", "values": ["M", "L"]}],
            "variants": [
                {
                    "sku": f"SW-{unique}-{size}",
                    "price": "80.00",
                    "option_values": [size],
                    "stock_quantity": 3,
                }
                for size in ("M", "L")
            ],
        },
        actor=await catalog_manager(),
    )
    sizes = {v.title: v.id for v in (await catalog_queries.get_product(jacket)).variants}
    placed = await delivered_order({sizes["M"]: 1}, shopper_viewer)
    headers = await bearer(shopper_viewer)

    [line] = (await options(api, placed.number, headers))["lines"]
    assert [(c["variant_id"], c["title"], c["price"]) for c in line["exchange_choices"]] == [
        (str(sizes["L"]), "L", "80.00")
    ]
    asked = await api.post(
        f"/orders/{placed.number}/returns",
        json={
            "lines": [
                {"line_id": line["line_id"], "quantity": 1, "exchange_variant_id": str(sizes["L"])}
            ],
            "reason": "does_not_fit",
        },
        headers=headers,
    )

    assert asked.status_code == 201, asked.text
    [item] = asked.json()["items"]
    assert item["exchange_for"] == f"Swap Jacket {unique} (L)"
    assert await stock_of(sizes["L"]) == 2  # held for the exchange
