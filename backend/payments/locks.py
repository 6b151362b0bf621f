"""Row locks of payment transactions (`SELECT … FOR UPDATE`), for the caller's transaction.
A payment is locked before its order (`orders.locks.lock_order_for_update`), always in that
order."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from backend.payments.models import PaymentTransaction


async def lock_transaction_for_update(
    session: AsyncSession, transaction_id: uuid.UUID
) -> PaymentTransaction | None:
    return await session.get(PaymentTransaction, transaction_id, with_for_update=True)


async def lock_payment_by_reference_for_update(
    session: AsyncSession, gateway: str, reference: str
) -> PaymentTransaction | None:
    """The charge the gateway knows by `reference` (its payment id), locked."""
    return (
        await session.exec(
            select(PaymentTransaction)
            .where(
                PaymentTransaction.gateway == gateway,
                PaymentTransaction.reference == reference,
                PaymentTransaction.kind == "payment",
            )
            .with_for_update()
        )
    ).first()
