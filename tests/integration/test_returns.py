"""Self-service returns: who may ask, when, for how many; staff decide, receive, refund;
every step e-mails the shopper once and shows on the order's timeline."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from backend.accounts.authentication import sign_in
from backend.accounts.permissions import DefaultGroup
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.catalog.models import Product
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.events.base import event_from_row
from backend.events.models import OutboxEvent
from backend.inventory.models import StockMovement
from backend.notifications.models import Notification
from backend.orders import fulfilment
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.orders.models import Order, OrderStatusChange
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.pricing import discounts
from backend.returns import deciding as return_decisions
from backend.returns import queries as return_queries
from backend.returns import receiving as return_receipts
from backend.returns import requesting as return_requests
from backend.returns.errors import InvalidReturnTransitionError, ReturnNotAllowedError
from backend.returns.models import ReturnRequest
from jobs.handlers import EVENT_HANDLERS
from tests.fixtures.accounts import PASSWORD, MakeUser, catalog_manager
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed


async def buy(
    viewer: Viewer, items: dict[uuid.UUID, int], *, deliver: bool = True, **details: object
) -> orders.PlacedOrder:
    """An order of this shopper's, paid, and (by default) shipped and delivered."""
    owner = cart_owners.user_owner(viewer.user_id)
    for product_id, quantity in items.items():
        await carts.add_item(owner, product_id, quantity)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=viewer.email, **details),
        checkout_key=uuid.uuid4().hex,
        user_id=viewer.user_id,
    )
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="pay",
    )
    if deliver:
        staff = await catalog_manager()
        await fulfilment.fulfil_order(placed.id, carrier="UPS", tracking_number="1Z", actor=staff)
        await fulfilment.mark_delivered(placed.id, actor=staff)
    return placed


async def line_ids(number: str, viewer: Viewer) -> dict[str, uuid.UUID]:
    """Order line id by product name."""
    found = await return_queries.returns_for_shopper(number, viewer=viewer)
    return {line.name: line.order_line_id for line in found.lines}


async def ask(
    placed: orders.PlacedOrder, viewer: Viewer | None, quantities: dict[uuid.UUID, int]
) -> str:
    return await return_requests.request_return(
        placed.id,
        viewer=viewer,
        quantities=quantities,
        reason="does_not_fit",
        comment="Too small.",
        request_key=uuid.uuid4().hex,
    )


async def return_id(number: str) -> uuid.UUID:
    async with session_scope() as session:
        return (
            await session.exec(select(ReturnRequest.id).where(ReturnRequest.number == number))
        ).one()


async def order_row(order_id: uuid.UUID) -> Order:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def stock_of(product_id: uuid.UUID) -> int:
    async with session_scope() as session:
        return (
            await session.exec(select(Product.stock_quantity).where(Product.id == product_id))
        ).one()


async def test_a_return_goes_from_request_to_refund_with_restock_and_timeline(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    lamp = await make_product(name=f"Lamp {unique}", price=Decimal("30.00"), stock_quantity=5)
    placed = await buy(shopper_viewer, {lamp: 3})  # 90.00, free shipping
    lines = await line_ids(placed.number, shopper_viewer)

    number = await ask(placed, shopper_viewer, {lines[f"Lamp {unique}"]: 2})
    rid = await return_id(number)
    await return_decisions.approve_return(rid, note="Use any carrier.", actor=admin_viewer)
    await return_receipts.receive_return(rid, restock=True, actor=admin_viewer)
    refunded = await return_receipts.refund_return(rid, amount=None, actor=admin_viewer)

    assert refunded == Decimal("60.00")  # 2 × 30.00; no discount, no tax, shipping was free
    order = await order_row(placed.id)
    assert (order.payment_status, order.refunded_amount) == ("partially_refunded", Decimal(60))
    assert await stock_of(lamp) == 4  # 5 − 3 sold + 2 back
    async with session_scope() as session:
        ledger = (
            await session.exec(
                select(StockMovement.change, StockMovement.reason).where(
                    StockMovement.order_id == placed.id, StockMovement.reason == "returned"
                )
            )
        ).all()
    assert ledger == [(2, "returned")]
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert [(r.number, r.status, r.refund_amount) for r in found.returns] == [
        (number, "refunded", Decimal("60.00"))
    ]
    assert found.lines[0].returnable == 1
    detail = await order_queries.get_order(placed.number)
    steps = [(e.axis, e.status) for e in detail.timeline if e.axis == "return"]
    assert steps == [
        ("return", "requested"),
        ("return", "approved"),
        ("return", "received"),
        ("return", "refunded"),
    ]
    assert any(f"(Return {number})" in e.note for e in detail.timeline if e.axis == "payment")


async def test_only_the_signed_in_owner_may_ask_and_others_learn_nothing(
    make_product: MakeProduct, shopper_viewer: Viewer, make_user: MakeUser
) -> None:
    kettle = await make_product(price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 1})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))
    other = await make_user()
    stranger = (await sign_in(email=other.email, password=PASSWORD)).viewer

    for viewer in (stranger, None):
        with pytest.raises(NotFoundError, match="no such order"):
            await ask(placed, viewer, {line: 1})
    with pytest.raises(NotFoundError):
        await return_queries.returns_for_shopper(placed.number, viewer=stranger)
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert found.returns == ()


