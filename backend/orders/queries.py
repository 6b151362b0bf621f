"""Reading orders: one order with its lines and timeline, a shopper's history, the guest
lookup, and the checkout preview (totals before anything is reserved)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select as SQLModelSelect

from backend.accounts.models import CustomerTag
from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.cart import queries as cart_queries
from backend.cart.schemas import Cart, CartOwner
from backend.catalog.schemas import options_title
from backend.core.db import read_scope
from backend.core.errors import NotFoundError
from backend.core.like import contains_pattern
from backend.core.money import format_money
from backend.core.pagination import Page, clamp_page
from backend.core.regions import country_name
from backend.giftcards import queries as gift_card_queries
from backend.giftcards.purchases import BoughtCard
from backend.giftcards.redemption import Redemption
from backend.merchandising.promotions import live_order_offers
from backend.orders import promotion_usage, status
from backend.orders.charges import (
    NO_SHIPPING,
    ChargedLine,
    after_shipping_offer,
    parcel_and_lines,
    work_out_charges,
)
from backend.orders.filters import ALL_ORDERS, OrderFilters
from backend.orders.inputs import CheckoutDetails
from backend.orders.models import Order, OrderLine, OrderParcel, OrderStatusChange, OrderTaxLine
from backend.orders.ownership import ORDER_NOT_FOUND, Shopper
from backend.pricing import discounts
from backend.pricing.totals import AppliedTax, DiscountRule, TaxLine, Totals
from backend.shipping import quotes as shipping_quotes
from backend.shipping.rules import ShippingOption, zone_for


@dataclass(frozen=True)
class OrderLineRecord:
    name: str
    sku: str
    product_id: uuid.UUID | None
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    variant_id: uuid.UUID | None = None
    # The variant's option values when bought: (("Size", "M"), ("Colour", "Navy")).
    options: tuple[tuple[str, str], ...] = ()
    # The automatic promotion it was sold under and the price before it (None without).
    promotion_title: str | None = None
    list_price: Decimal | None = None
    # The multi-buy it counted towards and what that took off it (all units together).
    multibuy_title: str | None = None
    multibuy_discount: Decimal = Decimal("0.00")
    line_id: uuid.UUID | None = None  # what an edit names the line by

    @property
    def options_title(self) -> str:
        """ "M / Navy" ("" for a product without options)."""
        return options_title(self.options)

    @property
    def display_name(self) -> str:
        """ "Storm Fleece Jacket (M / Navy)"; the name alone without options."""
        return f"{self.name} ({self.options_title})" if self.options else self.name


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    axis: str
    status: str
    note: str


@dataclass(frozen=True)
class OrderDetail:
    id: uuid.UUID
    number: str
    user_id: uuid.UUID | None
    email: str
    customer_name: str
    status: str
    payment_status: str
    currency: str
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    refunded_amount: Decimal
    gift_card_amount: Decimal  # what gift cards paid of the total
    amount_paid: Decimal  # the money received (`Order.amount_paid`)
    discount_code: str | None
    order_promotion_title: str | None  # the order-wide promotion it got
    order_promotion_amount: Decimal  # its part of `discount`
    shipping_promotion_title: str | None
    shipping_method: str
    shipping_address: dict[str, Any]
    carrier: str | None
    tracking_number: str | None
    created_at: datetime
    expires_at: datetime | None
    lines: tuple[OrderLineRecord, ...]
    timeline: tuple[TimelineEntry, ...]
    prices_include_tax: bool
    tax_lines: tuple[TaxLine, ...]

    @property
    def amount_due(self) -> Decimal:
        """What is left to pay (`Order.amount_due`)."""
        return max(self.total - self.amount_paid, Decimal("0.00"))

    @property
    def multibuy_discount(self) -> Decimal:
        """The multi-buys' part of `discount`."""
        return sum((line.multibuy_discount for line in self.lines), Decimal("0.00"))

    @property
    def multibuy_titles(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(line.multibuy_title for line in self.lines if line.multibuy_title)
        )

    @property
    def code_discount(self) -> Decimal:
        """The discount code's part of `discount`."""
        return self.discount - self.order_promotion_amount - self.multibuy_discount

    @property
    def can_cancel(self) -> bool:
        return self.status == "pending_payment" and self.payment_status != "processing"

    @property
    def can_pay(self) -> bool:
        """Whether the customer may pay now: a new order, or what an edit added."""
        if self.status == "pending_payment":
            return self.payment_status in ("unpaid", "failed")
        return self.status == "paid" and self.payment_status == "partially_paid"

    @property
    def awaiting_confirmation(self) -> bool:
        return self.status == "pending_payment" and self.payment_status == "requires_action"


