"""Changing an order before it ships: its lines (quantities, lines removed, variants
added) and where and how it ships. `quote_edit` works out what the order would be;
`apply_edit_locked` writes it, in the caller's transaction, on an order the caller locked.

The rules, as staff would expect them on a phone call:
- Lines kept keep the price the customer was charged; variants added are priced from the
  catalog now, under the live sale promotions (no multi-buy: that belongs to the cart).
- A line a multi-buy discounted may be removed but not changed (its discount was worked
  out for its quantity); a gift card sold cannot be changed.
- The order's own discount (its code or order promotion) is kept as the amount it took
  off, never more than the goods left. Shipping is kept at what was charged unless the
  address or method changes, when the method's rate for the new address applies. Tax is
  worked out again by the shop's rules, as at checkout.
- Stock follows the lines through inventory: more of a variant is reserved (all or
  nothing), less is put back, each with an `order_edited` ledger row.
- The money: an unpaid order simply owes the new total; a paid one owes what the edit
  added (its payment status becomes partially_paid) or is owed what the edit took off
  (`Order.amount_to_give_back`, which the caller gives back through payments).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.catalog.schemas import options_title
from backend.catalog.variant_queries import get_variant_summaries
from backend.core.errors import DomainError, InvalidInputError
from backend.core.money import format_money
from backend.events.outbox import record_event
from backend.inventory import services as inventory
from backend.merchandising.promotions import coverage_of
from backend.orders import status
from backend.orders.charges import ChargedLine, Charges, work_out_charges
from backend.orders.events import OrderEdited, OrderLineSummary
from backend.orders.inputs import CheckoutDetails
from backend.orders.models import Order, OrderLine, OrderTaxLine
from backend.orders.services import goods_summary

MAX_QUANTITY = 999
STOCK_REASON = "order_edited"
# Before it ships, and not while a card payment is under way or after money went back.
EDITABLE_STATUSES = ("pending_payment", "paid")
EDITABLE_PAYMENT_STATUSES = ("unpaid", "failed", "paid", "partially_paid")


class EditRefusedError(DomainError):
    """The order cannot be edited now, or not this way."""

    code = "edit_refused"


@dataclass(frozen=True)
class OrderChanges:
    """What staff change. Lines not named keep their quantity."""

    quantities: dict[uuid.UUID, int] = field(default_factory=dict)  # line id → quantity (0: remove)
    added: dict[uuid.UUID, int] = field(default_factory=dict)  # variant id → quantity
    shipping: CheckoutDetails | None = None  # a new name, phone, address or method; None: kept

    @property
    def empty(self) -> bool:
        return not self.quantities and not self.added and self.shipping is None


@dataclass(frozen=True)
class EditedLine:
    """A line of the order as the edit leaves it."""

    line_id: uuid.UUID | None  # None: added by the edit
    variant_id: uuid.UUID | None
    product_id: uuid.UUID | None
    name: str
    sku: str
    options: tuple[tuple[str, str], ...]
    unit_price: Decimal
    quantity: int
    before: int  # the quantity before the edit (0: added)
    multibuy_off: Decimal = Decimal("0.00")
    list_price: Decimal | None = None
    promotion_title: str | None = None
    promotion_id: uuid.UUID | None = None
    gift_card: bool = False
    custom: bool = False  # a line staff priced themselves (no variant)

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def title(self) -> str:
        chosen = options_title(self.options)
        return f"{self.name} ({chosen})" if chosen else self.name


@dataclass(frozen=True)
class EditQuote:
    lines: list[EditedLine]  # the lines kept or added (removed ones are not here)
    removed: list[EditedLine]
    charges: Charges
    details: CheckoutDetails
    currency: str
    old_total: Decimal
    amount_paid: Decimal  # what the customer has paid for the order so far
    said: list[str]  # what the edit changes, one sentence each (timeline, e-mail, audit)

    @property
    def total(self) -> Decimal:
        return self.charges.totals.total

    @property
    def difference(self) -> Decimal:
        return self.total - self.old_total

    @property
    def to_pay(self) -> Decimal:
        """What the customer will owe once the edit is made."""
        return max(self.total - self.amount_paid, Decimal("0.00"))

    @property
    def to_give_back(self) -> Decimal:
        """What the customer paid beyond the new total."""
        return max(self.amount_paid - self.total, Decimal("0.00"))


def _said(
    order: Order,
    lines: Sequence[EditedLine],
    removed: Sequence[EditedLine],
    details: CheckoutDetails,
    charges: Charges,
) -> list[str]:
    said = []
    for line in lines:
        if line.line_id is None:
            said.append(f"Added {line.quantity} × {line.title}")
        elif line.quantity != line.before:
            said.append(f"{line.title}: {line.before} → {line.quantity}")
    said += [f"Removed {line.before} × {line.title}" for line in removed]
    if details.address_snapshot() != order.shipping_address:
        said.append(f"Ships to {_address_line(details)}")
    if charges.method.code != order.shipping_method:
        said.append(f"Ships by {charges.method.label}")
    return said


def _address_line(details: CheckoutDetails) -> str:
    parts = (details.full_name, details.line1, details.city, details.postal_code, details.country)
    return ", ".join(part for part in parts if part)


def check_editable(order: Order) -> None:
    if order.status not in EDITABLE_STATUSES or order.payment_status not in (
        EDITABLE_PAYMENT_STATUSES
    ):
        raise EditRefusedError(
            f"Order {order.number} is {status.label(order.status)} and its payment "
            f"{status.label(order.payment_status)}: only an order that has not shipped, "
            "with no payment under way and nothing refunded, can be changed."
        )
    if order.amount_to_give_back > 0:
        raise EditRefusedError(
            f"Order {order.number} still owes the customer "
            f"{format_money(order.amount_to_give_back, order.currency)} from its last "
            "edit: give that back first."
        )


def details_of(order: Order) -> CheckoutDetails:
    """The order's contact and shipping details, as checkout took them."""
    address = {k: v for k, v in order.shipping_address.items() if k != "full_name"}
    return CheckoutDetails.model_validate(
        {
            **address,
            "full_name": order.customer_name,
            "email": order.email,
            "shipping_method": order.shipping_method,
        }
    )


