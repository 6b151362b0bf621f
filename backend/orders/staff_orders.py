"""Orders staff take for a customer (phone and B2B orders, completed from a draft).

The lines are given rather than read from a cart: variants, priced from the catalog under
the live sale promotions as at checkout, and custom lines at a price staff set. Staff may
take an amount off with a reason (no automatic order promotion or code applies: the
discount is theirs to decide) and set the shipping price instead of the method's rate.
Tax and shipping otherwise follow the shop's rules exactly as at checkout
(`charges.work_out_charges`). `quote` works the totals out without reserving anything;
`place` reserves the stock and writes the order in the caller's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.schemas import options_title
from backend.catalog.variant_queries import get_variant_summaries
from backend.core.errors import DomainError, InvalidInputError
from backend.events.outbox import record_event
from backend.inventory import services as inventory
from backend.merchandising.promotions import PricedItem, coverage_of
from backend.orders.charges import ChargedLine, Charges, work_out_charges
from backend.orders.inputs import CheckoutDetails
from backend.orders.models import Order, OrderLine, OrderStatusChange, OrderTaxLine
from backend.orders.services import goods_summary, new_order_number, placed_event
from backend.settings import get_settings
from backend.shop_settings.values import store_settings

CUSTOM_SKU = "CUSTOM"
MAX_DISCOUNT_REASON = 80


@dataclass(frozen=True)
class CustomLine:
    """Something sold that is not in the catalog (a service, an engraving): no stock."""

    name: str
    unit_price: Decimal
    quantity: int


@dataclass(frozen=True)
class StaffTerms:
    """What staff decide on an order they take."""

    manual_discount: Decimal = Decimal("0.00")
    discount_reason: str = ""
    shipping_price: Decimal | None = None  # None: the method's rate
    # How the order names the amount off (None: "Staff discount: <reason>").
    discount_label: str | None = None


@dataclass(frozen=True)
class QuotedLine:
    variant_id: uuid.UUID | None  # None: a custom line
    product_id: uuid.UUID | None
    name: str
    sku: str
    options: tuple[tuple[str, str], ...]
    unit_price: Decimal  # after a sale promotion
    quantity: int
    list_price: Decimal | None = None  # the catalog price a sale lowered
    in_stock: int | None = None  # what is in stock now (None: a custom line)
    sold: bool = True  # the variant and its product are on sale

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def title(self) -> str:
        chosen = options_title(self.options)
        return f"{self.name} ({chosen})" if chosen else self.name


@dataclass(frozen=True)
class StaffQuote:
    lines: list[QuotedLine]
    currency: str
    # None until the order has an address (shipping and tax depend on it).
    charges: Charges | None = None
    problems: list[str] = field(default_factory=list)  # what stops the order being placed


def discount_title(reason: str) -> str:
    """How an order shows the discount staff gave."""
    return f"Staff discount: {reason}"[:120] if reason else "Staff discount"


@dataclass(frozen=True)
class _Base:
    """A variant at its catalog price, before promotions."""

    variant_id: uuid.UUID
    product_id: uuid.UUID
    name: str
    sku: str
    options: tuple[tuple[str, str], ...]
    price: Decimal
    quantity: int
    in_stock: int | None = None
    sold: bool = True


async def _priced_lines(
    bases: Sequence[_Base], custom: Sequence[CustomLine]
) -> tuple[list[QuotedLine], list[PricedItem]]:
    """The variants under the sale promotions live now, then the custom lines."""
    coverage = await coverage_of({base.product_id for base in bases})
    priced = coverage.price(
        [(str(base.variant_id), base.product_id, base.price, base.quantity) for base in bases]
    )
    lines = [
        QuotedLine(
            variant_id=base.variant_id,
            product_id=base.product_id,
            name=base.name,
            sku=base.sku,
            options=base.options,
            unit_price=item.unit_price,
            quantity=base.quantity,
            list_price=item.sale.list_price if item.sale else None,
            in_stock=base.in_stock,
            sold=base.sold,
        )
        for base, item in zip(bases, priced, strict=True)
    ]
    lines += [
        QuotedLine(None, None, line.name, CUSTOM_SKU, (), line.unit_price, line.quantity)
        for line in custom
    ]
    return lines, priced


def _charged(lines: Sequence[QuotedLine], priced: Sequence[PricedItem]) -> list[ChargedLine]:
    multibuys = [item.multibuy_off for item in priced]
    multibuys += [Decimal("0.00")] * (len(lines) - len(multibuys))
    return [
        ChargedLine(
            line.variant_id, line.unit_price, line.quantity, off, custom=line.variant_id is None
        )
        for line, off in zip(lines, multibuys, strict=True)
    ]


def _problems(lines: Sequence[QuotedLine], wanted: dict[uuid.UUID, int]) -> list[str]:
    problems = []
    if not lines:
        problems.append("Add a product or a custom line.")
    if len([line for line in lines if line.variant_id is not None]) < len(wanted):
        problems.append("A product on this order no longer exists; remove it.")
    for line in lines:
        if not line.sold:
            problems.append(f"{line.title} is not sold any more.")
        elif line.in_stock is not None and line.in_stock < line.quantity:
            problems.append(f"Only {line.in_stock} of {line.title} in stock.")
    return problems


async def quote(
    session: AsyncSession,
    *,
    wanted: dict[uuid.UUID, int],
    custom: Sequence[CustomLine],
    details: CheckoutDetails | None,
    terms: StaffTerms,
) -> StaffQuote:
    """What the order would cost now (`details`: None before it has an address); nothing
    is reserved. Without totals (`charges` None) when there is no address yet or it
    cannot be shipped to as asked: `problems` says why."""
    summaries = await get_variant_summaries(list(wanted), session=session)
    bases = [
        _Base(
            variant_id,
            summary.product_id,
            summary.name,
            summary.sku,
            summary.options,
            summary.price,
            wanted[variant_id],
            in_stock=summary.stock_quantity,
            sold=summary.is_active,
        )
        for variant_id in sorted(wanted)
        if (summary := summaries.get(variant_id)) is not None
    ]
    lines, priced = await _priced_lines(bases, custom)
    problems = _problems(lines, wanted)
    currency = get_settings().shop_currency
    if details is None:
        return StaffQuote(lines, currency, None, [*problems, "Add the customer's address."])
    try:
        charges = await work_out_charges(
            session,
            _charged(lines, priced),
            details,
            discount=None,
            manual_discount=terms.manual_discount,
            shipping_price=terms.shipping_price,
        )
    except DomainError as error:  # nothing ships there, or not by this method
        return StaffQuote(lines, currency, None, [*problems, error.message])
    return StaffQuote(lines, currency, charges, problems)


async def place(
    session: AsyncSession,
    *,
    key: str,
    wanted: dict[uuid.UUID, int],
    custom: Sequence[CustomLine],
    details: CheckoutDetails,
    user_id: uuid.UUID | None,
    terms: StaffTerms,
    actor: str,
    expires_at: datetime | None,
    note: str = "Taken by staff",
) -> Order:
    """Reserve the stock and write the order in the caller's transaction (raises
    inventory.OutOfStockError, nothing reserved, when a line cannot be had; InvalidInputError
    for an empty order or an address nothing ships to). `key` is unique per order taken
    (a draft's id): the same key again fails on the unique checkout key."""
    if not wanted and not custom:
        raise InvalidInputError("Add a product or a custom line.")
    shop = await store_settings()
    currency = get_settings().shop_currency
    reserved = await inventory.reserve(session, wanted) if wanted else []
    if any(line.currency != currency for line in reserved):
        raise InvalidInputError("A product on this order cannot be sold in this currency.")
    # Priced at what the reservation read under the variants' row locks.
    lines, priced = await _priced_lines(
        [
            _Base(r.variant_id, r.product_id, r.name, r.sku, r.options, r.unit_price, r.quantity)
            for r in reserved
        ],
        custom,
    )
    charges = await work_out_charges(
        session,
        _charged(lines, priced),
        details,
        discount=None,
        manual_discount=terms.manual_discount,
        shipping_price=terms.shipping_price,
    )
    totals = charges.totals
    order = Order(
        id=uuid.uuid4(),
        number=new_order_number(shop.order_number_prefix),
        checkout_key=key,
        user_id=user_id,
        email=details.email,
        customer_name=details.full_name,
        phone=details.phone,
        shipping_address=details.address_snapshot(),
        shipping_method=charges.method.code,
        currency=currency,
        subtotal=totals.subtotal,
        discount=totals.discount,
        shipping=totals.shipping,
        tax=totals.tax,
        prices_include_tax=totals.prices_include_tax,
        total=totals.total,
        amount_paid=Decimal("0.00"),
        order_promotion_title=(
            (terms.discount_label or discount_title(terms.discount_reason))[:120]
            if totals.promotion_discount
            else None
        ),
        order_promotion_amount=totals.promotion_discount,
        multibuy_discount=totals.multibuy_discount,
        expires_at=expires_at,
    )
    session.add(order)
    await session.flush()
    await inventory.record_reservation(session, reserved, order_id=order.id)
    for position, tax_line in enumerate(totals.tax_lines):
        session.add(
            OrderTaxLine(
                order_id=order.id,
                position=position,
                name=tax_line.tax.name,
                percent=tax_line.tax.percent,
                base=tax_line.base,
                amount=tax_line.amount,
            )
        )
    multibuys = list(priced) + [None] * (len(lines) - len(priced))
    for position, (line, item) in enumerate(zip(lines, multibuys, strict=True)):
        sale = item.sale if item else None
        multibuy = item.multibuy if item else None
        session.add(
            OrderLine(
                order_id=order.id,
                product_id=line.product_id,
                variant_id=line.variant_id,
                sku=line.sku,
                name=line.name,
                options=[{"name": name, "value": value} for name, value in line.options],
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
                position=position,
                list_price=sale.list_price if sale else None,
                promotion_title=sale.title[:120] if sale else None,
                promotion_id=sale.offer.id if sale else None,
                multibuy_discount=item.multibuy_off if item else Decimal("0.00"),
                multibuy_title=multibuy.offer.title if multibuy else None,
                multibuy_id=multibuy.offer.id if multibuy else None,
            )
        )
    for axis, first in (("order", "pending_payment"), ("payment", "unpaid")):
        session.add(
            OrderStatusChange(order_id=order.id, axis=axis, to_status=first, actor=actor, note=note)
        )
    summaries = tuple(
        goods_summary(line.name, line.sku, line.quantity, line.unit_price, line.options)
        for line in lines
    )
    await record_event(session, placed_event(order, summaries, totals))
    return order
