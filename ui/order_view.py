"""An order as the shopper's order page and the admin's put it in state: small, flat,
preformatted (money and times as text)."""

from __future__ import annotations

import dataclasses

from backend.core.money import format_money
from backend.orders import status
from backend.payments.queries import OrderWithPayments
from backend.pricing.totals import tax_rows
from ui.promotion_text import line_promotions, multibuy_row_label


@dataclasses.dataclass(frozen=True)
class OrderLineView:
    name: str
    quantity: str
    unit_price: str
    line_total: str
    promotion: str = ""  # "20 % off Outerwear (was $50.00)", "" without one


@dataclasses.dataclass(frozen=True)
class TimelineView:
    at: str
    what: str
    note: str


@dataclasses.dataclass(frozen=True)
class OrderView:
    number: str
    placed_at: str
    status: str
    payment_status: str
    lines: list[OrderLineView]
    totals: list[tuple[str, str]]
    total: str
    amount_due: str  # what a card payment covers: the total less what gift cards paid
    address: list[str]
    timeline: list[TimelineView]
    can_cancel: bool
    can_pay: bool
    awaiting_confirmation: bool
    test_payment: bool


_AXIS_LABELS = {"order": "Order ", "payment": "Payment ", "return": "Return "}


def display_time(moment: object) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC") if hasattr(moment, "strftime") else ""


def order_view(order: OrderWithPayments) -> OrderView:
    def money(amount: object) -> str:
        return format_money(amount, order.currency)  # type: ignore[arg-type]

    rows = [("Subtotal", money(order.subtotal))]
    if order.multibuy_discount:
        rows.append(
            (multibuy_row_label(order.multibuy_titles), "−" + money(order.multibuy_discount))
        )
    if order.order_promotion_amount:
        promotion = order.order_promotion_title or "Promotion"
        rows.append((promotion, "−" + money(order.order_promotion_amount)))
    if order.code_discount:
        rows.append((f"Discount ({order.discount_code})", "−" + money(order.code_discount)))
    shipping = (
        f"Shipping ({order.shipping_promotion_title})"
        if order.shipping_promotion_title
        else "Shipping"
    )
    rows.append((shipping, money(order.shipping)))
    rows += [
        (label, money(amount))
        for label, amount in tax_rows(
            order.tax_lines, order.tax, prices_include_tax=order.prices_include_tax
        )
    ]
    if order.gift_card_amount:
        rows.append(("Paid by gift card", "−" + money(order.gift_card_amount)))
    if order.refunded_amount:
        rows.append(("Refunded", "−" + money(order.refunded_amount)))
    address = order.shipping_address
    return OrderView(
        number=order.number,
        placed_at=display_time(order.created_at),
        status=status.label(order.status),
        payment_status=status.label(order.payment_status),
        lines=[
            OrderLineView(
                line.display_name,
                str(line.quantity),
                money(line.unit_price),
                money(line.line_total),
                promotion=line_promotions(
                    line.promotion_title,
                    money(line.list_price) if line.list_price is not None else "",
                    line.multibuy_title,
                    money(line.multibuy_discount),
                ),
            )
            for line in order.lines
        ],
        totals=rows,
        total=money(order.total),
        amount_due=money(order.amount_due),
        address=[
            str(part)
            for part in (
                address.get("full_name"),
                address.get("line1"),
                address.get("line2"),
                f"{address.get('postal_code', '')} {address.get('city', '')}",
                address.get("region"),
                address.get("country"),
            )
            if part
        ],
        timeline=[
            TimelineView(
                display_time(entry.at),
                _AXIS_LABELS.get(entry.axis, "") + entry.status,
                entry.note,
            )
            for entry in order.timeline
        ],
        can_cancel=order.can_cancel,
        can_pay=order.can_pay,
        awaiting_confirmation=order.awaiting_confirmation,
        test_payment=order.test_payment,
    )
