"""Staff decide on a return request: approve it (the shopper sends the items back; the
variants asked for in exchange are sent by an exchange order) or reject it, saying why
(its quantities become returnable again, the stock held for exchanges goes back)."""

from __future__ import annotations

import uuid

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit.services import actor_label
from backend.catalog import cache as catalog_cache
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.events.outbox import record_event
from backend.returns import exchanges
from backend.returns.events import ReturnApproved, ReturnRejected
from backend.returns.history import add_timeline_line, audit_step, event_fields, returned_items
from backend.returns.locks import lock_return_for_update
from backend.returns.lookups import covered_lines
from backend.returns.models import MAX_DECISION_NOTE_LENGTH
from backend.returns.status import ReturnStatus, check_move


async def approve_return(return_id: uuid.UUID, *, note: str = "", actor: Viewer) -> None:
    """Staff accept the request: the shopper is told to send the items back."""
    require_permission(actor, Permission.ORDERS_REFUND, "approve returns")
    note = note.strip()
    if len(note) > MAX_DECISION_NOTE_LENGTH:
        raise InvalidInputError(
            "Please shorten the note.",
            {"note": f"At most {MAX_DECISION_NOTE_LENGTH} characters."},
        )
    await _decide(return_id, ReturnStatus.APPROVED, ReturnApproved, note=note, actor=actor)


async def reject_return(return_id: uuid.UUID, *, reason: str, actor: Viewer) -> None:
    """Staff refuse the request, saying why; its quantities become returnable again."""
    require_permission(actor, Permission.ORDERS_REFUND, "reject returns")
    reason = reason.strip()
    if not reason or len(reason) > MAX_DECISION_NOTE_LENGTH:
        raise InvalidInputError(
            "Say why the return is rejected.",
            {"reason": f"Give the reason (up to {MAX_DECISION_NOTE_LENGTH} characters)."},
        )
    await _decide(return_id, ReturnStatus.REJECTED, ReturnRejected, note=reason, actor=actor)


async def _decide(
    return_id: uuid.UUID,
    decision: ReturnStatus,
    event: type[ReturnApproved] | type[ReturnRejected],
    *,
    note: str,
    actor: Viewer,
) -> None:
    """Approve or reject: the step, its timeline line, audit entry and event, at once."""
    async with session_scope() as session:
        order, request = await lock_return_for_update(session, return_id)
        check_move(request.number, request.status, decision)
        covered = await covered_lines(session, request.id)
        items = await returned_items(session, covered)
        sent = None
        if exchanges.has_exchanges(covered):
            if decision is ReturnStatus.APPROVED:
                exchanges.require_exchange_permission(actor)
                sent = await exchanges.send_exchange(session, order, request, covered, actor=actor)
            else:
                await exchanges.release_held(session, order, covered)
        said = f"{note}; " if note else ""
        timeline = f"{said}exchange sent as order {sent.number}" if sent else note
        add_timeline_line(
            session, order, request, decision, actor=actor_label(actor), note=timeline
        )
        before, request.status, request.decision_note = request.status, decision.value, note
        session.add(request)
        # The audit names the note as the shopper reads it: a note, or the reason.
        detail = "note" if decision is ReturnStatus.APPROVED else "reason"
        extra = {"exchange_order": sent.number} if sent else {}
        audit_step(session, actor, request, before, **{detail: note}, **extra)
        fields = event_fields(order, request, items)
        if sent is not None:
            await record_event(
                session,
                ReturnApproved(
                    **fields,
                    note=note,
                    exchange_order_number=sent.number,
                    exchange_to_pay=sent.amount_due,
                    currency=sent.currency,
                ),
            )
        else:
            await record_event(session, event(**fields, note=note))
    if exchanges.has_exchanges(covered):
        await catalog_cache.invalidate_after_commit()  # pages show stock
