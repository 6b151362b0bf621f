"""Back-in-stock notices: one e-mail per confirmed subscriber when stock comes back, even
when jobs are retried or events delivered twice; guests confirm first; staff see demand."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from backend import product_import as product_csv
from backend.accounts.errors import TooManyAttemptsError
from backend.accounts.schemas import Viewer
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.events.base import DomainEvent, event_from_row
from backend.events.models import OutboxEvent
from backend.inventory import services as inventory
from backend.notifications.models import Notification
from backend.orders import services as orders
from backend.stock_notices import queries as stock_notice_queries
from backend.stock_notices import services as stock_notices
from backend.stock_notices.errors import ProductAvailableError
from backend.stock_notices.models import StockNoticeSubscription
from jobs.event_handlers.stock_alerts import (
    notify_back_in_stock,
    send_back_in_stock_notice,
    send_stock_notice_confirmation,
)
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, tab_that_placed


async def events(event_type: str, aggregate_ids: list[str]) -> list[DomainEvent]:
    """This test's committed events of one type, oldest first."""
    async with session_scope() as session:
        rows = (
            await session.exec(
                select(OutboxEvent)
                .where(
                    OutboxEvent.event_type == event_type,
                    col(OutboxEvent.aggregate_id).in_(aggregate_ids),
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


async def subscription_ids(product_id: uuid.UUID) -> list[str]:
    async with session_scope() as session:
        rows = await session.exec(
            select(StockNoticeSubscription.id).where(
                StockNoticeSubscription.product_id == product_id
            )
        )
        return [str(found) for found in rows.all()]


async def statuses(product_id: uuid.UUID) -> dict[str, str]:
    """E-mail address → status of every subscription of the product."""
    async with session_scope() as session:
        rows = await session.exec(
            select(StockNoticeSubscription.email, StockNoticeSubscription.status).where(
                StockNoticeSubscription.product_id == product_id
            )
        )
        return dict(rows.all())


async def mails(to: str, template: str) -> list[Notification]:
    async with session_scope() as session:
        rows = await session.exec(
            select(Notification).where(
                Notification.recipient == to, Notification.template == template
            )
        )
        return list(rows.all())


async def run_stock_handlers(product_id: uuid.UUID, *, times: int = 1) -> None:
    """What the worker does after stock changes, each job run `times` (a retry or a second
    delivery of the same event), the back-in-stock e-mails included."""
    for _ in range(times):
        for event in await events("InventoryUpdated", [str(product_id)]):
            await notify_back_in_stock(event)  # type: ignore[arg-type]
    due = await events("BackInStockNoticeDue", await subscription_ids(product_id))
    for _ in range(times):
        for event in due:
            await send_back_in_stock_notice(event)  # type: ignore[arg-type]


async def send_confirmations(product_id: uuid.UUID) -> None:
    for event in await events(
        "StockNoticeConfirmationRequested", await subscription_ids(product_id)
    ):
        await send_stock_notice_confirmation(event)  # type: ignore[arg-type]


def link_token(message: Notification, path: str) -> str:
    found = re.search(rf"{re.escape(path)}\?token=([A-Za-z0-9_-]+)", message.body_text)
    assert found is not None, message.body_text
    return found.group(1)


async def signed_in(make_user: MakeUser) -> Viewer:
    from backend.accounts import authentication

    credentials = await make_user()
    return (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer


async def test_each_subscriber_gets_exactly_one_email_even_with_retries_and_twice_delivered_events(
    make_product: MakeProduct, make_user: MakeUser, admin_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=0)
    ann, ben = await signed_in(make_user), await signed_in(make_user)
    first = await stock_notices.subscribe_viewer(product, ann)
    await stock_notices.subscribe_viewer(product, ben)
    assert first.outcome == "active"

    await inventory.adjust_stock(product, change=5, reason="restock", actor=admin_viewer)
    # The same event handled twice at once (two workers), then every job run 3 times.
    closed = await asyncio.gather(
        stock_notices.notify_subscribers(product), stock_notices.notify_subscribers(product)
    )
    await run_stock_handlers(product, times=3)

    assert sorted(closed) == [0, 2]  # one run closed both, the other found none left
    for viewer in (ann, ben):
        [mail] = await mails(viewer.email, "back_in_stock")
        assert mail.status == "stored"
        assert "is back in stock" in mail.subject
    assert set((await statuses(product)).values()) == {"notified"}

    # More stock later: the closed subscriptions get nothing more.
    await inventory.adjust_stock(product, change=3, reason="restock", actor=admin_viewer)
    await run_stock_handlers(product)
    assert len(await mails(ann.email, "back_in_stock")) == 1


async def test_nothing_is_sent_while_the_product_is_still_out_of_stock(
    make_product: MakeProduct, make_user: MakeUser, admin_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=0)
    ann = await signed_in(make_user)
    await stock_notices.subscribe_viewer(product, ann)

    # Back, and gone again (damaged) before the worker got to the first event.
    await inventory.adjust_stock(product, change=2, reason="restock", actor=admin_viewer)
    await inventory.adjust_stock(product, change=-2, reason="damaged", actor=admin_viewer)
    await run_stock_handlers(product, times=2)

    assert await mails(ann.email, "back_in_stock") == []
    assert await statuses(product) == {ann.email: "active"}
    assert not stock_notices.stock_came_back(quantity_after=7, change=2)  # was in stock
    assert stock_notices.stock_came_back(quantity_after=2, change=2)


async def test_a_guest_is_notified_only_after_confirming_the_emailed_link(
    make_product: MakeProduct, unique: str, admin_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=0)
    confirmed, unconfirmed = f"conf-{unique}@example.com", f"unconf-{unique}@example.com"
    for address in (confirmed, unconfirmed):
        result = await stock_notices.subscribe_guest(product, address)
        assert result.outcome == "confirm"
    await send_confirmations(product)
    await send_confirmations(product)  # a retried job sends no second confirmation
    [message] = await mails(confirmed, "stock_notice_confirmation")
    assert len(await mails(unconfirmed, "stock_notice_confirmation")) == 1
    token = link_token(message, "/stock-notices/confirm")

    assert (await stock_notices.confirm_subscription(token)).ok
    assert not (await stock_notices.confirm_subscription(token)).ok  # single use
    assert not (await stock_notices.confirm_subscription("made-up-token")).ok

    await inventory.adjust_stock(product, change=4, reason="restock", actor=admin_viewer)
    await run_stock_handlers(product)

    assert len(await mails(confirmed, "back_in_stock")) == 1
    assert await mails(unconfirmed, "back_in_stock") == []
    assert await statuses(product) == {confirmed: "notified", unconfirmed: "pending"}


async def test_an_expired_confirmation_link_does_nothing_and_asking_again_sends_a_new_one(
    make_product: MakeProduct, unique: str
) -> None:
    product = await make_product(stock_quantity=0)
    address = f"late-{unique}@example.com"
    await stock_notices.subscribe_guest(product, address)
    await send_confirmations(product)
    [message] = await mails(address, "stock_notice_confirmation")
    async with session_scope() as session:
        await session.exec(
            update(StockNoticeSubscription)  # type: ignore[call-overload]
            .where(col(StockNoticeSubscription.product_id) == product)
            .values(confirm_expires_at=utcnow() - timedelta(minutes=1))
        )

    assert not (await stock_notices.confirm_subscription(link_token(message, "/confirm"))).ok
    await stock_notices.subscribe_guest(product, address.upper())  # same address, new link
    await send_confirmations(product)
    assert len(await mails(address, "stock_notice_confirmation")) == 2
    assert len(await subscription_ids(product)) == 1


async def test_duplicate_subscriptions_are_not_created(
    make_product: MakeProduct, make_user: MakeUser, unique: str
) -> None:
    product = await make_product(stock_quantity=0)
    ann = await signed_in(make_user)
    await stock_notices.subscribe_viewer(product, ann)
    again = await stock_notices.subscribe_viewer(product, ann)
    guest = f"twice-{unique}@example.com"
    await asyncio.gather(*(stock_notices.subscribe_guest(product, guest) for _ in range(3)))

    assert again.outcome == "already"
    assert len(await subscription_ids(product)) == 2
    assert (
        len(await events("StockNoticeConfirmationRequested", await subscription_ids(product))) == 1
    )
    # The database itself refuses a second open subscription for one address.
    with pytest.raises(IntegrityError):
        async with session_scope() as session:
            session.add(
                StockNoticeSubscription(
                    product_id=product,
                    email=ann.email.upper(),
                    status="active",
                    confirmed_at=utcnow(),
                )
            )


async def test_subscribing_is_refused_for_products_in_stock_bad_addresses_and_hidden_products(
    make_product: MakeProduct, make_user: MakeUser
) -> None:
    in_stock = await make_product(stock_quantity=3)
    ann = await signed_in(make_user)
    with pytest.raises(ProductAvailableError):
        await stock_notices.subscribe_viewer(in_stock, ann)
    sold_out = await make_product(stock_quantity=0)
    with pytest.raises(InvalidInputError) as refused:
        await stock_notices.subscribe_guest(sold_out, "not an address")
    assert refused.value.field_errors["email"]
    with pytest.raises(NotFoundError):
        await stock_notices.subscribe_guest(uuid.uuid4(), "someone@example.com")
    assert await subscription_ids(sold_out) == []


async def test_cancelled_subscriptions_get_no_notice(
    make_product: MakeProduct, make_user: MakeUser, unique: str, admin_viewer: Viewer
) -> None:
    product = await make_product(stock_quantity=0)
    ann = await signed_in(make_user)
    guest = f"cancel-{unique}@example.com"
    await stock_notices.subscribe_viewer(product, ann)
    await stock_notices.subscribe_guest(product, guest)
    await send_confirmations(product)
    [message] = await mails(guest, "stock_notice_confirmation")
    assert (await stock_notices.confirm_subscription(link_token(message, "/confirm"))).ok

    assert await stock_notices.cancel_for_viewer(product, ann)
    assert (await stock_notices.cancel_by_token(link_token(message, "/cancel"))).ok
    assert not (await stock_notices.cancel_by_token(link_token(message, "/cancel"))).ok
    await inventory.adjust_stock(product, change=1, reason="restock", actor=admin_viewer)
    await run_stock_handlers(product)

    assert await mails(ann.email, "back_in_stock") == []
    assert await mails(guest, "back_in_stock") == []
    assert set((await statuses(product)).values()) == {"cancelled"}


async def test_stock_returned_by_a_cancelled_order_notifies_subscribers(
    make_product: MakeProduct, make_user: MakeUser, place_order: PlaceOrder
) -> None:
    product = await make_product(stock_quantity=1)
    placed = await place_order({product: 1})  # the last one: now sold out
    ann = await signed_in(make_user)
    await stock_notices.subscribe_viewer(product, ann)

    await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))
    await run_stock_handlers(product)

    assert len(await mails(ann.email, "back_in_stock")) == 1


async def test_stock_raised_by_a_csv_import_notifies_subscribers(
    make_product: MakeProduct, make_user: MakeUser, admin_viewer: Viewer, unique: str
) -> None:
    product = await make_product(stock_quantity=0, sku=f"CSV-{unique}")
    ann = await signed_in(make_user)
    await stock_notices.subscribe_viewer(product, ann)
    exported = list(
        csv.DictReader(
            io.StringIO((await product_csv.export_products_csv(admin_viewer)).lstrip("\ufeff"))
        )
    )
    [row] = [found for found in exported if found["sku"] == f"CSV-{unique}"]
    row["stock_quantity"] = "6"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)

    preview = await product_csv.preview_import(admin_viewer, out.getvalue().encode())
    assert preview.token is not None
    await product_csv.apply_import(admin_viewer, preview.token)
    await run_stock_handlers(product)

    assert len(await mails(ann.email, "back_in_stock")) == 1


async def test_staff_see_open_demand_per_product_most_wanted_first(
    make_product: MakeProduct, make_user: MakeUser, unique: str, admin_viewer: Viewer
) -> None:
    popular = await make_product(stock_quantity=0, name=f"Popular {unique}")
    niche = await make_product(stock_quantity=0, name=f"Niche {unique}")
    for _ in range(3):
        await stock_notices.subscribe_viewer(popular, await signed_in(make_user))
    await stock_notices.subscribe_viewer(niche, await signed_in(make_user))
    await stock_notices.subscribe_guest(niche, f"pending-{unique}@example.com")

    demand = {
        row.product_id: row
        for row in await stock_notice_queries.list_demand(admin_viewer, limit=500)
    }
    ranked = [
        row.product_id
        for row in await stock_notice_queries.list_demand(admin_viewer, limit=500)
        if row.product_id in (popular, niche)
    ]

    assert ranked == [popular, niche]
    assert (demand[popular].waiting, demand[popular].unconfirmed) == (3, 0)
    assert (demand[niche].waiting, demand[niche].unconfirmed) == (1, 1)
    with pytest.raises(PermissionDeniedError):
        await stock_notice_queries.list_demand(await signed_in(make_user))


async def test_one_address_gets_at_most_a_few_confirmations_whatever_is_asked(
    make_product: MakeProduct, unique: str
) -> None:
    address = f"popular-{unique}@example.com"
    products = [await make_product(stock_quantity=0) for _ in range(5)]
    answers = {
        (await stock_notices.subscribe_guest(product, address)).message.split(":")[0]
        for product in products
    }

    assert answers == {"Almost done"}  # the same answer, limited or not
    ids = [str(i) for product in products for i in await subscription_ids(product)]
    limit = stock_notices.CONFIRMATIONS_PER_EMAIL.item.amount
    assert len(await events("StockNoticeConfirmationRequested", ids)) == limit
    assert len(ids) == limit  # nothing waits on a link that was never sent


async def test_one_visitor_may_ask_only_so_often(make_product: MakeProduct, unique: str) -> None:
    product = await make_product(stock_quantity=0)
    visitor = f"192.0.2.{int(unique[:2], 16) % 250 + 1}"
    for n in range(stock_notices.GUEST_REQUESTS_PER_IP.item.amount):
        await stock_notices.subscribe_guest(product, f"n{n}-{unique}@example.com", ip=visitor)
    with pytest.raises(TooManyAttemptsError):
        await stock_notices.subscribe_guest(product, f"last-{unique}@example.com", ip=visitor)
