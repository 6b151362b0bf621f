"""Order use cases: place an order from a cart, cancel it while unpaid, expire unpaid ones.

Placing an order is one transaction: the checkout key is locked (the same checkout
submitted twice, from a double click, a retry or two tabs, finds the first order), the
caller's admission check runs (`backend/checkout/limits.py`), every line's stock is
reserved (`backend/inventory`) and the line re-priced under the live promotions
(`backend/merchandising`; the line keeps the promotion as it was), the discount redeemed,
the order-wide and shipping promotions applied (the order keeps them as they were),
the totals computed (`backend/pricing`), and the order, its line snapshots, its first
history entries and `OrderPlaced` written together. Cancelling (or expiring) an order
returns its stock, its discount code's use and what gift cards paid, in one transaction.

The doors (storefront, API, jobs) do not call these directly: they go through
`backend/checkout`, which adds the limits and the payment steps.
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.services import actor_label
from backend.cart import queries as cart_queries
from backend.cart.schemas import CartOwner, GiftCardLine
from backend.catalog import cache as catalog_cache
from backend.catalog.schemas import options_title
from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.outbox import record_event
from backend.giftcards import codes, redemption
from backend.giftcards.redemption import Redemption
from backend.inventory import services as inventory
from backend.merchandising.promotions import PricedItem, coverage_of, live_order_offers
from backend.observability import metrics
from backend.orders import promotion_usage, status
from backend.orders.applied_promotions import promotions_applied
from backend.orders.charges import ChargedLine, work_out_charges
from backend.orders.errors import EmptyCartError, InvalidTransitionError
from backend.orders.events import (
    OrderCancelled,
    OrderLineSummary,
    OrderPaid,
    OrderPlaced,
    TaxRowSummary,
)
from backend.orders.inputs import CheckoutDetails
from backend.orders.locks import lock_expired_unpaid_orders_for_update, lock_order_for_update
from backend.orders.models import Order, OrderLine, OrderStatusChange, OrderTaxLine
from backend.orders.ownership import Shopper, require_owner
from backend.pricing import discounts
from backend.pricing.totals import PricedLine, Totals, goods_after_multibuys, tax_rows
from backend.settings import get_settings
from backend.shipping import quotes
from backend.shop_settings.values import store_settings

# Order numbers: readable, unambiguous (no 0/O, 1/I/L), 8 random characters.
_NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_CHECKOUT_KEY_LENGTH = 100

# Runs inside a placement's transaction before anything is reserved; raises to refuse.
Admission = Callable[[AsyncSession], Awaitable[None]]
# Runs inside a placement's transaction once the new order (this id) is written.
PlacementHook = Callable[[AsyncSession, uuid.UUID], Awaitable[None]]


@dataclass(frozen=True)
class PlacedOrder:
    id: uuid.UUID
    number: str
    total: Decimal
    currency: str
    created: bool  # False: this checkout had placed it already
    amount_due: Decimal  # what is left to pay by card (the total less gift cards)
    paid: bool = False  # a gift card paid it all as it was placed


def new_order_number(prefix: str = "KG") -> str:
    """ "KG-7Q4M-2XH9": the store's prefix and 8 random characters."""
    body = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


CHECKOUT_EXPIRED = "This checkout has expired; please review your order again."


def _check_key(checkout_key: str) -> str:
    key = checkout_key.strip()
    if not key or len(key) > MAX_CHECKOUT_KEY_LENGTH:
        raise InvalidInputError(CHECKOUT_EXPIRED)
    return key


async def _existing(session: AsyncSession, checkout_key: str) -> Order | None:
    return (await session.exec(select(Order).where(Order.checkout_key == checkout_key))).first()