async def test_only_a_delivered_order_can_be_returned(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    kettle = await make_product(price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 1}, deliver=False)  # paid, not shipped
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))

    with pytest.raises(ReturnNotAllowedError, match="not been delivered"):
        await ask(placed, shopper_viewer, {line: 1})
    await fulfilment.fulfil_order(
        placed.id, carrier="UPS", tracking_number="1Z", actor=await catalog_manager()
    )
    with pytest.raises(ReturnNotAllowedError, match="not been delivered"):
        await ask(placed, shopper_viewer, {line: 1})  # on its way is not delivered
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert not found.can_request
    assert "once the order has been delivered" in found.refusal


async def _delivered_days_ago(order_id: uuid.UUID, days: float) -> None:
    async with session_scope() as session:
        await session.exec(  # type: ignore[call-overload]
            text(
                "UPDATE order_status_history SET created_at = now() - make_interval(secs => :s) "
                "WHERE order_id = :order AND axis = 'order' AND to_status = 'delivered'"
            ),
            params={"s": days * 86400, "order": order_id},
        )


async def test_the_return_window_counts_from_delivery(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    kettle = await make_product(price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 2})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))

    await _delivered_days_ago(placed.id, 29.9)  # the default window is 30 days
    await ask(placed, shopper_viewer, {line: 1})
    await _delivered_days_ago(placed.id, 30.1)
    with pytest.raises(ReturnNotAllowedError, match="30-day return window"):
        await ask(placed, shopper_viewer, {line: 1})
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert "window of this order has passed" in found.refusal
    assert found.deadline is not None