async def order_lines(session: AsyncSession, order_id: uuid.UUID) -> list[OrderLine]:
    return list(
        (
            await session.exec(
                select(OrderLine)
                .where(OrderLine.order_id == order_id)
                .order_by(col(OrderLine.position))
            )
        ).all()
    )


def _check_changes(changes: OrderChanges, lines: Sequence[OrderLine]) -> None:
    by_id = {line.id: line for line in lines}
    problems: dict[str, str] = {}
    for line_id, quantity in changes.quantities.items():
        line = by_id.get(line_id)
        if line is None:
            raise InvalidInputError("A line to change is not on this order.")
        if not 0 <= quantity <= MAX_QUANTITY:
            problems[f"quantity:{line_id}"] = f"Between 0 (remove) and {MAX_QUANTITY}."
        elif quantity != line.quantity and line.gift_card is not None:
            raise EditRefusedError("A gift card sold with the order cannot be changed.")
        elif quantity not in (0, line.quantity) and line.multibuy_discount > 0:
            raise EditRefusedError(
                f"{line.display_name} got a multi-buy discount for its quantity: "
                "remove it and add it again instead."
            )
    for variant_id, quantity in changes.added.items():
        if not 1 <= quantity <= MAX_QUANTITY:
            problems[f"added:{variant_id}"] = f"Between 1 and {MAX_QUANTITY}."
    if problems:
        raise InvalidInputError("Please correct the quantities.", problems)


def _kept(line: OrderLine, quantity: int) -> EditedLine:
    return EditedLine(
        line_id=line.id,
        variant_id=line.variant_id,
        product_id=line.product_id,
        name=line.name,
        sku=line.sku,
        options=tuple((option["name"], option["value"]) for option in line.options or ()),
        unit_price=line.unit_price,
        quantity=quantity,
        before=line.quantity,
        multibuy_off=line.multibuy_discount if quantity == line.quantity else Decimal("0.00"),
        list_price=line.list_price,
        promotion_title=line.promotion_title,
        promotion_id=line.promotion_id,
        gift_card=line.gift_card is not None,
        custom=line.variant_id is None and line.gift_card is None,
    )


