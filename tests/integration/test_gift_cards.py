"""Gift cards against PostgreSQL and Redis: issuing, paying for orders in part or in
full, giving balances back on cancellation and refunds, concurrent checkouts on one card,
staff adjustments, guessing limits, delivery and expiry."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import col, select

from backend.accounts.errors import TooManyAttemptsError
from backend.accounts.schemas import Viewer
from backend.audit.models import AuditEntry
from backend.cart import owners as cart_owners
from backend.cart import queries as cart_queries
from backend.cart import services as carts
from backend.checkout import services as checkout
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.models import OutboxEvent
from backend.giftcards import codes, delivery, queries, services
from backend.giftcards import purchases as gift_card_purchases
from backend.giftcards.errors import GiftCardRefusedError
from backend.giftcards.inputs import AdjustInput, IssueInput, PurchaseInput
from backend.giftcards.models import GiftCard, GiftCardMovement
from backend.notifications.models import Notification
from backend.orders import queries as order_queries
from backend.orders import services as orders
from backend.orders.models import Order, OrderLine
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.payments.models import PaymentTransaction
from jobs.event_handlers import gift_card_delivery
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, checkout_details, tab_that_placed


async def issue(admin: Viewer, amount: str, **fields: object) -> str:
    issued = await services.issue_card(
        IssueInput(amount=Decimal(amount), **fields),  # type: ignore[arg-type]
        actor=admin,
    )
    assert issued.code is not None
    return issued.code


async def balance_of(code: str) -> Decimal:
    return (await queries.holder_balance(code, asker=f"test-{uuid.uuid4()}")).balance


async def order_row(order_id: uuid.UUID) -> Order:
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    assert order is not None
    return order


async def card_id_of(code: str) -> uuid.UUID:
    async with session_scope() as session:
        card = (
            await session.exec(select(GiftCard).where(GiftCard.code_hash == codes.code_hash(code)))
        ).one()
    return card.id


@pytest.fixture
async def product(make_product: MakeProduct) -> uuid.UUID:
    return await make_product(price=Decimal("40.00"), stock_quantity=50)


async def test_a_card_staff_issue_holds_its_amount_and_its_code_is_shown_once(
    admin_viewer: Viewer,
) -> None:
    code = await issue(admin_viewer, "30", note="Sorry for the delay")

    assert codes.looks_like_a_code(code)
    seen = await queries.holder_balance(code.lower().replace("-", " "), asker="holder")
    assert (seen.balance, seen.state, seen.last_four) == (
        Decimal("30.00"),
        "Active",
        codes.last_four(code),
    )
    card_id = await card_id_of(code)
    async with session_scope() as session:
        card = await session.get(GiftCard, card_id)
        audit = (
            await session.exec(select(AuditEntry).where(AuditEntry.entity_id == str(card_id)))
        ).all()
    assert card is not None
    assert code not in (card.code_hash or "")
    assert [entry.action for entry in audit] == ["gift_card.issued"]
    assert await queries.ledger_total(card_id) == Decimal("30.00")


async def test_a_card_pays_part_of_an_order_and_the_card_payment_the_rest(
    admin_viewer: Viewer, product: uuid.UUID, place_order: PlaceOrder
) -> None:
    code = await issue(admin_viewer, "30")

    placed = await place_order({product: 2}, gift_card_code=code)  # 80.00

    order = await order_row(placed.id)
    assert (order.total, order.gift_card_amount, placed.amount_due) == (
        Decimal("80.00"),
        Decimal("30.00"),
        Decimal("50.00"),
    )
    assert not placed.paid
    assert order.payment_status == "unpaid"
    assert await balance_of(code) == 0
    paid = await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="pay",
    )
    assert paid.status == "succeeded"
    async with session_scope() as session:
        charged = (
            await session.exec(
                select(PaymentTransaction.amount).where(PaymentTransaction.order_id == placed.id)
            )
        ).one()
    assert charged == Decimal("50.00")
    assert (await order_row(placed.id)).status == "paid"


async def test_a_card_holding_enough_pays_the_whole_order_as_it_is_placed(
    admin_viewer: Viewer, product: uuid.UUID
) -> None:
    code = await issue(admin_viewer, "100")
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product, 2)

    done = await checkout.place_and_pay(
        cart_owner=owner,
        details=checkout_details(
            gift_card_code=code, email=f"whole-{uuid.uuid4().hex[:8]}@example.com"
        ),
        checkout_key=f"whole-{uuid.uuid4().hex}",
        user_id=None,
        client_address="203.0.113.7",
        shopper=tab_that_placed(),
        payment_method="",
        attempt_key="unused",
    )

    assert done.payment.status == "succeeded"
    order = await order_row(done.order.id)
    assert (order.status, order.payment_status, order.gift_card_amount) == (
        "paid",
        "paid",
        Decimal("80.00"),
    )
    assert await balance_of(code) == Decimal("20.00")
    async with session_scope() as session:
        paid_events = (
            await session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.aggregate_id == str(order.id),
                    OutboxEvent.event_type == "OrderPaid",
                )
            )
        ).all()
        charges = (
            await session.exec(
                select(PaymentTransaction).where(PaymentTransaction.order_id == order.id)
            )
        ).all()
    assert len(paid_events) == 1
    assert charges == []
    assert (await carts.get_cart(owner)).lines == ()  # the paid lines left the cart


async def test_cancelling_an_unpaid_order_gives_the_card_its_money_back(
    admin_viewer: Viewer, product: uuid.UUID, place_order: PlaceOrder
) -> None:
    code = await issue(admin_viewer, "30")
    placed = await place_order({product: 2}, gift_card_code=code)

    await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))

    assert await balance_of(code) == Decimal("30.00")
    card_id = await card_id_of(code)
    async with session_scope() as session:
        kinds = (
            await session.exec(
                select(GiftCardMovement.kind)
                .where(GiftCardMovement.gift_card_id == card_id)
                .order_by(col(GiftCardMovement.created_at))
            )
        ).all()
    assert list(kinds) == ["issued", "redeemed", "returned"]
    assert await queries.ledger_total(card_id) == Decimal("30.00")


async def test_refunds_go_to_the_gift_card_first_then_to_the_card_payment(
    admin_viewer: Viewer, product: uuid.UUID, place_order: PlaceOrder
) -> None:
    code = await issue(admin_viewer, "30")
    placed = await place_order({product: 2}, gift_card_code=code)
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="pay",
    )

    first = await payment_refunds.refund_order(
        placed.id, amount=Decimal("40.00"), request_key="r1", actor="test", by=admin_viewer
    )
    again = await payment_refunds.refund_order(
        placed.id, amount=Decimal("40.00"), request_key="r1", actor="test", by=admin_viewer
    )
    rest = await payment_refunds.refund_order(
        placed.id, amount=None, request_key="r2", actor="test", by=admin_viewer
    )

    assert (first, again, rest) == (Decimal("40.00"), Decimal("40.00"), Decimal("40.00"))
    assert await balance_of(code) == Decimal("30.00")
    order = await order_row(placed.id)
    assert (order.refunded_amount, order.payment_status) == (Decimal("80.00"), "refunded")
    async with session_scope() as session:
        to_card = (
            await session.exec(
                select(PaymentTransaction.amount).where(
                    PaymentTransaction.order_id == placed.id,
                    PaymentTransaction.kind == "refund",
                    PaymentTransaction.status == "succeeded",
                )
            )
        ).all()
    assert sorted(to_card) == [Decimal("10.00"), Decimal("40.00")]  # never above the 50 paid
    with pytest.raises(InvalidInputError):
        await payment_refunds.refund_order(
            placed.id, amount=Decimal("0.01"), request_key="r3", actor="test"
        )


async def test_an_order_paid_by_gift_card_alone_is_refunded_to_it(
    admin_viewer: Viewer, product: uuid.UUID, place_order: PlaceOrder
) -> None:
    code = await issue(admin_viewer, "100")
    placed = await place_order({product: 1}, gift_card_code=code)
    assert placed.paid

    refunded = await payment_refunds.refund_order(
        placed.id, amount=None, request_key="all", actor="test", by=admin_viewer
    )

    assert refunded == placed.total  # 40.00 and its shipping
    assert await balance_of(code) == Decimal("100.00")
    assert (await order_row(placed.id)).payment_status == "refunded"


async def test_fifty_checkouts_at_once_spend_a_card_covering_ten_exactly_ten_times(
    admin_viewer: Viewer, make_product: MakeProduct
) -> None:
    product = await make_product(price=Decimal("10.00"), stock_quantity=100)
    probe = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert probe is not None
    await carts.add_item(probe, product, 1)
    one_order = (
        await orders.place_order(cart_owner=probe, details=checkout_details(), checkout_key="probe")
    ).total
    code = await issue(admin_viewer, str(one_order * 10))

    async def checkout_once(n: int) -> bool:
        owner = cart_owners.guest_owner(cart_owners.new_guest_token())
        assert owner is not None
        await carts.add_item(owner, product, 1)
        try:
            placed = await orders.place_order(
                cart_owner=owner,
                details=checkout_details(gift_card_code=code),
                checkout_key=f"rush-{n}",
            )
        except GiftCardRefusedError:
            return False
        return placed.paid

    outcomes = await asyncio.gather(*(checkout_once(n) for n in range(50)))

    assert outcomes.count(True) == 10
    assert await balance_of(code) == 0
    card_id = await card_id_of(code)
    async with session_scope() as session:
        movements = (
            await session.exec(
                select(GiftCardMovement).where(GiftCardMovement.gift_card_id == card_id)
            )
        ).all()
    issued = sum(m.amount for m in movements if m.kind == "issued")
    spent = -sum(m.amount for m in movements if m.kind == "redeemed")
    assert issued == spent == one_order * 10
    assert await queries.ledger_total(card_id) == 0


async def test_disabled_and_expired_cards_refuse_to_pay(
    admin_viewer: Viewer, product: uuid.UUID, place_order: PlaceOrder
) -> None:
    disabled = await issue(admin_viewer, "30")
    await services.set_active(await card_id_of(disabled), active=False, actor=admin_viewer)
    expiring = await issue(admin_viewer, "30", expires_at=utcnow() + timedelta(seconds=1))
    async with session_scope() as session:
        card = await session.get(GiftCard, await card_id_of(expiring))
        assert card is not None
        card.expires_at = utcnow() - timedelta(minutes=1)
        session.add(card)

    with pytest.raises(GiftCardRefusedError, match="disabled"):
        await place_order({product: 1}, gift_card_code=disabled)
    with pytest.raises(GiftCardRefusedError, match="expired"):
        await place_order({product: 1}, gift_card_code=expiring)
    assert (await queries.holder_balance(disabled, asker="h")).state == "Disabled"


async def test_guessing_codes_is_refused_after_ten_unknown_ones(admin_viewer: Viewer) -> None:
    real = await issue(admin_viewer, "30")
    asker = f"198.51.100.{uuid.uuid4().int % 200}"
    for _ in range(10):
        with pytest.raises(GiftCardRefusedError):
            await queries.holder_balance(codes.new_code(), asker=asker)

    with pytest.raises(TooManyAttemptsError):
        await queries.holder_balance(real, asker=asker)  # even a real one, for a while
    assert await balance_of(real) == Decimal("30.00")  # others are not held up


async def test_staff_adjust_a_balance_never_below_zero_and_it_is_audited(
    admin_viewer: Viewer,
) -> None:
    code = await issue(admin_viewer, "30")
    card_id = await card_id_of(code)

    after = await services.adjust_balance(
        card_id,
        AdjustInput(amount=Decimal("-12.50"), note="Goodwill corrected"),
        actor=admin_viewer,
    )
    with pytest.raises(InvalidInputError):
        await services.adjust_balance(
            card_id, AdjustInput(amount=Decimal("-20"), note="Too much"), actor=admin_viewer
        )

    assert after == Decimal("17.50") == await balance_of(code)
    detail = await queries.get_card(card_id, admin_viewer)
    assert [m.kind for m in detail.movements] == ["adjusted", "issued"]
    assert detail.movements[0].note == "Goodwill corrected"
    async with session_scope() as session:
        actions = (
            await session.exec(
                select(AuditEntry.action).where(AuditEntry.entity_id == str(card_id))
            )
        ).all()
    assert sorted(actions) == ["gift_card.adjusted", "gift_card.issued"]


async def test_a_card_for_a_recipient_gets_its_code_only_when_e_mailed_on_its_day(
    admin_viewer: Viewer,
) -> None:
    later = utcnow() + timedelta(days=3)
    issued = await services.issue_card(
        IssueInput(
            amount=Decimal("50"),
            recipient_email="Friend@Example.com",
            recipient_name="Friend",
            send_at=later,
        ),
        actor=admin_viewer,
    )
    assert issued.code is None
    assert issued.id not in {d.card_id for d in await delivery.deliveries_due()}
    due = await delivery.deliveries_due(now=later + timedelta(seconds=1))
    [mine] = [d for d in due if d.card_id == issued.id]
    assert mine.recipient_email == "Friend@example.com"  # the domain part lower-cased

    letter = await delivery.issue_code(issued.id)
    await delivery.mark_delivered(issued.id)

    assert letter.balance == Decimal("50.00")
    assert await balance_of(letter.code) == Decimal("50.00")
    newer = await delivery.issue_code(issued.id)  # a resend: the old code stops working
    with pytest.raises(GiftCardRefusedError):
        await queries.holder_balance(letter.code, asker=f"h-{uuid.uuid4()}")
    assert await balance_of(newer.code) == Decimal("50.00")
    assert issued.id not in {
        d.card_id for d in await delivery.deliveries_due(now=later + timedelta(days=1))
    }


async def test_balances_past_their_expiry_are_written_off_once(admin_viewer: Viewer) -> None:
    code = await issue(admin_viewer, "25", expires_at=utcnow() + timedelta(days=1))
    card_id = await card_id_of(code)

    await delivery.expire_balances(now=utcnow() + timedelta(days=2))
    await delivery.expire_balances(now=utcnow() + timedelta(days=2))

    detail = await queries.get_card(card_id, admin_viewer)
    assert detail.balance == 0
    assert [m.kind for m in detail.movements] == ["expired", "issued"]


async def test_the_worker_e_mails_a_card_once_with_a_code_that_works(
    admin_viewer: Viewer,
) -> None:
    issued = await services.issue_card(
        IssueInput(
            amount=Decimal("40"),
            recipient_email=f"gift-{uuid.uuid4().hex[:8]}@example.com",
            recipient_name="Robin",
            sender_name="Sam",
            message="Happy birthday!",
        ),
        actor=admin_viewer,
    )

    assert await gift_card_delivery.deliver(issued.id) is True
    assert await gift_card_delivery.deliver(issued.id) is False  # delivered: not due again

    async with session_scope() as session:
        card = await session.get(GiftCard, issued.id)
        assert card is not None
        [message] = (
            await session.exec(
                select(Notification).where(Notification.recipient == card.recipient_email)
            )
        ).all()
    assert message.template == "gift_card"
    assert "Sam sent you" in message.subject
    assert "$40.00" in message.subject
    assert "Happy birthday!" in message.body_text
    code = next(
        word for word in message.body_text.split() if codes.looks_like_a_code(word)
    )  # without a mail transport the stored message is the one delivered
    assert codes.last_four(code) == card.last_four
    assert await balance_of(code) == Decimal("40.00")


async def test_a_gift_card_bought_with_goods_is_issued_once_the_order_is_paid(
    admin_viewer: Viewer, product: uuid.UUID
) -> None:
    from backend.pricing.discounts import create_discount_code

    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_item(owner, product, 2)  # 80.00 of goods
    await carts.add_gift_card(
        owner,
        PurchaseInput(
            amount=Decimal("50"),
            recipient_email="robin@example.com",
            recipient_name="Robin",
            sender_name="Sam",
            message="Enjoy!",
        ),
    )
    cart = await carts.get_cart(owner)
    assert cart.subtotal == Decimal("130.00")
    assert cart.item_count == 3
    assert await cart_queries.item_count(owner) == 3  # the header's badge agrees
    code_name = f"HALF{uuid.uuid4().hex[:6]}".upper()
    await create_discount_code(code_name, kind="percent", value=Decimal("50"), actor=admin_viewer)

    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(discount_code=code_name),
        checkout_key=f"gift-{uuid.uuid4().hex}",
    )

    order = await order_row(placed.id)
    # Half off the goods only; the gift card is neither discounted nor taxed.
    assert (order.subtotal, order.discount) == (Decimal("130.00"), Decimal("40.00"))
    assert order.total == Decimal("90.00") + order.shipping + order.tax
    async with session_scope() as session:
        lines = (await session.exec(select(OrderLine).where(OrderLine.order_id == placed.id))).all()
    [card_line] = [line for line in lines if line.gift_card]
    assert (card_line.sku, card_line.unit_price, card_line.display_name) == (
        "GIFT-CARD",
        Decimal("50.00"),
        "Gift card (Robin / once paid)",
    )
    assert await checkout.issue_bought_gift_cards(placed.id) == 0  # not paid yet

    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="pay",
    )
    await checkout.forget_paid_cart_lines(placed.id)
    assert await checkout.issue_bought_gift_cards(placed.id) == 1
    assert await checkout.issue_bought_gift_cards(placed.id) == 0  # once

    async with session_scope() as session:
        card = (
            await session.exec(select(GiftCard).where(GiftCard.order_line_id == card_line.id))
        ).one()
    assert (card.source, card.balance, card.recipient_email, card.code_hash) == (
        "purchase",
        Decimal("50.00"),
        "robin@example.com",
        None,  # its code is made when it is e-mailed
    )
    assert (await carts.get_cart(owner)).item_count == 0  # goods and card left the cart
    assert await gift_card_delivery.deliver(card.id) is True


async def test_a_cart_of_gift_cards_alone_ships_nothing_and_goes_to_the_buyer(
    admin_viewer: Viewer,
) -> None:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    await carts.add_gift_card(owner, PurchaseInput(amount=Decimal("25")))

    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email="buyer-self@example.com", shipping_method="express"),
        checkout_key=f"alone-{uuid.uuid4().hex}",
    )

    order = await order_row(placed.id)
    assert (order.total, order.shipping, order.tax, order.shipping_method) == (
        Decimal("25.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        "none",
    )
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="pay",
    )
    [card_id] = [
        c
        for c in await gift_card_purchases.issue_bought(
            await order_queries.gift_cards_bought(placed.id)
        )
    ]
    detail = await queries.get_card(card_id, admin_viewer)
    assert detail.recipient_email == "buyer-self@example.com"


async def test_a_gift_card_dated_in_the_past_or_too_far_ahead_is_refused() -> None:
    owner = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert owner is not None
    for when in (utcnow() - timedelta(days=1), utcnow() + timedelta(days=400)):
        with pytest.raises(InvalidInputError, match="delivery date"):
            await carts.add_gift_card(
                owner,
                PurchaseInput(amount=Decimal("25"), recipient_email="x@example.com", send_at=when),
            )
    with pytest.raises(ValueError, match="amount from 5 to 1000"):
        PurchaseInput(amount=Decimal("2000"))


async def test_an_erased_buyer_leaves_the_card_its_money_but_not_their_name(
    admin_viewer: Viewer, shopper_viewer: Viewer
) -> None:
    from backend.privacy import erasure as privacy

    owner = cart_owners.user_owner(shopper_viewer.user_id)
    await carts.add_gift_card(
        owner,
        PurchaseInput(
            amount=Decimal("30"),
            recipient_email="kept-friend@example.com",
            sender_name="Secret Santa",
            message="From me",
        ),
    )
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=shopper_viewer.email),
        checkout_key=f"erase-{uuid.uuid4().hex}",
        user_id=shopper_viewer.user_id,
    )
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key="pay",
    )
    assert await checkout.issue_bought_gift_cards(placed.id) == 1
    assert (await order_row(placed.id)).status == "delivered"  # nothing to ship

    await privacy.erase_customer(shopper_viewer.user_id, actor=admin_viewer)

    async with session_scope() as session:
        card = (
            await session.exec(
                select(GiftCard).where(GiftCard.recipient_email == "kept-friend@example.com")
            )
        ).one()
        line = (await session.exec(select(OrderLine).where(OrderLine.order_id == placed.id))).one()
    assert (card.sender_name, card.message, card.balance) == ("[erased]", "", Decimal("30.00"))
    assert line.gift_card == {"erased": True}


async def test_a_customers_data_export_lists_the_gift_cards_sent_to_them(
    admin_viewer: Viewer, shopper_viewer: Viewer
) -> None:
    from backend.privacy import export

    issued = await services.issue_card(
        IssueInput(amount=Decimal("20"), recipient_email=shopper_viewer.email, sender_name="Shop"),
        actor=admin_viewer,
    )
    await gift_card_delivery.deliver(issued.id)

    document = await export.export_my_data(shopper_viewer)

    [card] = document["gift_cards_received"]
    assert (card["balance"], card["from"]) == ("20.00", "Shop")
    assert card["card"].startswith("•••• ")


async def test_a_guests_gift_cards_join_the_account_cart_at_sign_in(shopper_viewer: Viewer) -> None:
    from backend.cart.merge import merge_guest_cart

    guest = cart_owners.guest_owner(cart_owners.new_guest_token())
    assert guest is not None
    await carts.add_gift_card(guest, PurchaseInput(amount=Decimal("35"), recipient_name="Kim"))
    user = cart_owners.user_owner(shopper_viewer.user_id)

    merged = await merge_guest_cart(guest, user)

    assert [card.display_name for card in merged.gift_cards] == ["Gift card for Kim"]
    assert (await carts.get_cart(guest)).gift_cards == ()
