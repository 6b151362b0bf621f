"""Editing an order before it ships: staff change quantities, remove lines, add variants
or change the address; stock follows through inventory, and the difference is settled:
a payment link when a paid order's total rises, the money back through the gateway when
it falls."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest
from sqlmodel import col, select

import backend.event_registry  # noqa: F401  (event types, for event_from_row)
from api.app import build_http_app
from backend.accounts import authentication, tokens
from backend.accounts.permissions import DefaultGroup
from backend.accounts.schemas import Viewer
from backend.audit.models import AuditEntry
from backend.catalog.models import ProductVariant
from backend.catalog.variant_queries import variant_for_product
from backend.checkout import cancellation
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.events.base import event_from_row
from backend.events.models import OutboxEvent
from backend.inventory.services import OutOfStockError
from backend.invoices import services as invoices
from backend.invoices.queries import documents_of_order
from backend.notifications.models import Notification
from backend.order_edits import services as order_edits
from backend.order_edits.services import EditRequest
from backend.orders import fulfilment
from backend.orders.editing import EditRefusedError
from backend.orders.errors import InvalidTransitionError
from backend.orders.events import OrderEdited
from backend.orders.models import Order, OrderLine, OrderStatusChange
from backend.payments import refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.payments.events import PaymentLinkRequested, PaymentRefunded
from backend.payments.models import PaymentTransaction
from jobs.event_handlers.order_emails import send_order_edited
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, checkout_details, tab_that_placed
from tests.integration.test_invoices import pdf_text


async def stock_of(variant_id: uuid.UUID) -> int:
    async with session_scope() as session:
        variant = await session.get(ProductVariant, variant_id)
    assert variant is not None
    return variant.stock_quantity


async def order_row(order_id: uuid.UUID) -> Order:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def lines_of(order_id: uuid.UUID) -> dict[str, OrderLine]:
    async with session_scope() as session:
        rows = (await session.exec(select(OrderLine).where(OrderLine.order_id == order_id))).all()
    return {line.sku: line for line in rows}


async def transactions(order_id: uuid.UUID, kind: str) -> list[PaymentTransaction]:
    async with session_scope() as session:
        return list(
            (
                await session.exec(
                    select(PaymentTransaction)
                    .where(PaymentTransaction.order_id == order_id, PaymentTransaction.kind == kind)
                    .order_by(col(PaymentTransaction.created_at))
                )
            ).all()
        )


async def events_of(order_id: uuid.UUID, event_type: str) -> list[object]:
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(OutboxEvent)
                .where(
                    OutboxEvent.aggregate_id == str(order_id), OutboxEvent.event_type == event_type
                )
                .order_by(col(OutboxEvent.occurred_at))
            )
        ).all()
    return [
        event_from_row(
            event_type=row.event_type,
            event_id=row.id,
            occurred_at=row.occurred_at,
            aggregate_id=row.aggregate_id,
            payload=row.payload,
        )
        for row in rows
    ]


async def pay(order_id: uuid.UUID) -> None:
    outcome = await payments.pay_order(
        order_id,
        shopper=tab_that_placed(order_id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    assert outcome.status == "succeeded"


@pytest.fixture
async def lamp(make_product: MakeProduct) -> uuid.UUID:
    return await make_product(price=Decimal("40.00"), stock_quantity=5)


@pytest.fixture
async def mug(make_product: MakeProduct) -> uuid.UUID:
    return await make_product(price=Decimal("12.00"), stock_quantity=5)


async def test_one_more_on_a_paid_order_is_owed_by_a_payment_link_then_refunds_span_both_payments(
    place_order: PlaceOrder, admin_viewer: Viewer, lamp: uuid.UUID
) -> None:
    placed = await place_order({lamp: 1})
    await pay(placed.id)
    invoice = await invoices.issue_invoice(placed.number)  # as the worker does on payment
    line = (await lines_of(placed.id)).popitem()[1]
    variant = await variant_for_product(lamp)
    assert await stock_of(variant) == 4

    preview = await order_edits.preview_edit(
        placed.id, EditRequest({str(line.id): 3}, {}), by=admin_viewer
    )
    assert preview.total > placed.total
    assert (await order_row(placed.id)).total == placed.total  # a preview writes nothing
    outcome = await order_edits.edit_order(
        placed.id, EditRequest({str(line.id): 3}, {}), by=admin_viewer
    )

    order = await order_row(placed.id)
    assert outcome.quote.said == [f"{line.display_name}: 1 → 3"]
    assert order.total == preview.total
    assert (await lines_of(placed.id))[line.sku].line_total == Decimal("120.00")
    assert await stock_of(variant) == 2
    assert (order.status, order.payment_status) == ("paid", "partially_paid")
    assert order.amount_paid == placed.total
    assert order.amount_due == order.total - placed.total > Decimal("80.00") - Decimal("0.01")
    assert outcome.payment_link_sent
    (link,) = await events_of(placed.id, "PaymentLinkRequested")
    assert isinstance(link, PaymentLinkRequested)
    assert link.amount == order.amount_due
    (edited,) = await events_of(placed.id, "OrderEdited")
    assert isinstance(edited, OrderEdited)
    assert (edited.old_total, edited.total, edited.to_pay) == (
        placed.total,
        order.total,
        order.amount_due,
    )
    await send_order_edited(edited)  # the customer's e-mail, as the worker sends it
    async with session_scope() as session:
        message = (
            await session.exec(
                select(Notification).where(
                    Notification.recipient == order.email,
                    Notification.template == "order_edited",
                    col(Notification.subject).contains(order.number),
                )
            )
        ).one()
    assert f"{line.display_name}: 1 → 3" in message.body_text
    assert "is left to pay: a separate e-mail brings a link to pay it" in message.body_text
    async with session_scope() as session:
        step = (
            await session.exec(
                select(OrderStatusChange).where(
                    OrderStatusChange.order_id == placed.id, OrderStatusChange.axis == "edit"
                )
            )
        ).one()
        audit = (
            await session.exec(
                select(AuditEntry).where(
                    AuditEntry.entity_id == order.number, AuditEntry.action == "order.edited"
                )
            )
        ).one()
    assert f"{line.display_name}: 1 → 3" in step.note
    assert audit.after["payment_status"] == "partially_paid"
    with pytest.raises(InvalidTransitionError, match="partially paid"):  # paid in full first
        await fulfilment.fulfil_order(
            placed.id, carrier="UPS", tracking_number="1Z", actor=admin_viewer
        )

    await pay(placed.id)  # the customer pays the difference
    order = await order_row(placed.id)
    assert (order.payment_status, order.amount_paid, order.amount_due) == (
        "paid",
        order.total,
        Decimal("0.00"),
    )
    first, second = await transactions(placed.id, "payment")
    assert (first.amount, second.amount) == (placed.total, order.total - placed.total)
    # The difference paid is invoiced too, once, adding to the first invoice.
    supplement = await invoices.issue_invoice(placed.number)
    assert (supplement.kind, supplement.total, supplement.corrects) == (
        "invoice",
        second.amount,
        invoice.number,
    )
    assert supplement.sequence == invoice.sequence + 1 or supplement.year != invoice.year
    assert (await invoices.issue_invoice(placed.number)).number == invoice.number
    printed = pdf_text(supplement)
    assert f"Adds to invoice {invoice.number}." in printed
    assert f"Order {placed.number} changed: the difference" in printed
    assert [d.total for d in await documents_of_order(placed.id)] == [invoice.total, second.amount]

    refunded = await refunds.refund_order(
        placed.id, amount=None, request_key="all", actor="test", by=admin_viewer
    )
    assert refunded == order.total
    back = await transactions(placed.id, "refund")
    assert sorted((t.parent_id, t.amount) for t in back) == sorted(
        [(second.id, second.amount), (first.id, first.amount)]
    )
    order = await order_row(placed.id)
    assert (order.payment_status, order.refunded_amount) == ("refunded", order.total)
    again = await refunds.refund_order(
        placed.id, amount=None, request_key="all", actor="test", by=admin_viewer
    )
    assert again == refunded
    assert len(await transactions(placed.id, "refund")) == 2


async def test_a_line_taken_off_a_paid_order_goes_back_to_stock_and_its_price_to_the_card(
    place_order: PlaceOrder, admin_viewer: Viewer, lamp: uuid.UUID, mug: uuid.UUID
) -> None:
    placed = await place_order({lamp: 1, mug: 2})
    await pay(placed.id)
    mug_variant = await variant_for_product(mug)
    mug_line = next(
        line for line in (await lines_of(placed.id)).values() if line.variant_id == mug_variant
    )
    assert await stock_of(mug_variant) == 3

    outcome = await order_edits.edit_order(
        placed.id, EditRequest({str(mug_line.id): 0}, {}), by=admin_viewer
    )

    order = await order_row(placed.id)
    assert outcome.refund_failure is None
    assert outcome.given_back == placed.total - order.total > Decimal("24.00") - Decimal("0.01")
    assert await stock_of(mug_variant) == 5
    assert mug_line.sku not in await lines_of(placed.id)
    # Still paid in full: less money is kept, and nothing counts as a refund of the order.
    assert (order.payment_status, order.amount_paid, order.refunded_amount) == (
        "paid",
        order.total,
        Decimal("0.00"),
    )
    (back,) = await transactions(placed.id, "refund")
    assert (back.status, back.amount) == ("succeeded", outcome.given_back)
    (refund_event,) = await events_of(placed.id, "PaymentRefunded")
    assert isinstance(refund_event, PaymentRefunded)
    assert (refund_event.amount, refund_event.reason) == (outcome.given_back, "Order changed")
    # What is left to refund is what the order now costs.
    assert (
        await refunds.refund_order(
            placed.id, amount=None, request_key="rest", actor="test", by=admin_viewer
        )
        == order.total
    )


async def test_an_unpaid_order_owes_its_new_total_and_an_added_variant_is_priced_now(
    place_order: PlaceOrder, admin_viewer: Viewer, lamp: uuid.UUID, mug: uuid.UUID
) -> None:
    placed = await place_order({lamp: 1})
    mug_variant = await variant_for_product(mug)
    moved = checkout_details(full_name="Ada Buyer", line1="9 New Lane", city="Shelbyville")

    outcome = await order_edits.edit_order(
        placed.id,
        EditRequest(
            {}, {str(mug_variant): 2}, moved.model_dump(include=set(order_edits.SHIPPING_FIELDS))
        ),
        by=admin_viewer,
    )

    order = await order_row(placed.id)
    added = next(
        line for line in (await lines_of(placed.id)).values() if line.variant_id == mug_variant
    )
    assert (added.unit_price, added.quantity) == (Decimal("12.00"), 2)
    assert await stock_of(mug_variant) == 3
    assert (order.status, order.payment_status) == ("pending_payment", "unpaid")
    assert order.amount_due == order.total == outcome.quote.total
    assert order.shipping_address["line1"] == "9 New Lane"
    assert "Ships to Ada Buyer, 9 New Lane, Shelbyville, 12345, US" in outcome.quote.said
    assert not outcome.payment_link_sent  # the order's own payment covers it
    await pay(placed.id)
    assert (await transactions(placed.id, "payment"))[0].amount == order.total


async def test_edits_that_cannot_be_made_change_nothing(
    place_order: PlaceOrder,
    admin_viewer: Viewer,
    make_user: MakeUser,
    lamp: uuid.UUID,
    mug: uuid.UUID,
) -> None:
    packer_login = await make_user(roles=frozenset({DefaultGroup.FULFILMENT}))
    packer_viewer = (
        await authentication.sign_in(email=packer_login.email, password=packer_login.password)
    ).viewer
    placed = await place_order({lamp: 1})
    await pay(placed.id)
    line = (await lines_of(placed.id)).popitem()[1]
    lamp_variant = await variant_for_product(lamp)

    with pytest.raises(OutOfStockError):  # 4 left, 5 more asked for
        await order_edits.edit_order(placed.id, EditRequest({str(line.id): 6}, {}), by=admin_viewer)
    with pytest.raises(EditRefusedError):
        await order_edits.edit_order(placed.id, EditRequest({str(line.id): 0}, {}), by=admin_viewer)
    with pytest.raises(InvalidInputError):
        await order_edits.edit_order(
            placed.id, EditRequest({str(line.id): 1000}, {}), by=admin_viewer
        )
    with pytest.raises(PermissionDeniedError):  # a packer ships orders, does not edit them
        await order_edits.edit_order(
            placed.id, EditRequest({str(line.id): 2}, {}), by=packer_viewer
        )
    order = await order_row(placed.id)
    assert (order.total, order.payment_status, await stock_of(lamp_variant)) == (
        placed.total,
        "paid",
        4,
    )
    assert (await lines_of(placed.id))[line.sku].quantity == 1

    await fulfilment.fulfil_order(
        placed.id, carrier="UPS", tracking_number="1Z", actor=admin_viewer
    )
    with pytest.raises(EditRefusedError, match="has not shipped"):
        await order_edits.edit_order(
            placed.id, EditRequest({}, {str(await variant_for_product(mug)): 1}), by=admin_viewer
        )


async def test_the_api_edits_an_order_for_order_editors_only(
    place_order: PlaceOrder, admin_viewer: Viewer, make_user: MakeUser, lamp: uuid.UUID
) -> None:
    placed = await place_order({lamp: 2})
    await pay(placed.id)
    login = await make_user(roles=frozenset({DefaultGroup.FULFILMENT}))
    packer = (await authentication.sign_in(email=login.email, password=login.password)).viewer
    desk = {
        "Authorization": f"Bearer {(await tokens.issue_tokens(admin_viewer.user_id)).access_token}"
    }
    packing = {
        "Authorization": f"Bearer {(await tokens.issue_tokens(packer.user_id)).access_token}"
    }
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:3100/api/v1"
    ) as api:
        shown = await api.get(f"/orders/{placed.number}", headers=desk)
        (line,) = shown.json()["lines"]
        body = {"quantities": {line["id"]: 1}}
        assert (await api.post(f"/orders/{placed.number}/edits", json=body)).status_code == 401
        refused = await api.post(f"/orders/{placed.number}/edits", json=body, headers=packing)
        assert refused.status_code == 403

        preview = await api.post(f"/orders/{placed.number}/edit-previews", json=body, headers=desk)
        assert preview.status_code == 200, preview.text
        assert preview.json()["order"]["lines"][0]["quantity"] == 2  # a preview changes nothing
        edited = await api.post(f"/orders/{placed.number}/edits", json=body, headers=desk)
        assert edited.status_code == 200, edited.text
        result = edited.json()
        assert result["order"]["lines"][0]["quantity"] == 1
        assert result["total"] == preview.json()["total"]
        assert Decimal(result["given_back"]) == placed.total - Decimal(result["total"]) > 0
        assert result["changes"] == [f"{line['name']}: 2 → 1"]

        gone = await api.post(
            f"/orders/{placed.number}/edits", json={"quantities": {line["id"]: 0}}, headers=desk
        )
        assert gone.status_code == 409
        assert "at least one line" in gone.json()["detail"]


async def test_cancelling_an_order_an_edit_left_partly_paid_refunds_what_came_in(
    place_order: PlaceOrder, admin_viewer: Viewer, lamp: uuid.UUID
) -> None:
    placed = await place_order({lamp: 1})
    await pay(placed.id)
    line = (await lines_of(placed.id)).popitem()[1]
    await order_edits.edit_order(placed.id, EditRequest({str(line.id): 2}, {}), by=admin_viewer)
    assert (await order_row(placed.id)).payment_status == "partially_paid"

    refunded = await cancellation.cancel_order(placed.id, by=admin_viewer)

    order = await order_row(placed.id)
    assert refunded == placed.total  # what was paid, not the total the edit asked for
    assert (order.status, order.payment_status, order.refunded_amount) == (
        "cancelled",
        "refunded",
        placed.total,
    )
    assert await stock_of(await variant_for_product(lamp)) == 5