async def _added(session: AsyncSession, added: dict[uuid.UUID, int]) -> list[EditedLine]:
    """Variants new to the order, priced now under the live sale promotions."""
    summaries = await get_variant_summaries(list(added), session=session)
    missing = [variant_id for variant_id in added if variant_id not in summaries]
    if missing:
        raise InvalidInputError("A product to add no longer exists.")
    wanted = [(variant_id, summaries[variant_id]) for variant_id in sorted(added)]
    for _, summary in wanted:
        if not summary.is_active:
            raise EditRefusedError(f"{summary.display_name} is not sold any more.")
    coverage = await coverage_of({summary.product_id for _, summary in wanted})
    priced = coverage.price(
        [
            (str(variant_id), summary.product_id, summary.price, added[variant_id])
            for variant_id, summary in wanted
        ]
    )
    return [
        EditedLine(
            line_id=None,
            variant_id=variant_id,
            product_id=summary.product_id,
            name=summary.name,
            sku=summary.sku,
            options=summary.options,
            unit_price=item.unit_price,
            quantity=added[variant_id],
            before=0,
            list_price=item.sale.list_price if item.sale else None,
            promotion_title=item.sale.title[:120] if item.sale else None,
            promotion_id=item.sale.offer.id if item.sale else None,
        )
        for (variant_id, summary), item in zip(wanted, priced, strict=True)
    ]


def _merged(changes: OrderChanges, lines: Sequence[OrderLine]) -> OrderChanges:
    """A variant added that is on the order already is more of that line."""
    on_order = {line.variant_id: line for line in lines if line.variant_id is not None}
    quantities = dict(changes.quantities)
    added = {}
    for variant_id, quantity in changes.added.items():
        line = on_order.get(variant_id)
        if line is None:
            added[variant_id] = quantity
        else:
            quantities[line.id] = quantities.get(line.id, line.quantity) + quantity
    return OrderChanges(quantities, added, changes.shipping)


async def quote_edit(session: AsyncSession, order: Order, changes: OrderChanges) -> EditQuote:
    """What the order would be after `changes` (nothing written). Raises
    InvalidInputError or EditRefusedError for changes that cannot be made, and
    InvalidInputError when nothing ships to a new address as asked."""
    check_editable(order)
    lines = await order_lines(session, order.id)
    changes = _merged(changes, lines)
    _check_changes(changes, lines)
    kept: list[EditedLine] = []
    removed: list[EditedLine] = []
    for line in lines:
        quantity = changes.quantities.get(line.id, line.quantity)
        (kept if quantity else removed).append(_kept(line, quantity))
    new_lines = kept + await _added(session, changes.added)
    if not new_lines:
        raise EditRefusedError("An order keeps at least one line: cancel it instead.")
    details = changes.shipping or details_of(order)
    ships_as_before = (
        details.address_snapshot() == order.shipping_address
        and details.shipping_method == order.shipping_method
    )
    charged = [
        ChargedLine(
            None if line.gift_card else line.variant_id,
            line.unit_price,
            line.quantity,
            line.multibuy_off,
            custom=line.custom,
        )
        for line in new_lines
    ]
    goods = sum((line.line_total - line.multibuy_off for line in new_lines), Decimal("0.00"))
    # The code's or order promotion's part of the discount, as an amount.
    order_discount = min(order.discount - order.multibuy_discount, goods)
    charges = await work_out_charges(
        session,
        charged,
        details,
        discount=None,
        manual_discount=order_discount,
        shipping_price=order.shipping if ships_as_before else None,
    )
    return EditQuote(
        lines=new_lines,
        removed=removed,
        charges=charges,
        details=details,
        currency=order.currency,
        old_total=order.total,
        amount_paid=order.amount_paid,
        said=_said(order, new_lines, removed, details, charges),
    )