@dataclass(frozen=True)
class OrderSummary:
    number: str
    created_at: datetime
    status: str
    payment_status: str
    total: Decimal
    currency: str
    item_count: int


async def get_order(number: str) -> OrderDetail:
    """One order by its number, with lines and timeline; the caller decides whether the
    viewer may see it (`may_view`). With its payments too:
    `payments.queries.get_order_with_payments`."""
    async with read_scope() as session:
        order = (await session.exec(select(Order).where(Order.number == number[:20]))).first()
        if order is None:
            raise NotFoundError(ORDER_NOT_FOUND)
        lines = (
            await session.exec(
                select(OrderLine)
                .where(OrderLine.order_id == order.id)
                .order_by(col(OrderLine.position))
            )
        ).all()
        history = (
            await session.exec(
                select(OrderStatusChange)
                .where(OrderStatusChange.order_id == order.id)
                .order_by(col(OrderStatusChange.created_at), col(OrderStatusChange.axis))
            )
        ).all()
        tax_lines = (
            await session.exec(
                select(OrderTaxLine)
                .where(OrderTaxLine.order_id == order.id)
                .order_by(col(OrderTaxLine.position))
            )
        ).all()
    return OrderDetail(
        prices_include_tax=order.prices_include_tax,
        tax_lines=tuple(
            TaxLine(AppliedTax(line.name, line.percent), line.base, line.amount)
            for line in tax_lines
        ),
        id=order.id,
        number=order.number,
        user_id=order.user_id,
        email=order.email,
        customer_name=order.customer_name,
        status=order.status,
        payment_status=order.payment_status,
        currency=order.currency,
        subtotal=order.subtotal,
        discount=order.discount,
        shipping=order.shipping,
        tax=order.tax,
        total=order.total,
        refunded_amount=order.refunded_amount,
        gift_card_amount=order.gift_card_amount,
        amount_paid=order.amount_paid,
        discount_code=order.discount_code,
        order_promotion_title=order.order_promotion_title,
        order_promotion_amount=order.order_promotion_amount,
        shipping_promotion_title=order.shipping_promotion_title,
        shipping_method=order.shipping_method,
        shipping_address=dict(order.shipping_address),
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        created_at=order.created_at,
        expires_at=order.expires_at,
        lines=tuple(
            OrderLineRecord(
                line.name,
                line.sku,
                line.product_id,
                line.unit_price,
                line.quantity,
                line.line_total,
                variant_id=line.variant_id,
                options=tuple((option["name"], option["value"]) for option in line.options),
                promotion_title=line.promotion_title,
                list_price=line.list_price,
                multibuy_title=line.multibuy_title,
                multibuy_discount=line.multibuy_discount,
                line_id=line.id,
            )
            for line in lines
        ),
        timeline=tuple(
            TimelineEntry(h.created_at, h.axis, status.label(h.to_status), h.note) for h in history
        ),
    )


def may_view(order: OrderDetail, shopper: Shopper) -> bool:
    """A shopper sees their own orders, and those they opened without an account (placed
    in their browser tab, or looked up with the order's e-mail): `backend.orders.ownership`."""
    return shopper.owns(order.id, order.user_id)


@dataclass(frozen=True)
class ParcelRecord:
    """One parcel a shipped order left in."""

    location_id: uuid.UUID | None  # None: nothing in it was held at a location
    location_name: str
    carrier: str
    tracking_number: str
    shipped_at: datetime