async def test_quantities_never_exceed_what_was_delivered_across_requests(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    mug = await make_product(name=f"Mug {unique}", price=Decimal("8.00"))
    placed = await buy(shopper_viewer, {mug: 3})
    line = (await line_ids(placed.number, shopper_viewer))[f"Mug {unique}"]

    first = await ask(placed, shopper_viewer, {line: 2})
    with pytest.raises(InvalidInputError) as too_many:
        await ask(placed, shopper_viewer, {line: 2})
    message = f"Only 1 of Mug {unique} can still be returned."
    assert too_many.value.field_errors == {f"line-{line}": message}
    await ask(placed, shopper_viewer, {line: 1})
    with pytest.raises(InvalidInputError, match="correct"):
        await ask(placed, shopper_viewer, {line: 1})
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert "already in a return" in found.refusal

    # A rejected request gives its quantities back.
    await return_decisions.reject_return(await return_id(first), reason="Worn.", actor=admin_viewer)
    third = await ask(placed, shopper_viewer, {line: 2})

    # Two requests at once for the same two units: the order's lock lets one through.
    await return_decisions.reject_return(
        await return_id(third), reason="Try again.", actor=admin_viewer
    )
    outcomes = await asyncio.gather(
        ask(placed, shopper_viewer, {line: 2}),
        ask(placed, shopper_viewer, {line: 2}),
        return_exceptions=True,
    )
    assert sum(isinstance(o, str) for o in outcomes) == 1
    assert sum(isinstance(o, InvalidInputError) for o in outcomes) == 1
    async with session_scope() as session:
        counted = (
            await session.exec(  # type: ignore[call-overload]
                text(
                    "SELECT sum(l.quantity) FROM return_lines l JOIN return_requests r "
                    "ON r.id = l.return_id WHERE r.order_id = :o AND r.status <> 'rejected'"
                ),
                params={"o": placed.id},
            )
        ).scalar_one()
    assert counted == 3


async def test_bad_requests_are_explained_and_write_nothing(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    kettle = await make_product(price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 1})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))

    with pytest.raises(InvalidInputError) as nothing:
        await ask(placed, shopper_viewer, {line: 0})
    assert "lines" in nothing.value.field_errors
    with pytest.raises(InvalidInputError) as bad:
        await return_requests.request_return(
            placed.id,
            viewer=shopper_viewer,
            quantities={line: -1, uuid.uuid4(): 1},
            reason="because",
            comment="<script>alert(1)</script>" * 100,
            request_key="k",
        )
    assert set(bad.value.field_errors) >= {f"line-{line}", "reason", "comment"}
    with pytest.raises(InvalidInputError) as foreign:
        await ask(placed, shopper_viewer, {uuid.uuid4(): 1})
    assert "not part of the order" in next(iter(foreign.value.field_errors.values()))
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert found.returns == ()


async def test_the_same_form_submitted_twice_makes_one_request(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    kettle = await make_product(price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 2})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))

    numbers = {
        await return_requests.request_return(
            placed.id,
            viewer=shopper_viewer,
            quantities={line: 1},
            reason="damaged",
            request_key="one-submission",
        )
        for _ in range(2)
    }

    assert len(numbers) == 1
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert len(found.returns) == 1


async def test_the_refund_covers_the_goods_share_of_discount_and_tax(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("40.00"))
    mug = await make_product(name=f"Mug {unique}", price=Decimal("10.00"))
    code = f"RET{unique}".upper()
    await discounts.create_discount_code(
        code, kind="percent", value=Decimal(10), actor=admin_viewer
    )
    # 70.00 − 7.00 discount + 4.95 shipping + 20 % GB tax of 67.95 (13.59) = 81.54
    placed = await buy(shopper_viewer, {kettle: 1, mug: 3}, discount_code=code, country="GB")
    assert placed.total == Decimal("81.54")
    lines = await line_ids(placed.number, shopper_viewer)
    number = await ask(placed, shopper_viewer, {lines[f"Mug {unique}"]: 2})
    rid = await return_id(number)

    found = await return_queries.returns_for_staff(placed.number, actor=admin_viewer)
    # 20.00 of goods − 2.00 (their share of the discount) + 20 % tax on 18.00
    assert found.returns[0].suggested_refund == Decimal("21.60")
    await return_decisions.approve_return(rid, actor=admin_viewer)
    await return_receipts.receive_return(rid, restock=False, actor=admin_viewer)
    assert await return_receipts.refund_return(rid, amount=None, actor=admin_viewer) == Decimal(
        "21.60"
    )