async def apply_edit_locked(
    session: AsyncSession, order: Order, changes: OrderChanges, *, actor: str
) -> EditQuote:
    """Make the edit on an order the caller locked: stock, lines, totals, tax lines, the
    payment status, a step on the timeline and `OrderEdited`. Raises
    inventory.OutOfStockError (nothing written) when more cannot be had."""
    if changes.empty:
        raise InvalidInputError("Change a line, add a product or change the shipping.")
    before = await quote_edit(session, order, changes)
    more = {
        line.variant_id: line.quantity - line.before
        for line in before.lines
        if line.variant_id is not None and line.quantity > line.before
    }
    less = {
        line.variant_id: line.before - line.quantity
        for line in [*before.lines, *before.removed]
        if line.variant_id is not None and line.quantity < line.before
    }
    reserved = await inventory.reserve(session, more) if more else []
    # Priced again under the variants' row locks, as placing an order does.
    quote = await quote_edit(session, order, changes) if more else before
    await inventory.record_reservation(session, reserved, order_id=order.id, reason=STOCK_REASON)
    if less:
        await inventory.release(session, less, order_id=order.id, reason=STOCK_REASON)
    said = quote.said
    await _write_lines(session, order, quote)
    await _write_totals(session, order, quote)
    if order.status == "paid":
        if quote.to_pay > 0 and order.payment_status == "paid":
            status.move(session, order, "payment", "partially_paid", actor=actor)
        elif quote.to_pay == 0 and order.payment_status == "partially_paid":
            status.move(session, order, "payment", "paid", actor=actor)
    money = f"Total {format_money(quote.old_total, order.currency)} → " + format_money(
        quote.total, order.currency
    )
    status.record_step(
        session, order, "edit", "edited", actor=actor, note="; ".join([*said, money])
    )
    await record_event(
        session,
        OrderEdited(
            aggregate_id=str(order.id),
            order_number=order.number,
            email=order.email,
            customer_name=order.customer_name,
            changes=tuple(said),
            lines=tuple(_summary(line) for line in quote.lines),
            currency=order.currency,
            old_total=quote.old_total,
            total=quote.total,
            to_pay=quote.to_pay,
            to_give_back=quote.to_give_back,
        ),
    )
    return quote


def _summary(line: EditedLine) -> OrderLineSummary:
    return goods_summary(line.name, line.sku, line.quantity, line.unit_price, line.options)


async def _write_lines(session: AsyncSession, order: Order, quote: EditQuote) -> None:
    lines = {line.id: line for line in await order_lines(session, order.id)}
    removed = [line.line_id for line in quote.removed if line.line_id is not None]
    if removed:
        await session.exec(delete(OrderLine).where(col(OrderLine.id).in_(removed)))
    position = max((line.position for line in lines.values()), default=-1)
    for edited in quote.lines:
        if edited.line_id is not None:
            line = lines[edited.line_id]
            if line.quantity != edited.quantity:
                line.quantity = edited.quantity
                line.line_total = edited.line_total
                session.add(line)
            continue
        position += 1
        session.add(
            OrderLine(
                order_id=order.id,
                product_id=edited.product_id,
                variant_id=edited.variant_id,
                sku=edited.sku,
                name=edited.name,
                options=[{"name": name, "value": value} for name, value in edited.options],
                unit_price=edited.unit_price,
                quantity=edited.quantity,
                line_total=edited.line_total,
                position=position,
                list_price=edited.list_price,
                promotion_title=edited.promotion_title,
                promotion_id=edited.promotion_id,
            )
        )


async def _write_totals(session: AsyncSession, order: Order, quote: EditQuote) -> None:
    totals = quote.charges.totals
    order.subtotal = totals.subtotal
    order.discount = totals.discount
    order.multibuy_discount = totals.multibuy_discount
    # The order promotion's part, as far as the discount kept still covers it.
    order.order_promotion_amount = min(
        order.order_promotion_amount, totals.discount - totals.multibuy_discount
    )
    order.shipping = totals.shipping
    order.tax = totals.tax
    order.prices_include_tax = totals.prices_include_tax
    order.total = totals.total
    order.gift_card_amount = min(order.gift_card_amount, totals.total)
    details = quote.details
    order.customer_name = details.full_name
    order.phone = details.phone
    order.shipping_address = details.address_snapshot()
    order.shipping_method = quote.charges.method.code
    session.add(order)
    await session.exec(delete(OrderTaxLine).where(col(OrderTaxLine.order_id) == order.id))
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
