"""Draft (phone) orders: staff build an order for a customer, see it priced under the shop's
rules, and complete it once, paid by hand or by a payment link the customer opens."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlmodel import col, select

import backend.event_registry  # noqa: F401  (event types, for event_from_row)
from api.app import build_http_app
from backend.accounts import addresses, authentication, tokens
from backend.accounts.permissions import DefaultGroup
from backend.accounts.schemas import Viewer
from backend.catalog.models import ProductVariant
from backend.catalog.variant_queries import variant_for_product
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, PermissionDeniedError
from backend.drafts import queries as draft_queries
from backend.drafts import services as drafts
from backend.drafts.models import DraftOrder
from backend.events.base import event_from_row
from backend.events.models import OutboxEvent
from backend.inventory.services import OutOfStockError
from backend.notifications.models import Notification
from backend.orders.models import Order, OrderLine
from backend.payments import links as payment_links
from backend.payments import manual as manual_payments
from backend.payments import refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.payments.errors import PaymentRefusedError
from backend.payments.events import PaymentLinkRequested
from backend.payments.models import PaymentTransaction
from jobs.event_handlers.order_emails import send_payment_request
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import tab_that_placed

ADDRESS = {
    "email": "phone.buyer@example.com",
    "full_name": "Phone Buyer",
    "line1": "5 Dock Road",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
    "shipping_method": "standard",
}


async def stock_of(variant_id: uuid.UUID) -> int:
    async with session_scope() as session:
        variant = await session.get(ProductVariant, variant_id)
    assert variant is not None
    return variant.stock_quantity


async def order_by_number(number: str) -> Order:
    async with session_scope() as session:
        order = (await session.exec(select(Order).where(Order.number == number))).one()
    return order


@pytest.fixture
async def sales_desk(admin_viewer: Viewer) -> Viewer:
    """Staff who take phone orders (administrators have every permission)."""
    return admin_viewer


@pytest.fixture
async def lamp(make_product: MakeProduct) -> uuid.UUID:
    product = await make_product(price=Decimal("40.00"), stock_quantity=3)
    return await variant_for_product(product)


async def test_a_draft_is_priced_under_the_shops_rules_and_reserves_nothing(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    assert draft.label.startswith("D")
    await drafts.add_variant(draft.id, lamp, 2, by=sales_desk)
    await drafts.add_custom_line(
        draft.id, {"name": "Engraving", "unit_price": "12.50", "quantity": "1"}, by=sales_desk
    )

    before_address = await draft_queries.get_draft(draft.id, by=sales_desk)
    assert [line.quoted.title for line in before_address.lines] == [
        before_address.lines[0].quoted.title,
        "Engraving",
    ]
    assert before_address.quote is not None
    assert before_address.quote.charges is None
    assert "Add the customer's address." in before_address.quote.problems

    await drafts.set_customer(draft.id, ADDRESS, by=sales_desk)
    await drafts.set_terms(
        draft.id,
        {"manual_discount": "10.00", "discount_reason": "Loyal customer", "shipping_price": "0"},
        by=sales_desk,
    )
    priced = await draft_queries.get_draft(draft.id, by=sales_desk)
    assert priced.quote is not None
    assert priced.quote.charges is not None
    totals = priced.quote.charges.totals
    assert totals.subtotal == Decimal("92.50")  # 2 × 40.00 + 12.50
    assert totals.discount == Decimal("10.00")
    assert totals.shipping == Decimal("0.00")
    assert totals.total == totals.subtotal - totals.discount + totals.shipping + (
        Decimal(0) if totals.prices_include_tax else totals.tax
    )
    assert await stock_of(lamp) == 3  # a draft holds no stock


async def test_a_discount_needs_its_reason_and_bad_lines_are_refused(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    with pytest.raises(InvalidInputError) as refused:
        await drafts.set_terms(draft.id, {"manual_discount": "5"}, by=sales_desk)
    assert "discount_reason" in refused.value.field_errors
    with pytest.raises(InvalidInputError) as refused:
        await drafts.add_custom_line(draft.id, {"name": "", "unit_price": "-1"}, by=sales_desk)
    assert {"name", "unit_price"} <= set(refused.value.field_errors)
    with pytest.raises(InvalidInputError):
        await drafts.add_variant(draft.id, lamp, 0, by=sales_desk)
    with pytest.raises(InvalidInputError, match="address"):
        await drafts.complete_draft(draft.id, settlement="payment_link", by=sales_desk)


async def test_completing_reserves_stock_records_the_payment_by_hand_and_converts_once(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    await drafts.add_variant(draft.id, lamp, 2, by=sales_desk)
    await drafts.set_customer(draft.id, ADDRESS, by=sales_desk)
    with pytest.raises(InvalidInputError) as refused:
        await drafts.complete_draft(
            draft.id, settlement="paid_by_hand", method="bank_transfer", by=sales_desk
        )
    assert "reference" in refused.value.field_errors  # a transfer needs its reference

    done = await drafts.complete_draft(
        draft.id,
        settlement="paid_by_hand",
        method="bank_transfer",
        reference="INV-2026-118",
        by=sales_desk,
    )
    order = await order_by_number(done.order_number)
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert order.email == ADDRESS["email"]
    assert order.expires_at is None
    assert await stock_of(lamp) == 1
    async with session_scope() as session:
        payment = (
            await session.exec(
                select(PaymentTransaction).where(PaymentTransaction.order_id == order.id)
            )
        ).one()
        row = await session.get(DraftOrder, draft.id)
    assert (payment.gateway, payment.status, payment.amount) == ("manual", "succeeded", order.total)
    assert payment.reference == "bank_transfer:INV-2026-118"
    assert row is not None
    assert (row.status, row.order_id) == ("completed", order.id)

    with pytest.raises(InvalidInputError, match="completed"):
        await drafts.complete_draft(draft.id, settlement="payment_link", by=sales_desk)
    with pytest.raises(InvalidInputError, match="completed"):
        await drafts.add_variant(draft.id, lamp, 1, by=sales_desk)

    # Paid by transfer, refunded the same way: no gateway to call.
    refunded = await refunds.refund_order(
        order.id, amount=None, request_key="r1", actor="staff", by=sales_desk
    )
    assert refunded == order.total
    assert (await order_by_number(done.order_number)).payment_status == "refunded"


async def test_two_staff_completing_one_draft_make_one_order(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    await drafts.add_variant(draft.id, lamp, 1, by=sales_desk)
    await drafts.set_customer(draft.id, ADDRESS, by=sales_desk)
    results = await asyncio.gather(
        *(
            drafts.complete_draft(draft.id, settlement="paid_by_hand", method="cash", by=sales_desk)
            for _ in range(4)
        ),
        return_exceptions=True,
    )
    done = [result for result in results if isinstance(result, drafts.CompletedDraft)]
    assert len(done) == 1
    assert all(isinstance(result, InvalidInputError) for result in results if result not in done)
    assert await stock_of(lamp) == 2


async def test_completing_without_the_stock_changes_nothing(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    await drafts.add_variant(draft.id, lamp, 5, by=sales_desk)  # 3 in stock
    await drafts.set_customer(draft.id, ADDRESS, by=sales_desk)
    shown = await draft_queries.get_draft(draft.id, by=sales_desk)
    assert shown.quote is not None
    assert any("in stock" in problem for problem in shown.quote.problems)
    with pytest.raises(OutOfStockError):
        await drafts.complete_draft(draft.id, settlement="payment_link", by=sales_desk)
    async with session_scope() as session:
        row = await session.get(DraftOrder, draft.id)
        orders = (
            await session.exec(select(Order).where(Order.checkout_key == f"draft:{draft.id}"))
        ).all()
    assert row is not None
    assert row.status == "open"
    assert not orders
    assert await stock_of(lamp) == 3


async def test_a_payment_link_lets_the_customer_pay_by_card(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    await drafts.add_variant(draft.id, lamp, 1, by=sales_desk)
    await drafts.set_customer(draft.id, ADDRESS, by=sales_desk)
    done = await drafts.complete_draft(draft.id, settlement="payment_link", by=sales_desk)
    order = await order_by_number(done.order_number)
    assert (order.status, order.payment_status) == ("pending_payment", "unpaid")
    assert order.expires_at is not None  # a week to pay, then cancelled

    async with session_scope() as session:
        row = (
            await session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.event_type == "PaymentLinkRequested",
                    OutboxEvent.aggregate_id == str(order.id),
                )
            )
        ).one()
    event = event_from_row(
        event_type=row.event_type,
        event_id=row.id,
        occurred_at=row.occurred_at,
        aggregate_id=row.aggregate_id,
        payload=row.payload,
    )
    assert isinstance(event, PaymentLinkRequested)
    await send_payment_request(event)
    async with session_scope() as session:
        message = (
            await session.exec(
                select(Notification).where(
                    Notification.recipient == ADDRESS["email"],
                    Notification.template == "payment_request",
                )
            )
        ).one()
    assert done.order_number in message.subject
    token = message.body_text.split("/pay?token=")[1].split()[0]

    with pytest.raises(InvalidInputError):
        await payment_links.open_payment_link(token[:-2] + "xx")
    opened = await payment_links.open_payment_link(token)
    assert opened.number == done.order_number
    outcome = await payments.pay_order(
        opened.id,
        shopper=tab_that_placed(opened.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="link-1",
    )
    assert outcome.status == "succeeded"
    with pytest.raises(InvalidInputError):  # paid: the link has done its work
        await payment_links.open_payment_link(token)


async def test_a_packer_cannot_take_orders_and_nothing_is_written(
    make_user: MakeUser, lamp: uuid.UUID, sales_desk: Viewer
) -> None:
    login = await make_user(roles=frozenset({DefaultGroup.FULFILMENT}))
    packer = (await authentication.sign_in(email=login.email, password=login.password)).viewer
    draft = await drafts.create_draft(by=sales_desk)
    await drafts.add_variant(draft.id, lamp, 1, by=sales_desk)
    await drafts.set_customer(draft.id, ADDRESS, by=sales_desk)
    for attempt in (
        drafts.create_draft(by=packer),
        drafts.add_variant(draft.id, lamp, 1, by=packer),
        drafts.complete_draft(draft.id, settlement="paid_by_hand", method="cash", by=packer),
        draft_queries.get_draft(draft.id, by=packer),
    ):
        with pytest.raises(PermissionDeniedError):
            await attempt
    async with session_scope() as session:
        row = await session.get(DraftOrder, draft.id)
        lines = (
            await session.exec(select(OrderLine).where(col(OrderLine.variant_id) == lamp))
        ).all()
    assert row is not None
    assert row.status == "open"
    assert not lines


async def test_untouched_drafts_expire_and_are_listed_as_expired(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    stale = await drafts.create_draft(by=sales_desk)
    fresh = await drafts.create_draft(by=sales_desk)
    async with session_scope() as session:
        row = await session.get(DraftOrder, stale.id)
        assert row is not None
        row.expires_at = row.created_at - timedelta(minutes=1)
        session.add(row)
    assert await drafts.expire_stale_drafts() >= 1
    assert await drafts.expire_stale_drafts() == 0  # safe to run again
    expired = [
        row.label for row in await draft_queries.list_drafts(by=sales_desk, status="expired")
    ]
    still_open = [row.label for row in await draft_queries.list_drafts(by=sales_desk)]
    assert stale.label in expired
    assert fresh.label in still_open
    assert stale.label not in still_open
    with pytest.raises(InvalidInputError, match="expired"):
        await drafts.add_variant(stale.id, lamp, 1, by=sales_desk)


async def test_an_unpaid_order_gets_a_new_link_or_a_payment_by_hand_once(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    await drafts.add_variant(draft.id, lamp, 1, by=sales_desk)
    await drafts.set_customer(draft.id, ADDRESS, by=sales_desk)
    done = await drafts.complete_draft(draft.id, settlement="payment_link", by=sales_desk)
    await payment_links.request_payment_link(done.order_id, by=sales_desk)  # sent again
    async with session_scope() as session:
        requests = (
            await session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.event_type == "PaymentLinkRequested",
                    OutboxEvent.aggregate_id == str(done.order_id),
                )
            )
        ).all()
    assert len(requests) == 2
    await manual_payments.record_manual_payment(
        done.order_id, method="cash", reference="", by=sales_desk
    )
    order = await order_by_number(done.order_number)
    assert (order.status, order.payment_status, order.expires_at) == ("paid", "paid", None)
    with pytest.raises(PaymentRefusedError):
        await manual_payments.record_manual_payment(
            done.order_id, method="cash", reference="", by=sales_desk
        )
    with pytest.raises(PaymentRefusedError):
        await payment_links.request_payment_link(done.order_id, by=sales_desk)


async def test_the_api_takes_a_phone_order_for_order_editors_only(
    sales_desk: Viewer, make_user: MakeUser, lamp: uuid.UUID
) -> None:
    login = await make_user(roles=frozenset({DefaultGroup.FULFILMENT}))
    packer = (await authentication.sign_in(email=login.email, password=login.password)).viewer
    desk = {
        "Authorization": f"Bearer {(await tokens.issue_tokens(sales_desk.user_id)).access_token}"
    }
    packing = {
        "Authorization": f"Bearer {(await tokens.issue_tokens(packer.user_id)).access_token}"
    }
    transport = httpx.ASGITransport(app=build_http_app())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://localhost:3100/api/v1"
    ) as api:
        assert (await api.post("/admin/draft-orders", json={})).status_code == 401
        assert (await api.post("/admin/draft-orders", json={}, headers=packing)).status_code == 403

        made = await api.post("/admin/draft-orders", json={}, headers=desk)
        assert made.status_code == 201, made.text
        draft = made.json()
        assert made.headers["Location"].endswith(draft["id"])
        assert draft["totals"] is None
        base = f"/admin/draft-orders/{draft['id']}"

        added = await api.post(
            f"{base}/lines", json={"variant_id": str(lamp), "quantity": 2}, headers=desk
        )
        assert added.status_code == 201, added.text
        custom = await api.post(
            f"{base}/lines", json={"name": "Setup visit", "unit_price": "25.00"}, headers=desk
        )
        assert [line["sku"] for line in custom.json()["lines"]] == [
            added.json()["lines"][0]["sku"],
            "CUSTOM",
        ]
        bad = await api.post(f"{base}/lines", json={"name": "", "unit_price": "1"}, headers=desk)
        assert bad.status_code == 400
        assert "name" in bad.json()["errors"]

        priced = await api.put(f"{base}/customer", json=ADDRESS, headers=desk)
        assert priced.status_code == 200, priced.text
        totals = priced.json()["totals"]
        assert totals["subtotal"] == "105.00"  # 2 × 40.00 + 25.00
        line_id = priced.json()["lines"][0]["id"]
        fewer = await api.patch(f"{base}/lines/{line_id}", json={"quantity": 1}, headers=desk)
        assert fewer.json()["totals"]["subtotal"] == "65.00"
        no_reason = await api.put(f"{base}/terms", json={"manual_discount": "5"}, headers=desk)
        assert no_reason.status_code == 400
        assert "discount_reason" in no_reason.json()["errors"]

        done = await api.post(
            f"{base}/complete",
            json={"settlement": "paid_by_hand", "method": "cash"},
            headers=desk,
        )
        assert done.status_code == 201, done.text
        number = done.json()["order_number"]
        assert done.json()["draft"]["status"] == "completed"
        again = await api.post(
            f"{base}/complete", json={"settlement": "payment_link"}, headers=desk
        )
        assert again.status_code == 400

        order = await api.get(f"/orders/{number}", headers=desk)
        assert order.json()["payment_status"] == "paid"
        assert (await stock_of(lamp)) == 2
        listed = await api.get("/admin/draft-orders?status=completed", headers=desk)
        assert number in [row["order_number"] for row in listed.json()]
        refused = await api.post(
            f"/orders/{number}/manual-payments", json={"method": "cash"}, headers=packing
        )
        assert refused.status_code == 403
        twice = await api.post(
            f"/orders/{number}/manual-payments", json={"method": "cash"}, headers=desk
        )
        assert twice.status_code == 409


async def test_an_accounts_email_links_the_draft_and_fills_in_its_default_address(
    sales_desk: Viewer, make_user: MakeUser
) -> None:
    login = await make_user()
    customer = (await authentication.sign_in(email=login.email, password=login.password)).viewer
    await addresses.add_address(
        customer.user_id,
        {
            **{k: v for k, v in ADDRESS.items() if k not in ("email", "shipping_method")},
            "is_default": True,
        },
    )
    draft = await drafts.create_draft(by=sales_desk, email=login.email.upper())
    shown = await draft_queries.get_draft(draft.id, by=sales_desk)
    assert shown.has_account
    assert shown.email == login.email
    assert shown.details is not None
    assert (shown.details["full_name"], shown.details["line1"]) == ("Phone Buyer", "5 Dock Road")
    stranger = await drafts.create_draft(by=sales_desk, email="someone.new@example.com")
    fresh = await draft_queries.get_draft(stranger.id, by=sales_desk)
    assert not fresh.has_account
    assert fresh.details is None


async def test_an_address_nothing_ships_to_is_named_as_the_problem(
    sales_desk: Viewer, lamp: uuid.UUID
) -> None:
    draft = await drafts.create_draft(by=sales_desk)
    await drafts.add_variant(draft.id, lamp, 1, by=sales_desk)
    await drafts.set_customer(draft.id, {**ADDRESS, "country": "AQ"}, by=sales_desk)
    shown = await draft_queries.get_draft(draft.id, by=sales_desk)
    assert shown.quote.charges is None
    assert [line.quoted.quantity for line in shown.lines] == [1]
    assert any("ship" in problem for problem in shown.quote.problems), shown.quote.problems
    assert "Add the customer's address." not in shown.quote.problems
    with pytest.raises(InvalidInputError):
        await drafts.complete_draft(draft.id, settlement="payment_link", by=sales_desk)