async def place_order(
    *,
    cart_owner: CartOwner,
    details: CheckoutDetails,
    checkout_key: str,
    user_id: uuid.UUID | None = None,
    admit: Admission | None = None,
    on_placed: PlacementHook | None = None,
) -> PlacedOrder:
    """The order for this checkout, placed now or found (same `checkout_key`, same cart
    and account: a key never finds someone else's order).

    `admit` runs in the order's transaction, after the checkout key's lock and the look
    for an earlier order of that key, before anything is reserved: it raises to refuse
    a new order (the checkout's unpaid-order limits); a retry never reaches it.
    `on_placed` runs in the same transaction once the new order is written (the
    checkout closes the cart's reminder there: orders sit below cart recovery and
    never call it).

    Raises EmptyCartError, inventory.OutOfStockError (nothing reserved, the cart is
    kept), DiscountRefusedError, InvalidInputError (address, method, a key
    of another checkout), and what `admit` raises."""
    key = _check_key(checkout_key)
    settings, shop = get_settings(), await store_settings()
    cart = await cart_queries.get_cart(cart_owner)
    wanted = {line.variant_id: line.quantity for line in cart.lines}
    # Which promotions cover the cart's products, read before the order's transaction
    # holds a connection; the lines are priced with it at the prices they are reserved at.
    coverage = await coverage_of({line.product_id for line in cart.lines})
    offers = await live_order_offers()  # the order-wide and shipping promotions
    if details.country not in await quotes.countries_shipped_to():
        raise quotes.not_shipped_to(details.country)  # before any work

    async with session_scope() as session:
        # Two submissions of one checkout queue here; the second finds the first's order.
        await session.exec(  # type: ignore[call-overload]  # SQLModel's exec() overloads take no TextClause
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            params={"key": key},
        )
        if (found := await _existing(session, key)) is not None:
            if found.cart_key != cart_owner.key or found.user_id != user_id:
                raise InvalidInputError(CHECKOUT_EXPIRED)
            return _placed(found, created=False)
        if not wanted and not cart.gift_cards:
            raise EmptyCartError("Your cart is empty.")
        if admit is not None:
            await admit(session)
        order_id = uuid.uuid4()
        reserved = await inventory.reserve(session, wanted) if wanted else []
        if any(line.currency != settings.shop_currency for line in reserved):
            raise InvalidInputError("A product in your cart cannot be sold in this currency.")
        # Re-priced here, whatever the cart showed: the promotions live at this moment.
        priced = coverage.price(
            [
                (str(line.variant_id), line.product_id, line.unit_price, line.quantity)
                for line in reserved
            ]
        )
        reserved = [
            dataclasses.replace(line, unit_price=item.unit_price)
            for line, item in zip(reserved, priced, strict=True)
        ]
        subtotal = goods_after_multibuys(
            PricedLine(line.unit_price, line.quantity, multibuy_off=item.multibuy_off)
            for line, item in zip(reserved, priced, strict=True)
        )
        discount = None
        if details.discount_code:
            discount = await discounts.redeem_discount(session, details.discount_code, subtotal)
        spent = await promotion_usage.used_up(
            session, offers, email=details.email, user_id=user_id, lock=True
        )
        charges = await work_out_charges(
            session,
            [
                ChargedLine(line.variant_id, line.unit_price, line.quantity, item.multibuy_off)
                for line, item in zip(reserved, priced, strict=True)
            ]
            + [ChargedLine(None, card.amount, 1) for card in cart.gift_cards],
            details,
            discount=discount,
            offers=[offer for offer in offers if offer.id not in spent],
        )
        totals, method = charges.totals, charges.method
        gift_card = await _redeem_gift_card(session, details, order_id, totals)
        order = Order(
            id=order_id,
            number=new_order_number(shop.order_number_prefix),
            checkout_key=key,
            user_id=user_id,
            email=details.email,
            customer_name=details.full_name,
            phone=details.phone,
            shipping_address=details.address_snapshot(),
            shipping_method=method.code,
            currency=settings.shop_currency,
            subtotal=totals.subtotal,
            discount=totals.discount,
            shipping=totals.shipping,
            tax=totals.tax,
            prices_include_tax=totals.prices_include_tax,
            total=totals.total,
            gift_card_amount=gift_card.amount if gift_card else Decimal("0.00"),
            amount_paid=gift_card.amount if gift_card else Decimal("0.00"),
            discount_code=discount.code if discount else None,
            order_promotion_id=charges.order_offer.id if charges.order_offer else None,
            order_promotion_title=charges.order_offer.title if charges.order_offer else None,
            order_promotion_amount=totals.promotion_discount,
            multibuy_discount=totals.multibuy_discount,
            shipping_promotion_title=(
                charges.shipping_offer.title if charges.shipping_offer else None
            ),
            shipping_promotion_id=charges.shipping_offer.id if charges.shipping_offer else None,
            cart_key=cart_owner.key,
            expires_at=utcnow() + timedelta(minutes=shop.order_payment_timeout_minutes),
        )
        session.add(order)
        await session.flush()
        stock_shown = await inventory.record_reservation(session, reserved, order_id=order_id)
        for position, tax_line in enumerate(totals.tax_lines):
            session.add(
                OrderTaxLine(
                    order_id=order_id,
                    position=position,
                    name=tax_line.tax.name,
                    percent=tax_line.tax.percent,
                    base=tax_line.base,
                    amount=tax_line.amount,
                )
            )
        _write_lines(session, order_id, reserved, priced, cart.gift_cards)
        for applied in promotions_applied(order_id, reserved, priced, charges):
            session.add(applied)
        for axis, first in (("order", "pending_payment"), ("payment", "unpaid")):
            session.add(
                OrderStatusChange(
                    order_id=order_id, axis=axis, to_status=first, actor="shopper", note="Placed"
                )
            )
        if on_placed is not None:
            await on_placed(session, order_id)
        await record_event(session, _placed_event(order, reserved, cart.gift_cards, totals))
        if gift_card is not None and order.amount_due == 0:
            await _paid_by_gift_card(session, order, gift_card)
    # Pages show stock; an order that changes nothing they show keeps their caches.
    await catalog_cache.stock_moved_after_commit(shown=stock_shown)
    metrics.ORDERS_PLACED.inc()
    return _placed(order, created=True)


