"""Issuing invoices and credit notes (the worker, on `OrderPaid` and `PaymentRefunded`;
every call is safe to repeat).

- An order's invoice is issued once it is paid: one main invoice per order (a partial
  UNIQUE index), numbered in the year it is issued (the shop's time zone).
- An edit that raised a paid order's total is invoiced when the customer pays the
  difference: a supplementary invoice for what the order keeps beyond what its documents
  account for (invoices less credit notes), naming the main invoice. Worked out again
  under the order's lock, so a repeated call finds nothing more to invoice.
- A refund gets a credit note: one per refund (its event id is the note's `reference`),
  for the amount refunded, correcting the order's invoice (issued first if it was not
  yet). Its tax per rate is the invoice's, in proportion to the amount, rounded once per
  rate; the amount includes it.
- Both are written under the order's row lock with their number (`numbering.take`) in
  one transaction: a second call for the same order waits, then finds the document.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.core.clock import utcnow
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.core.money import decimal_string, quantize
from backend.invoices import numbering
from backend.invoices.models import Document
from backend.orders import queries as order_queries
from backend.orders.locks import lock_order_for_update
from backend.orders.queries import OrderDetail
from backend.orders.services import GIFT_CARD_SKU
from backend.pricing.totals import AppliedTax, TaxLine, tax_rows
from backend.shop_settings.values import StoreSettings, store_settings

INVOICED_PAYMENT_STATUSES = ("paid", "partially_refunded", "refunded")
ZERO = Decimal("0.00")


def _seller(shop: StoreSettings) -> dict[str, Any]:
    return {
        "name": shop.legal_name or shop.shop_name,
        "address": shop.legal_address,
        "vat_number": shop.vat_number,
        "email": shop.support_email,
    }


def _buyer(order: OrderDetail) -> dict[str, Any]:
    address = {k: v for k, v in order.shipping_address.items() if k != "phone"}
    return {"name": order.customer_name, "email": order.email, **address}


def _invoice_lines(order: OrderDetail) -> list[dict[str, Any]]:
    # A gift card sold is "Gift card": whom it is for is not the invoice's (nor kept after
    # an erasure).
    lines = [
        {
            "description": (
                f"{line.name} ({line.sku})"
                if line.sku == GIFT_CARD_SKU
                else f"{line.display_name} ({line.sku})"
            ),
            "quantity": line.quantity,
            "unit_price": decimal_string(line.unit_price),
            "total": decimal_string(line.line_total),
        }
        for line in order.lines
    ]
    return lines


def _tax_lines(order: OrderDetail) -> list[dict[str, Any]]:
    return [
        {
            "name": line.tax.name,
            "percent": f"{line.tax.percent.normalize():f}",
            "base": decimal_string(line.base),
            "amount": decimal_string(line.amount),
        }
        for line in order.tax_lines
    ]


async def _existing_invoice(session: AsyncSession, order_id: uuid.UUID) -> Document | None:
    return (
        await session.exec(
            select(Document).where(
                col(Document.order_id) == order_id,
                col(Document.kind) == "invoice",
                col(Document.corrects).is_(None),
            )
        )
    ).first()


def _year(moment: datetime, shop: StoreSettings) -> int:
    return moment.astimezone(shop.zone).year


async def _write_invoice(
    session: AsyncSession, order: OrderDetail, shop: StoreSettings
) -> Document:
    """The order's invoice (its row locked by the caller): found, or written now."""
    if (found := await _existing_invoice(session, order.id)) is not None:
        return found
    now = utcnow()
    year = _year(now, shop)
    sequence = await numbering.take(session, "invoice", year)
    document = Document(
        kind="invoice",
        year=year,
        sequence=sequence,
        number=numbering.document_number("invoice", year, sequence),
        order_id=order.id,
        order_number=order.number,
        issued_at=now,
        currency=order.currency,
        seller=_seller(shop),
        buyer=_buyer(order),
        lines=_invoice_lines(order),
        tax_lines=_tax_lines(order),
        subtotal=order.subtotal,
        discount=order.discount,
        shipping=order.shipping,
        tax=order.tax,
        total=order.total,
        prices_include_tax=order.prices_include_tax,
        note=(
            f"Paid {decimal_string(order.gift_card_amount)} by gift card."
            if order.gift_card_amount
            else ""
        ),
    )
    session.add(document)
    await session.flush()
    return document


async def issue_invoice(order_number: str) -> Document:
    """The order's invoice, issued now or found; and when an edit's difference was paid
    since, its supplementary invoice (returned then). Raises NotFoundError for an unknown
    order, InvalidInputError for one not paid."""
    order = await order_queries.get_order(order_number)
    if order.payment_status not in INVOICED_PAYMENT_STATUSES:
        raise InvalidInputError(f"Order {order.number} is not paid: it has no invoice yet.")
    shop = await store_settings()
    async with session_scope() as session:
        await lock_order_for_update(session, order.id)
        if (invoice := await _existing_invoice(session, order.id)) is None:
            return await _write_invoice(session, order, shop)
        return await _supplement(session, order, invoice, shop) or invoice