async def test_a_refund_never_exceeds_what_is_left_of_the_payment(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer
) -> None:
    kettle = await make_product(price=Decimal("40.00"), stock_quantity=3)
    placed = await buy(shopper_viewer, {kettle: 1})  # 40.00 + 4.95 shipping
    await payment_refunds.refund_order(
        placed.id, amount=Decimal("30.00"), request_key="goodwill", actor="staff"
    )
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))
    rid = await return_id(await ask(placed, shopper_viewer, {line: 1}))
    await return_decisions.approve_return(rid, actor=admin_viewer)
    await return_receipts.receive_return(rid, restock=False, actor=admin_viewer)

    found = await return_queries.returns_for_staff(placed.number, actor=admin_viewer)
    assert found.returns[0].suggested_refund == Decimal("14.95")  # not the goods' 40.00
    for too_much in (Decimal("40.00"), Decimal("14.96"), Decimal(0), Decimal("-1")):
        with pytest.raises(InvalidInputError) as refused:
            await return_receipts.refund_return(rid, amount=too_much, actor=admin_viewer)
        assert refused.value.field_errors == {"amount": "At most $14.95."}
    assert await return_receipts.refund_return(rid, amount=None, actor=admin_viewer) == Decimal(
        "14.95"
    )

    order = await order_row(placed.id)
    assert (order.refunded_amount, order.total, order.payment_status) == (
        Decimal("44.95"),
        Decimal("44.95"),
        "refunded",
    )
    assert await stock_of(kettle) == 2  # not restocked: no ledger entry either
    async with session_scope() as session:
        restocks = (
            await session.exec(
                select(StockMovement).where(
                    StockMovement.order_id == placed.id, StockMovement.reason == "returned"
                )
            )
        ).all()
    assert restocks == []


async def test_steps_out_of_order_are_refused_and_change_nothing(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer
) -> None:
    kettle = await make_product(price=Decimal("25.00"), stock_quantity=5)
    placed = await buy(shopper_viewer, {kettle: 2})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))
    rid = await return_id(await ask(placed, shopper_viewer, {line: 1}))

    with pytest.raises(InvalidReturnTransitionError, match="cannot become received"):
        await return_receipts.receive_return(rid, restock=True, actor=admin_viewer)
    with pytest.raises(InvalidReturnTransitionError, match="cannot become refunded"):
        await return_receipts.refund_return(rid, amount=None, actor=admin_viewer)
    await return_decisions.approve_return(rid, actor=admin_viewer)
    with pytest.raises(InvalidReturnTransitionError, match="cannot become rejected"):
        await return_decisions.reject_return(rid, reason="Too late.", actor=admin_viewer)
    with pytest.raises(InvalidReturnTransitionError):
        await return_decisions.approve_return(rid, actor=admin_viewer)
    await return_receipts.receive_return(rid, restock=True, actor=admin_viewer)
    with pytest.raises(InvalidReturnTransitionError):
        await return_receipts.receive_return(
            rid, restock=True, actor=admin_viewer
        )  # no second restock
    await return_receipts.refund_return(rid, amount=None, actor=admin_viewer)
    with pytest.raises(InvalidReturnTransitionError):
        await return_receipts.refund_return(rid, amount=None, actor=admin_viewer)

    order = await order_row(placed.id)
    assert order.refunded_amount == Decimal("25.00")
    assert await stock_of(kettle) == 4  # 5 − 2 + 1, once

    other = await return_id(await ask(placed, shopper_viewer, {line: 1}))
    with pytest.raises(InvalidInputError, match="why"):
        await return_decisions.reject_return(other, reason="  ", actor=admin_viewer)
    await return_decisions.reject_return(other, reason="Outside our policy.", actor=admin_viewer)
    with pytest.raises(InvalidReturnTransitionError):
        await return_decisions.approve_return(other, actor=admin_viewer)


async def test_only_admins_decide_on_returns(
    make_product: MakeProduct, shopper_viewer: Viewer, make_user: MakeUser
) -> None:
    kettle = await make_product(price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 1})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))
    rid = await return_id(await ask(placed, shopper_viewer, {line: 1}))
    moderator_login = await make_user(roles=frozenset({DefaultGroup.MODERATORS}))
    moderator = (await sign_in(email=moderator_login.email, password=PASSWORD)).viewer

    for who in (shopper_viewer, moderator):
        for attempt in (
            return_decisions.approve_return(rid, actor=who),
            return_decisions.reject_return(rid, reason="No.", actor=who),
            return_receipts.receive_return(rid, restock=True, actor=who),
            return_receipts.refund_return(rid, amount=None, actor=who),
            return_queries.list_returns(who),
            return_queries.returns_for_staff(placed.number, actor=who),
        ):
            with pytest.raises(PermissionDeniedError):
                await attempt
    found = await return_queries.returns_for_shopper(placed.number, viewer=shopper_viewer)
    assert found.returns[0].status == "requested"