async def _redeem_gift_card(
    session: AsyncSession, details: CheckoutDetails, order_id: uuid.UUID, totals: Totals
) -> Redemption | None:
    """The checkout's gift card pays what it holds towards the total (None: no card)."""
    if not details.gift_card_code or totals.total <= 0:
        return None
    return await redemption.redeem(
        session,
        details.gift_card_code,
        order_id=order_id,
        amount_due=totals.total,
        currency=get_settings().shop_currency,
        now=utcnow(),
    )


def _placed(order: Order, *, created: bool) -> PlacedOrder:
    return PlacedOrder(
        order.id,
        order.number,
        order.total,
        order.currency,
        created=created,
        amount_due=order.amount_due,
        paid=order.payment_status == "paid",
    )


async def _paid_by_gift_card(session: AsyncSession, order: Order, gift_card: Redemption) -> None:
    """A gift card covered the whole total: the order is paid as it is placed."""
    note = f"Paid by gift card {codes.masked(gift_card.last_four)}"
    status.move(session, order, "payment", "paid", actor="shopper", note=note)
    status.move(session, order, "order", "paid", actor="shopper")
    order.expires_at = None
    await record_event(session, OrderPaid.of(order, order.gift_card_amount))


def _write_lines(
    session: AsyncSession,
    order_id: uuid.UUID,
    reserved: list[inventory.ReservedLine],
    priced: list[PricedItem],
    gift_cards: tuple[GiftCardLine, ...],
) -> None:
    """The order's line snapshots: the goods as reserved and priced, then the gift cards."""
    for position, (line, item) in enumerate(zip(reserved, priced, strict=True)):
        sale, multibuy = item.sale, item.multibuy
        session.add(
            OrderLine(
                order_id=order_id,
                product_id=line.product_id,
                variant_id=line.variant_id,
                sku=line.sku,
                name=line.name,
                options=[{"name": name, "value": value} for name, value in line.options],
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.unit_price * line.quantity,
                position=position,
                list_price=sale.list_price if sale else None,
                promotion_title=sale.title[:120] if sale else None,
                promotion_id=sale.offer.id if sale else None,
                multibuy_discount=item.multibuy_off,
                multibuy_title=multibuy.offer.title if multibuy else None,
                multibuy_id=multibuy.offer.id if multibuy else None,
            )
        )
    for position, card in enumerate(gift_cards, start=len(reserved)):
        session.add(_gift_card_line(order_id, position, card))


GIFT_CARD_SKU = "GIFT-CARD"


def _gift_card_line(order_id: uuid.UUID, position: int, card: GiftCardLine) -> OrderLine:
    """A gift card sold, as an order line: what the buyer asked for, kept for issuing."""
    who = card.recipient_name or card.recipient_email or "you"
    when = f"{card.send_at:%d %b %Y}" if card.send_at else "once paid"
    return OrderLine(
        order_id=order_id,
        sku=GIFT_CARD_SKU,
        name="Gift card",
        options=[{"name": "For", "value": who}, {"name": "Sent", "value": when}],
        unit_price=card.amount,
        quantity=1,
        line_total=card.amount,
        position=position,
        gift_card={
            "recipient_email": card.recipient_email,
            "recipient_name": card.recipient_name,
            "sender_name": card.sender_name,
            "message": card.message,
            "send_at": card.send_at.isoformat() if card.send_at else None,
            "cart_line": card.line_id,
        },
    )


def goods_summary(
    name: str, sku: str, quantity: int, unit_price: Decimal, options: tuple[tuple[str, str], ...]
) -> OrderLineSummary:
    """A line of goods as the order's events tell it."""
    return OrderLineSummary(
        name=name,
        sku=sku,
        quantity=quantity,
        line_total=PricedLine(unit_price, quantity).line_total,
        options=options_title(options),
    )


def placed_event(order: Order, lines: tuple[OrderLineSummary, ...], totals: Totals) -> OrderPlaced:
    """`OrderPlaced` for a new order: its lines as summarised, and its totals."""
    return OrderPlaced(
        aggregate_id=str(order.id),
        order_number=order.number,
        email=order.email,
        customer_name=order.customer_name,
        lines=lines,
        currency=order.currency,
        subtotal=totals.subtotal,
        shipping=totals.shipping,
        tax=totals.tax,
        discount=totals.discount,
        total=totals.total,
        gift_card=order.gift_card_amount,
        tax_rows=tuple(
            TaxRowSummary(label=label, amount=amount)
            for label, amount in tax_rows(
                totals.tax_lines, totals.tax, prices_include_tax=totals.prices_include_tax
            )
        ),
    )