async def _supplement(
    session: AsyncSession, order: OrderDetail, invoice: Document, shop: StoreSettings
) -> Document | None:
    """The supplementary invoice of what the order keeps beyond what its documents
    account for (an edit's difference, paid), or None when nothing is left."""
    documents = (
        await session.exec(select(Document).where(col(Document.order_id) == order.id))
    ).all()
    accounted = sum((d.total if d.kind == "invoice" else -d.total for d in documents), ZERO)
    extra = order.amount_paid - order.refunded_amount - accounted
    if extra <= 0:
        return None
    return await _write_correction(
        session,
        order,
        invoice,
        shop,
        kind="invoice",
        amount=extra,
        reference=f"supplement:{order.id}:{len(documents)}",
        description=f"Order {order.number} changed: the difference",
        note=f"Adds to invoice {invoice.number}.",
    )


async def _write_correction(
    session: AsyncSession,
    order: OrderDetail,
    invoice: Document,
    shop: StoreSettings,
    *,
    kind: numbering.Series,
    amount: Decimal,
    reference: str,
    description: str,
    note: str,
) -> Document:
    """A document of one amount that corrects the order's invoice: a credit note (money
    back) or a supplementary invoice (an edit's difference). The amount holds its share
    of the invoice's tax per rate."""
    now = utcnow()
    year = _year(now, shop)
    sequence = await numbering.take(session, kind, year)
    taxes = _tax_share(invoice, amount)
    document = Document(
        kind=kind,
        year=year,
        sequence=sequence,
        number=numbering.document_number(kind, year, sequence),
        order_id=order.id,
        order_number=order.number,
        reference=reference[:80],
        corrects=invoice.number,
        issued_at=now,
        currency=order.currency,
        seller=_seller(shop),
        buyer=_buyer(order),
        lines=[
            {
                "description": description,
                "quantity": 1,
                "unit_price": decimal_string(amount),
                "total": decimal_string(amount),
            }
        ],
        tax_lines=taxes,
        subtotal=amount,
        discount=ZERO,
        shipping=ZERO,
        tax=sum((Decimal(t["amount"]) for t in taxes), ZERO),
        total=amount,
        prices_include_tax=True,  # the amount holds its share of the tax
        note=note,
    )
    session.add(document)
    await session.flush()
    return document


def _tax_share(invoice: Document, amount: Decimal) -> list[dict[str, Any]]:
    """The invoice's tax per rate in proportion to `amount` of its total."""
    if invoice.total <= 0:
        return []
    share = amount / invoice.total
    return [
        {
            "name": line["name"],
            "percent": line["percent"],
            "base": decimal_string(quantize(Decimal(line["base"]) * share)),
            "amount": decimal_string(quantize(Decimal(line["amount"]) * share)),
        }
        for line in invoice.tax_lines
    ]


async def issue_credit_note(
    order_number: str, *, amount: Decimal, reason: str, reference: str
) -> Document:
    """The credit note of one refund (`reference`: what identifies it, e.g. its event id),
    issued now or found."""
    if amount <= 0:
        raise InvalidInputError("A credit note is for an amount above zero.")
    order = await order_queries.get_order(order_number)
    shop = await store_settings()
    async with session_scope() as session:
        await lock_order_for_update(session, order.id)
        found = (
            await session.exec(select(Document).where(col(Document.reference) == reference))
        ).first()
        if found is not None:
            return found
        invoice = await _write_invoice(session, order, shop)
        return await _write_correction(
            session,
            order,
            invoice,
            shop,
            kind="credit_note",
            amount=amount,
            reference=reference,
            description=f"{reason or 'Refund'} (order {order.number})",
            note=f"Corrects invoice {invoice.number}.",
        )


def totals_rows(document: Document) -> list[tuple[str, Decimal]]:
    """How a document lists its totals: subtotal, discount, shipping, tax per rate."""
    rows: list[tuple[str, Decimal]] = [("Subtotal", document.subtotal)]
    if document.discount:
        rows.append(("Discount", -document.discount))
    if document.kind == "invoice" and document.corrects is None:
        rows.append(("Shipping", document.shipping))
    rows += tax_rows(
        [_as_tax_line(line) for line in document.tax_lines],
        document.tax,
        prices_include_tax=document.prices_include_tax,
    )
    return rows


def _as_tax_line(line: dict[str, Any]) -> TaxLine:
    return TaxLine(
        AppliedTax(str(line["name"]), Decimal(line["percent"])),
        Decimal(line["base"]),
        Decimal(line["amount"]),
    )