async def parcels_of(order_id: uuid.UUID, *, actor: Viewer) -> list[ParcelRecord]:
    """The parcels an order shipped in (none before it ships), in order (staff)."""
    require_permission(actor, Permission.ORDERS_VIEW, "see orders")
    async with read_scope() as session:
        rows = (
            await session.exec(
                select(OrderParcel)
                .where(OrderParcel.order_id == order_id)
                .order_by(col(OrderParcel.position))
            )
        ).all()
    return [
        ParcelRecord(
            row.location_id, row.location_name, row.carrier, row.tracking_number, row.created_at
        )
        for row in rows
    ]


async def order_status(order_id: uuid.UUID) -> str:
    """The order's status now (pending_payment, paid, …); raises NotFoundError."""
    async with read_scope() as session:
        found = (await session.exec(select(Order.status).where(Order.id == order_id))).first()
    if found is None:
        raise NotFoundError(ORDER_NOT_FOUND)
    return found


@dataclass(frozen=True)
class BoughtFromCart:
    cart_key: str
    variant_ids: tuple[uuid.UUID, ...]
    gift_card_lines: tuple[str, ...] = ()  # the cart's gift card line ids


async def bought_from_cart(order_id: uuid.UUID) -> BoughtFromCart | None:
    """A paid order's variants and the cart they were bought from; None while the order
    is not paid, or when it came from no cart."""
    async with read_scope() as session:
        order = await session.get(Order, order_id)
        if order is None or order.cart_key is None or order.payment_status != "paid":
            return None
        lines = (
            await session.exec(
                select(OrderLine.variant_id, OrderLine.gift_card).where(
                    OrderLine.order_id == order_id
                )
            )
        ).all()
    return BoughtFromCart(
        order.cart_key,
        tuple(variant_id for variant_id, _ in lines if variant_id is not None),
        tuple(str(card["cart_line"]) for _, card in lines if card and card.get("cart_line")),
    )


async def gift_cards_bought(order_id: uuid.UUID) -> list[BoughtCard]:
    """The gift cards a paid order bought (none while it is not paid); a card with no
    recipient goes to the buyer."""
    async with read_scope() as session:
        order = await session.get(Order, order_id)
        if order is None or order.payment_status != "paid":
            return []
        lines = (
            await session.exec(
                select(OrderLine).where(
                    OrderLine.order_id == order_id, col(OrderLine.gift_card).is_not(None)
                )
            )
        ).all()
    bought = []
    for line in lines:
        card = line.gift_card or {}
        send_at = card.get("send_at")
        bought.append(
            BoughtCard(
                order_line_id=line.id,
                amount=line.unit_price,
                currency=order.currency,
                recipient_email=card.get("recipient_email") or order.email,
                recipient_name=card.get("recipient_name") or "",
                sender_name=card.get("sender_name") or "",
                message=card.get("message") or "",
                send_at=datetime.fromisoformat(send_at) if send_at else None,
            )
        )
    return bought


async def find_guest_order(email: str, number: str) -> uuid.UUID | None:
    """The order with this number and e-mail address (the guest lookup), else None. The
    answer is the same whether the number or the address is wrong."""
    async with read_scope() as session:
        return (
            await session.exec(
                select(Order.id).where(
                    Order.number == number.strip().upper()[:20],
                    func.lower(Order.email) == email.strip().lower()[:255],
                )
            )
        ).first()