def _placed_event(
    order: Order,
    reserved: list[inventory.ReservedLine],
    gift_cards: tuple[GiftCardLine, ...],
    totals: Totals,
) -> OrderPlaced:
    goods = tuple(
        goods_summary(line.name, line.sku, line.quantity, line.unit_price, line.options)
        for line in reserved
    )
    cards = tuple(
        OrderLineSummary(
            name=card.display_name,
            sku=GIFT_CARD_SKU,
            quantity=1,
            line_total=card.amount,
            options=card.delivery,
        )
        for card in gift_cards
    )
    return placed_event(order, goods + cards, totals)


async def cancel_order_locked(
    session: AsyncSession, order: Order, *, actor: str, reason: str, stock_reason: str
) -> None:
    """Cancel an order the caller has locked: its goods go back into stock, its
    discount code's use comes back, and so does what gift cards paid (an order
    cancelled after payment was refunded first, which gave the cards theirs). The move
    to cancelled happens once per order (the transition table refuses it from
    cancelled), so each of these happens once."""
    status.move(session, order, "order", "cancelled", actor=actor, note=reason)
    order.expires_at = None
    if order.discount_code:
        await discounts.give_back_use(session, order.discount_code)
    if order.gift_card_amount:
        await redemption.return_for_order(session, order.id, actor=actor)
    lines = (await session.exec(select(OrderLine).where(OrderLine.order_id == order.id))).all()
    returned: dict[uuid.UUID, int] = {}
    for line in lines:
        if line.variant_id is not None:
            returned[line.variant_id] = returned.get(line.variant_id, 0) + line.quantity
    await inventory.release(session, returned, order_id=order.id, reason=stock_reason)
    await record_event(
        session,
        OrderCancelled(
            aggregate_id=str(order.id), order_number=order.number, email=order.email, reason=reason
        ),
    )


# Payments that may still succeed: an order waiting on one is not cancelled under it.
_PAYMENT_IN_FLIGHT = ("processing",)


async def cancel_unpaid_order(
    order_id: uuid.UUID, *, shopper: Shopper | None = None, by: Viewer | None = None
) -> None:
    """The customer (`shopper`: refused unless it is theirs, `backend.orders.ownership`)
    or an admin (`by`) cancels an order that is not paid: its stock returns."""
    if (shopper is None) == (by is None):
        raise TypeError("cancel_unpaid_order needs exactly one of shopper= and by=")
    if by is not None:
        require_permission(by, Permission.ORDERS_REFUND, "cancel orders")
    actor = actor_label(by) if by is not None else "shopper"
    async with session_scope() as session:
        order = await lock_order_for_update(session, order_id)
        if shopper is not None:
            require_owner(shopper, order.id, order.user_id)
        if order.payment_status in _PAYMENT_IN_FLIGHT:
            raise InvalidTransitionError(
                "The payment for this order is still being processed; try again in a minute."
            )
        if order.status != "pending_payment":
            raise InvalidTransitionError(
                f"Order {order.number} is {status.label(order.status)}; only an order "
                "awaiting payment can be cancelled here."
            )
        await cancel_order_locked(
            session,
            order,
            actor=actor,
            reason="Cancelled by the shopper" if by is None else "Cancelled by the shop",
            stock_reason="order_cancelled",
        )
        if by is not None:
            audit.record(
                session,
                actor=by,
                action="order.cancelled",
                entity_type="order",
                entity_id=order.number,
                before={"status": "pending_payment"},
                after={"status": order.status},
            )
    await catalog_cache.invalidate_after_commit()  # pages show stock


async def expire_unpaid_orders(*, limit: int = 100) -> int:
    """Cancel orders left unpaid past their time and return their stock (a worker cron
    job; safe to run anywhere, any number of times: each order is locked, skipped by
    other runs, and re-checked). Returns how many were cancelled."""
    cancelled = 0
    async with session_scope() as session:
        due = await lock_expired_unpaid_orders_for_update(
            session, payment_in_flight=_PAYMENT_IN_FLIGHT, limit=limit
        )
        for order in due:
            await cancel_order_locked(
                session,
                order,
                actor="system",
                reason="Not paid in time",
                stock_reason="order_expired",
            )
            cancelled += 1
    if cancelled:
        await catalog_cache.invalidate_after_commit()  # pages show stock
    return cancelled


async def cart_key_of(order_id: uuid.UUID) -> str | None:
    """The cart (visitor) an order came from: guest token or user key."""
    async with session_scope() as session:
        order = await session.get(Order, order_id)
    return order.cart_key if order else None
