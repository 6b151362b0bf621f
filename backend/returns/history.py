"""What a return step writes besides the return itself: the order's timeline line, the
audit entry, and the fields every return event carries."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.catalog.variant_queries import get_variant_summaries
from backend.orders.models import Order, OrderStatusChange
from backend.returns.events import ReturnedItem
from backend.returns.models import ReturnRequest
from backend.returns.schemas import CoveredLine
from backend.returns.status import ReturnStatus


async def returned_items(
    session: AsyncSession, covered: list[CoveredLine]
) -> tuple[ReturnedItem, ...]:
    """The covered lines as events name them, with the variant each exchange asks for."""
    wanted = [c.exchange_variant_id for c in covered if c.exchange_variant_id is not None]
    names = await get_variant_summaries(wanted, session=session) if wanted else {}
    return tuple(
        ReturnedItem(
            name=c.order_line.display_name,
            quantity=c.quantity,
            exchange_for=names[c.exchange_variant_id].display_name
            if c.exchange_variant_id in names
            else "",
        )
        for c in covered
    )


def add_timeline_line(
    session: AsyncSession,
    order: Order,
    request: ReturnRequest,
    target: ReturnStatus,
    *,
    actor: str,
    note: str,
) -> None:
    session.add(
        OrderStatusChange(
            order_id=order.id,
            axis="return",
            from_status=request.status if target != ReturnStatus.REQUESTED else None,
            to_status=target.value,
            note=f"{request.number}: {note}" if note else request.number,
            actor=actor,
        )
    )


def describe_items(items: tuple[ReturnedItem, ...]) -> str:
    return ", ".join(
        f"{item.quantity} × {item.name}"
        + (f" for {item.exchange_for}" if item.exchange_for else "")
        for item in items
    )


def event_fields(
    order: Order, request: ReturnRequest, items: tuple[ReturnedItem, ...]
) -> dict[str, Any]:
    return {
        "aggregate_id": str(order.id),
        "return_number": request.number,
        "order_number": order.number,
        "email": order.email,
        "customer_name": order.customer_name,
        "items": items,
    }


def audit_step(
    session: AsyncSession, actor: Viewer, request: ReturnRequest, before: str, **after: object
) -> None:
    audit.record(
        session,
        actor=actor,
        action=f"return.{request.status}",
        entity_type="return",
        entity_id=request.number,
        before={"status": before},
        after={"status": request.status, **after},
    )