async def list_orders(user_id: uuid.UUID, *, page: int = 1, limit: int = 20) -> Page[OrderSummary]:
    page, limit = clamp_page(page, limit)
    counts = (
        select(OrderLine.order_id, func.sum(OrderLine.quantity).label("item_count"))
        .group_by(col(OrderLine.order_id))
        .subquery()
    )
    async with read_scope() as session:
        rows: Sequence[tuple[Any, ...]] = (
            await session.exec(
                SQLModelSelect(
                    col(Order.number),
                    col(Order.created_at),
                    col(Order.status),
                    col(Order.payment_status),
                    col(Order.total),
                    col(Order.currency),
                    counts.c.item_count,
                )
                .join(counts, counts.c.order_id == Order.id)
                .where(Order.user_id == user_id)
                .order_by(col(Order.created_at).desc())
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (await session.exec(select(func.count()).where(Order.user_id == user_id))).one()
    return Page(
        items=[
            OrderSummary(number, created_at, status, payment_status, total, currency, int(items))
            for number, created_at, status, payment_status, total, currency, items in rows
        ],
        total=total,
        page=page,
        limit=limit,
    )


@dataclass(frozen=True)
class CheckoutPreview:
    cart: Cart
    totals: Totals
    discount: DiscountRule | None
    shipping_options: list[ShippingOption]
    gift_card: Redemption | None = None  # what the checkout's gift card would pay
    order_promotion: str | None = None  # the order-wide promotion's title
    shipping_promotion: str | None = None  # the shipping promotion's title

    @property
    def amount_due(self) -> Decimal:
        """What is left for the card payment."""
        return self.totals.total - (self.gift_card.amount if self.gift_card else 0)


def _chargeable(cart: Cart) -> list[ChargedLine]:
    goods = [
        ChargedLine(line.variant_id, line.unit_price, line.quantity, line.multibuy_off)
        for line in cart.lines
        if line.purchasable
    ]
    return goods + [ChargedLine(None, card.amount, 1) for card in cart.gift_cards]


async def preview_checkout(
    owner: CartOwner | None,
    details: CheckoutDetails,
    *,
    asker: str,
    user_id: uuid.UUID | None = None,
) -> CheckoutPreview:
    """What the order would cost now (nothing reserved or redeemed): the review step.
    `asker`: the caller's network address (unknown gift card codes count against it);
    `user_id`: the signed-in customer (promotions limited per customer count theirs).
    Raises DiscountRefusedError / GiftCardRefusedError / InvalidInputError like placing
    it would, and TooManyAttemptsError after too many unknown gift card codes."""
    cart = await cart_queries.get_cart(owner)
    discount = None
    if details.discount_code:
        discount = await discounts.check_discount(details.discount_code, cart.goods_subtotal)
    offers = await live_order_offers()
    async with read_scope() as session:
        spent = await promotion_usage.used_up(
            session, offers, email=details.email, user_id=user_id, lock=False
        )
        charges = await work_out_charges(
            session,
            _chargeable(cart),
            details,
            discount=discount,
            offers=[offer for offer in offers if offer.id not in spent],
        )
    gift_card = None
    if details.gift_card_code and charges.totals.total > 0:
        gift_card = await gift_card_queries.preview_redemption(
            details.gift_card_code,
            amount_due=charges.totals.total,
            currency=cart.currency,
            asker=asker,
        )
    return CheckoutPreview(
        cart,
        charges.totals,
        discount,
        charges.options,
        gift_card,
        order_promotion=charges.order_offer.title if charges.order_offer else None,
        shipping_promotion=charges.shipping_offer.title if charges.shipping_offer else None,
    )


async def shipping_choices(
    owner: CartOwner | None,
    *,
    country: str,
    region: str | None = None,
    postcode: str | None = None,
    cart: Cart | None = None,
) -> list[ShippingOption]:
    """The methods (with prices, after a shipping promotion) this cart could ship by to
    the address: what the checkout form offers. Raises InvalidInputError ("We don't ship
    to …") when no zone covers the address. `cart`: the owner's cart as the caller just
    read it (checkout's first view), else it is read here."""
    if cart is None:
        cart = await cart_queries.get_cart(owner)
    if cart.gift_cards and not cart.lines:
        return [NO_SHIPPING]
    offers = await live_order_offers()
    async with read_scope() as session:
        parcel, _, _ = await parcel_and_lines(
            session, _chargeable(cart), country=country, region=region, discount=None
        )
        where = shipping_quotes.destination(country, region, postcode)
        quote = await shipping_quotes.quote(where, parcel, session)
    # At their prices under a shipping promotion ("free over $75").
    return [
        after_shipping_offer(option, offers, cart.goods_subtotal, quote.zone.id)
        for option in quote.options
    ]


@dataclass(frozen=True)
class StaffOrderRow:
    number: str
    created_at: datetime
    customer_name: str
    email: str
    status: str
    payment_status: str
    total: Decimal
    currency: str


def _conditions(filters: OrderFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status is not None:
        conditions.append(col(Order.status) == filters.status)
    if filters.search:
        pattern = contains_pattern(filters.search)
        conditions.append(
            col(Order.number).ilike(pattern)
            | col(Order.email).ilike(pattern)
            | col(Order.customer_name).ilike(pattern)
        )
    if filters.placed_since is not None:
        conditions.append(col(Order.created_at) >= filters.placed_since)
    if filters.placed_before is not None:
        conditions.append(col(Order.created_at) < filters.placed_before)
    if filters.min_total is not None:
        conditions.append(col(Order.total) >= filters.min_total)
    if filters.max_total is not None:
        conditions.append(col(Order.total) <= filters.max_total)
    if filters.customer_id is not None:
        conditions.append(col(Order.user_id) == filters.customer_id)
    if filters.customer_tag:
        tagged = select(CustomerTag.user_id).where(col(CustomerTag.tag) == filters.customer_tag)
        conditions.append(col(Order.user_id).in_(tagged))
    return conditions


async def list_all_orders(
    actor: Viewer, *, filters: OrderFilters = ALL_ORDERS, page: int = 1, limit: int = 25
) -> Page[StaffOrderRow]:
    """Every order matching `filters`, newest first (staff): by status, number/e-mail/name
    search, placed date range (whole UTC days, both ends included), total range
    (inclusive), account and the account's tag."""
    require_permission(actor, Permission.ORDERS_VIEW, "list every order")
    page, limit = clamp_page(page, limit)
    conditions = _conditions(filters)
    async with read_scope() as session:
        rows: Sequence[tuple[Any, ...]] = (
            await session.exec(
                SQLModelSelect(
                    col(Order.number),
                    col(Order.created_at),
                    col(Order.customer_name),
                    col(Order.email),
                    col(Order.status),
                    col(Order.payment_status),
                    col(Order.total),
                    col(Order.currency),
                )
                .where(*conditions)
                .order_by(col(Order.created_at).desc(), col(Order.id))
                .offset((page - 1) * limit)
                .limit(limit)
            )
        ).all()
        total = (
            await session.exec(select(func.count()).select_from(Order).where(*conditions))
        ).one()
    return Page(items=[StaffOrderRow(*row) for row in rows], total=total, page=page, limit=limit)


async def placed_from_cart_since(session: AsyncSession, cart_key: str, since: datetime) -> bool:
    """Whether an order was placed from this cart at or after `since`, read in the caller's
    transaction (cart reminders check it while holding the cart's reminder lock)."""
    found = await session.exec(
        select(Order.id)
        .where(col(Order.cart_key) == cart_key, col(Order.created_at) >= since)
        .limit(1)
    )
    return found.first() is not None


async def shipping_note(cart: Cart) -> str:
    """What the cart page says about shipping to the shop's home country (the first the
    zones list): the cheapest method's price, and how much more makes a method free.
    "" when the shop ships nowhere or this cart cannot ship there. Gift cards are
    e-mailed: they neither ship nor count towards free shipping."""
    if cart.gift_cards and not cart.lines:
        return "Gift cards are e-mailed: no shipping."
    countries = await shipping_quotes.countries_shipped_to()
    if not countries:
        return ""
    where = shipping_quotes.destination(countries[0])
    async with read_scope() as session:
        parcel, _, _ = await parcel_and_lines(
            session, _chargeable(cart), country=where.country, region=None, discount=None
        )
        zone = zone_for(await shipping_quotes.zones_in_force(session), where)
    options = zone.options_for(parcel) if zone else []
    if not options:
        return ""
    cheapest = min(options, key=lambda option: option.price)
    to = f" to {country_name(where.country)}"
    if not cheapest.price:
        return f"Free {cheapest.label.lower()} shipping{to}."
    note = f"{cheapest.label} shipping{to} {format_money(cheapest.price, cart.currency)}"
    thresholds = [
        method.free_above
        for method in (zone.methods if zone else ())
        if method.free_above is not None
        and method.free_above > parcel.value
        and method.price_for(parcel) is not None
    ]
    if thresholds:
        free_from = min(thresholds)
        missing = free_from - parcel.value
        note += (
            f"; free from {format_money(free_from, cart.currency)}"
            f" ({format_money(missing, cart.currency)} to go)"
        )
    return note + "."
