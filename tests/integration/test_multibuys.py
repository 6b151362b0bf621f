"""Multi-buys and promotions that add up, from the merchant's form to the order: "buy 2,
get the cheapest free" and "3 for $50" in the cart and at checkout (the order keeps what
each line got, and every promotion's amount in `order_promotions`), a code on what is
left, items on sale left out unless both promotions add up, the admin's preview, and the
form's refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.cart.owners import guest_owner, new_guest_token
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.merchandising import promotion_services
from backend.orders.models import Order, OrderLine, OrderPromotion
from backend.orders.queries import preview_checkout
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, checkout_details
from tests.integration.test_order_promotions import _code
from tests.integration.test_promotions import _no_promotions_left, _promote

__all__ = ["_no_promotions_left"]  # autouse: promotions apply shop-wide


async def _placed(order_id: uuid.UUID) -> tuple[Order, list[OrderLine], list[OrderPromotion]]:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
        lines = (
            await session.exec(
                select(OrderLine)
                .where(col(OrderLine.order_id) == order_id)
                .order_by(col(OrderLine.position))
            )
        ).all()
        applied = (
            await session.exec(
                select(OrderPromotion).where(col(OrderPromotion.order_id) == order_id)
            )
        ).all()
    assert order is not None
    return order, list(lines), list(applied)


def _on(category: uuid.UUID) -> dict[str, object]:
    return {"target": "category", "category_id": str(category)}


async def test_buy_two_get_the_cheapest_free_in_the_cart_and_on_the_order(
    make_product: MakeProduct, category: uuid.UUID, place_order: PlaceOrder
) -> None:
    dear = await make_product(price=Decimal("30.00"))
    cheap = await make_product(price=Decimal("12.00"))
    offer = await _promote(
        title="Buy 2, get 1 free",
        applies_to="multibuy",
        value="100",
        buy_quantity=2,
        discounted_quantity=1,
        **_on(category),
    )
    owner = guest_owner(new_guest_token())
    assert owner is not None
    await carts.add_item(owner, dear, 1)
    await carts.add_item(owner, cheap, 1)
    cart = await cart_queries.get_cart(owner)
    by_price = {line.unit_price: line for line in cart.lines}
    assert by_price[Decimal("12.00")].multibuy_off == Decimal("12.00")  # the cheapest, free
    assert by_price[Decimal("12.00")].multibuy_title == "Buy 2, get 1 free"
    assert by_price[Decimal("30.00")].multibuy_off == Decimal("0.00")
    assert cart.goods_subtotal == Decimal("30.00")

    placed = await place_order({dear: 1, cheap: 1})
    order, lines, applied = await _placed(placed.id)
    assert (order.subtotal, order.discount) == (Decimal("42.00"), Decimal("12.00"))
    assert order.multibuy_discount == Decimal("12.00")
    assert order.total == Decimal("30.00") + order.shipping + order.tax
    assert sorted((line.unit_price, line.multibuy_discount) for line in lines) == [
        (Decimal("12.00"), Decimal("12.00")),
        (Decimal("30.00"), Decimal("0.00")),
    ]
    assert [(a.promotion_id, a.applies_to, a.amount) for a in applied] == [
        (offer, "multibuy", Decimal("12.00"))
    ]

    # Alone, the cheaper item makes no group: full price.
    alone, _, nothing = await _placed((await place_order({cheap: 1})).id)
    assert (alone.discount, nothing) == (Decimal("0.00"), [])


async def test_three_for_fifty_with_a_code_on_what_is_left(
    make_product: MakeProduct, category: uuid.UUID, place_order: PlaceOrder
) -> None:
    mug = await make_product(price=Decimal("20.00"), stock_quantity=10)
    await _promote(title="3 for $50", applies_to="multibuy", kind="bundle", value="50",
                   buy_quantity=3, **_on(category))  # fmt: skip
    code = await _code("percent", "10")

    order, lines, _ = await _placed((await place_order({mug: 4}, discount_code=code)).id)
    # 80.00: three for 50 (10.00 off), the fourth at 20.00; 10 % of the 70.00 left.
    assert (order.subtotal, order.multibuy_discount) == (Decimal("80.00"), Decimal("10.00"))
    assert order.discount == Decimal("17.00")
    assert lines[0].multibuy_title == "3 for $50"


async def test_items_on_sale_join_a_multi_buy_only_when_both_add_up(
    make_product: MakeProduct, category: uuid.UUID, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("10.00"), stock_quantity=10)
    sale = await _promote(title="10 % off", value="10", **_on(category))
    multibuy = await _promote(title="Pair for $15", applies_to="multibuy", kind="bundle",
                              value="15", buy_quantity=2, **_on(category))  # fmt: skip

    order, lines, _ = await _placed((await place_order({product: 2})).id)
    assert (lines[0].unit_price, lines[0].multibuy_discount) == (Decimal("9.00"), Decimal(0))
    assert order.discount == Decimal("0.00")  # the sale alone: the multi-buy leaves it out

    admin = await catalog_manager()
    for promotion_id, title, fields in (
        (sale, "10 % off", {"value": "10"}),
        (
            multibuy,
            "Pair for $15",
            {"applies_to": "multibuy", "kind": "bundle", "value": "15", "buy_quantity": 2},
        ),
    ):
        data = {"title": title, "kind": "percent", "stacks": True, **_on(category), **fields}
        await promotion_services.save_promotion(promotion_id, data, actor=admin)
    order, lines, applied = await _placed((await place_order({product: 2})).id)
    assert (lines[0].unit_price, lines[0].multibuy_discount) == (Decimal("9.00"), Decimal(3))
    assert order.total == Decimal("15.00") + order.shipping + order.tax
    assert sorted((a.applies_to, a.amount) for a in applied) == [
        ("items", Decimal("2.00")),
        ("multibuy", Decimal("3.00")),
    ]


async def test_sales_that_add_up_are_each_kept_with_their_part(
    make_product: MakeProduct, category: uuid.UUID, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("100.00"))
    summer = await _promote(title="Summer", value="20", stacks=True)
    extra = await _promote(title="Extra", value="10", stacks=True, **_on(category))

    order, lines, applied = await _placed((await place_order({product: 1})).id)
    assert lines[0].unit_price == Decimal("70.00")
    assert lines[0].list_price == Decimal("100.00")
    assert lines[0].promotion_title in ("Summer + Extra", "Extra + Summer")
    assert {(a.promotion_id, a.amount) for a in applied} == {
        (summer, Decimal("20.00")),
        (extra, Decimal("10.00")),
    }
    assert order.subtotal == Decimal("70.00")


async def test_checkout_review_names_the_multi_buy_and_prices_as_the_order(
    make_product: MakeProduct, category: uuid.UUID
) -> None:
    product = await make_product(price=Decimal("8.00"))
    await _promote(title="Buy 3, save $6", applies_to="multibuy", kind="fixed", value="6",
                   buy_quantity=3, **_on(category))  # fmt: skip
    owner = guest_owner(new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product, 3)

    preview = await preview_checkout(owner, checkout_details(), asker="192.0.2.7")
    assert preview.cart.multibuy_titles == ("Buy 3, save $6",)
    assert preview.totals.multibuy_discount == Decimal("6.00")
    assert preview.totals.subtotal == Decimal("24.00")
    assert preview.totals.total == Decimal("18.00") + preview.totals.shipping + preview.totals.tax


async def test_the_admin_preview_applies_multi_buys_and_the_order_promotion(
    make_product: MakeProduct, category: uuid.UUID, unique: str
) -> None:
    await make_product(sku=f"MB-{unique}", price=Decimal("40.00"))
    later = datetime.now(UTC) + timedelta(days=2)
    window = {"starts_at": later.isoformat(), "ends_at": (later + timedelta(days=1)).isoformat()}
    await _promote(title="2 for $60", applies_to="multibuy", kind="bundle", value="60",
                   buy_quantity=2, **_on(category), **window)  # fmt: skip
    await _promote(title="5 % off orders", applies_to="order", value="5", **window)
    await _promote(title="Free shipping", applies_to="shipping", value="100", min_subtotal="50",
                   **window)  # fmt: skip

    preview = await promotion_services.preview_cart(
        [(f"MB-{unique}", 2)], later + timedelta(hours=1), actor=await catalog_manager()
    )
    assert [(line.multibuy_title, line.multibuy_off) for line in preview.lines] == [
        ("2 for $60", Decimal("20.00"))
    ]
    assert preview.goods == Decimal("60.00")
    assert (preview.order_promotion, preview.order_promotion_off) == (
        "5 % off orders",
        Decimal("3.00"),
    )
    assert preview.subtotal == Decimal("57.00")
    assert preview.shipping_promotions == ("Free shipping",)

    today = await promotion_services.preview_cart(
        [(f"MB-{unique}", 2)], datetime.now(UTC), actor=await catalog_manager()
    )
    assert (today.goods, today.order_promotion) == (Decimal("80.00"), "")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"applies_to": "multibuy", "value": "100"}, "how many items make a group"),
        ({"applies_to": "multibuy", "value": "100", "buy_quantity": 2}, "how many items of each"),
        (
            {"applies_to": "multibuy", "value": "100", "buy_quantity": 2, "discounted_quantity": 3},
            "At most every item",
        ),
        ({"kind": "bundle", "value": "50"}, "A price for a group is for multi-buys"),
        ({"value": "10", "buy_quantity": 2}, "Quantities to buy are for multi-buys"),
        ({"applies_to": "order", "value": "10", "stacks": True}, "only item promotions add up"),
        ({"applies_to": "multibuy", "value": "100", "buy_quantity": 1}, "buy_quantity"),
    ],
)
async def test_a_multi_buy_that_makes_no_sense_is_refused_with_why(
    fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        await _promote(**fields)
    said = refused.value.message + " ".join(refused.value.field_errors.values())
    assert message in said or message in refused.value.field_errors
