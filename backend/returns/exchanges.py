"""Exchanges: a returned line swapped for another variant of its product (a size swap).

- **Asked for** with the return: the shopper picks, per line, money back or another
  variant of the same product. The new variant's stock is held at once, in the request's
  transaction (row locks, all or nothing), so it cannot sell out while staff decide; the
  ledger says `exchange_held` against the original order.
- **Rejected**: the held stock goes back on sale (`exchange_released`).
- **Approved**: in one transaction the hold becomes an order (`exchange order`) for the
  customer with the new variants, at today's prices, shipped free, less a credit: the
  returned goods at what their lines cost (before the order's discount). A swap at the
  same price is paid by the credit and ready to ship at once; a dearer one owes the
  difference, which the customer pays by an e-mailed payment link (unpaid when the link
  expires, the exchange order is cancelled and the return refunds in full).
- **Settled**: credit the new goods did not use is refunded with the return
  (`refunds.unused_credit_refund`); a return with nothing to refund closes as `exchanged`
  when its parcel is received.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit.services import actor_label
from backend.catalog.variant_queries import get_variant_summaries
from backend.core.money import quantize
from backend.inventory import services as inventory
from backend.orders.editing import details_of
from backend.orders.models import Order, OrderLine
from backend.orders.staff_orders import StaffTerms, place
from backend.payments import links as payment_links
from backend.payments import manual as manual_payments
from backend.returns.lookups import goods_of
from backend.returns.models import ReturnRequest
from backend.returns.schemas import CoveredLine

HELD = "exchange_held"  # the stock ledger's reasons
RELEASED = "exchange_released"
NOT_A_CHOICE = "Choose another size or option of the same product."


async def check_choices(
    session: AsyncSession,
    lines: Mapping[uuid.UUID, OrderLine],
    wanted: Mapping[uuid.UUID, int],
    exchanges: Mapping[uuid.UUID, uuid.UUID],
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, uuid.UUID]]:
    """The problems of the exchanges asked for (field → message) and the valid ones
    (order line id → variant id): another variant of the line's product, still sold."""
    problems: dict[uuid.UUID, str] = {}
    chosen: dict[uuid.UUID, uuid.UUID] = {}
    summaries = await get_variant_summaries(list(set(exchanges.values())), session=session)
    for line_id, variant_id in exchanges.items():
        line = lines.get(line_id)
        if line is None:
            continue  # reported as not part of the order
        if line_id not in wanted:
            problems[line_id] = f"Choose how many of {line.name} to exchange."
            continue
        summary = summaries.get(variant_id)
        if (
            summary is None
            or not summary.is_active
            or summary.product_id != line.product_id
            or variant_id == line.variant_id
        ):
            problems[line_id] = NOT_A_CHOICE
            continue
        chosen[line_id] = variant_id
    return problems, chosen


def by_variant(pairs: list[tuple[uuid.UUID | None, int]]) -> dict[uuid.UUID, int]:
    """(variant asked for, quantity) pairs → quantity per variant (no variant: refunded)."""
    wanted: dict[uuid.UUID, int] = {}
    for variant_id, quantity in pairs:
        if variant_id is not None:
            wanted[variant_id] = wanted.get(variant_id, 0) + quantity
    return wanted


def _by_variant(covered: list[CoveredLine]) -> dict[uuid.UUID, int]:
    return by_variant([(c.exchange_variant_id, c.quantity) for c in covered])


async def hold_stock(session: AsyncSession, order: Order, wanted: dict[uuid.UUID, int]) -> None:
    """Take the variants asked for (variant id → quantity) out of stock, all or nothing
    (inventory.OutOfStockError: the caller's transaction rolls back)."""
    if wanted:
        reserved = await inventory.reserve(session, wanted)
        await inventory.record_reservation(session, reserved, order_id=order.id, reason=HELD)


async def release_held(session: AsyncSession, order: Order, covered: list[CoveredLine]) -> None:
    """Put the stock held for a return's exchanges back on sale."""
    wanted = _by_variant(covered)
    if wanted:
        await inventory.release(session, wanted, order_id=order.id, reason=RELEASED)


def has_exchanges(covered: list[CoveredLine]) -> bool:
    return any(c.exchange_variant_id is not None for c in covered)


def require_exchange_permission(actor: Viewer) -> None:
    """Approving an exchange takes an order for the customer and may send a payment
    link: the orders-edit permission, besides deciding returns."""
    require_permission(actor, Permission.ORDERS_EDIT, "send exchanges")


async def send_exchange(
    session: AsyncSession,
    order: Order,
    request: ReturnRequest,
    covered: list[CoveredLine],
    *,
    actor: Viewer,
) -> Order:
    """On approval, in the caller's transaction (the original order locked): the held
    stock becomes the exchange order's, priced less the returned goods' credit, then paid
    by the credit or awaiting the difference by a payment link."""
    exchanged = [c for c in covered if c.exchange_variant_id is not None]
    # Under the same row locks, so the stock just released cannot go elsewhere.
    await release_held(session, order, exchanged)
    who = actor_label(actor)
    sent = await place(
        session,
        key=f"exchange:{request.id}",
        wanted=_by_variant(exchanged),
        custom=[],
        details=details_of(order),
        user_id=order.user_id,
        terms=StaffTerms(
            manual_discount=quantize(goods_of(exchanged)),
            shipping_price=Decimal("0.00"),
            discount_label=f"Exchange credit: return {request.number}",
        ),
        actor=who,
        expires_at=None,
        note=f"Exchange for return {request.number} of order {order.number}",
    )
    request.exchange_order_id = sent.id
    if sent.amount_due > 0:
        await payment_links.request_payment_link_locked(session, sent, by=actor)
    else:
        await manual_payments.settle_without_payment_locked(
            session, sent, note=f"Paid by the credit of return {request.number}", actor=who
        )
    return sent