async def _run_email_handlers(order_id: uuid.UUID) -> None:
    """Every e-mail handler of the order's events, as the worker would run them."""
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(OutboxEvent)
                .where(OutboxEvent.aggregate_id == str(order_id))
                .order_by(col(OutboxEvent.occurred_at))
            )
        ).all()
    for row in rows:
        event = event_from_row(
            event_type=row.event_type,
            event_id=row.id,
            occurred_at=row.occurred_at,
            aggregate_id=row.aggregate_id,
            payload=row.payload,
        )
        for handler in EVENT_HANDLERS[type(event)]:
            if handler.__name__.startswith("send_"):
                await handler(event)


async def test_every_step_emails_the_shopper_once_even_when_handlers_run_again(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    vase = await make_product(name=f"Vase {unique}", price=Decimal("50.00"))
    placed = await buy(shopper_viewer, {vase: 2})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))
    kept = await return_id(await ask(placed, shopper_viewer, {line: 1}))
    refused = await return_id(await ask(placed, shopper_viewer, {line: 1}))
    await return_decisions.reject_return(refused, reason="Bought in a sale.", actor=admin_viewer)
    await return_decisions.approve_return(kept, actor=admin_viewer)
    await return_receipts.receive_return(kept, restock=True, actor=admin_viewer)
    await return_receipts.refund_return(kept, amount=None, actor=admin_viewer)

    await _run_email_handlers(placed.id)
    await _run_email_handlers(placed.id)  # at-least-once delivery: a rerun sends nothing

    async with session_scope() as session:
        sent = (
            await session.exec(
                select(Notification.template, Notification.subject, Notification.body_text)
                .where(Notification.recipient == shopper_viewer.email)
                .order_by(col(Notification.created_at))
            )
        ).all()
    templates = [template for template, _, _ in sent]
    for step in ("return_requested", "return_approved", "return_rejected", "return_received"):
        assert templates.count(step) == (2 if step == "return_requested" else 1), step
    assert templates.count("refund_issued") == 1
    refund_mail = next(body for template, _, body in sent if template == "refund_issued")
    assert "$50.00" in refund_mail
    assert "Return RT-" in refund_mail
    rejection = next(body for template, _, body in sent if template == "return_rejected")
    assert "Why: Bought in a sale." in rejection


async def test_the_staff_list_shows_returns_by_status(
    make_product: MakeProduct, shopper_viewer: Viewer, admin_viewer: Viewer, unique: str
) -> None:
    kettle = await make_product(name=f"Kettle {unique}", price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 3})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))
    number = await ask(placed, shopper_viewer, {line: 3})

    waiting = await return_queries.list_returns(admin_viewer, status="requested", limit=100)
    row = next(r for r in waiting.items if r.number == number)
    assert (row.order_number, row.item_count, row.reason) == (placed.number, 3, "Does not fit")
    await return_decisions.approve_return(await return_id(number), actor=admin_viewer)
    waiting = await return_queries.list_returns(admin_viewer, status="requested", limit=100)
    assert number not in {r.number for r in waiting.items}


async def test_the_database_refuses_a_return_line_of_nothing(
    make_product: MakeProduct, shopper_viewer: Viewer
) -> None:
    kettle = await make_product(price=Decimal("25.00"))
    placed = await buy(shopper_viewer, {kettle: 1})
    line = next(iter((await line_ids(placed.number, shopper_viewer)).values()))
    rid = await return_id(await ask(placed, shopper_viewer, {line: 1}))

    with pytest.raises(Exception, match="return_lines_quantity_positive_check"):
        async with session_scope() as session:
            await session.exec(  # type: ignore[call-overload]
                text("UPDATE return_lines SET quantity = 0 WHERE return_id = :r"),
                params={"r": rid},
            )
    async with session_scope() as session:
        history = (
            await session.exec(
                select(OrderStatusChange.axis).where(OrderStatusChange.order_id == placed.id)
            )
        ).all()
    assert "return" in history
