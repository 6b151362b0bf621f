"""The audit log (the staff permission): every change staff made, newest first, with what
it was before and after; filtered by the kind of thing, one thing, or the action."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.v1.auth import StaffManagers
from api.v1.edge import EdgeRoute
from api.v1.pagination import Paged, PageMeta
from api.v1.problems import problem_responses
from backend.accounts import audit_log
from backend.audit.services import AuditRecord
from backend.core.pagination import MAX_PAGE_SIZE

router = APIRouter(prefix="/admin/audit-log", tags=["staff"], route_class=EdgeRoute)


class AuditEntryOut(BaseModel):
    at: datetime
    actor: str = Field(
        description="Who, as they were named then, or `system`.", examples=["ann (admin)"]
    )
    action: str = Field(examples=["order.fulfilled"])
    entity_type: str = Field(examples=["order"])
    entity_id: str = Field(examples=["KG-2026-000123"])
    before: dict[str, Any] | None = Field(examples=[{"status": "active"}])
    after: dict[str, Any] | None = Field(examples=[{"status": "locked"}])

    @classmethod
    def of(cls, entry: AuditRecord) -> AuditEntryOut:
        return cls(
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            before=entry.before,
            after=entry.after,
        )


class AuditFilters(BaseModel):
    entity_type: str = Field(
        default="",
        max_length=audit_log.ENTITY_TYPE_MAX_LENGTH,
        description="Only entries about this kind of thing: `order`, `account`, "
        "`staff_group`, `product`, `discount`, `stock`, `review`, … (exact).",
        examples=["account"],
    )
    entity_id: str = Field(
        default="",
        max_length=audit_log.ENTITY_ID_MAX_LENGTH,
        description="Only entries about this one thing (its id or number, exact).",
    )
    action: str = Field(
        default="",
        max_length=audit_log.ACTION_MAX_LENGTH,
        description="Only actions starting with this: `order.` for every order action.",
        examples=["customer."],
    )
    page: int = Field(default=1, ge=1, le=10_000)
    limit: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "",
    response_model=Paged[AuditEntryOut],
    summary="The audit log, newest first",
    responses=problem_responses(400, 401, 403),
)
async def list_entries(
    viewer: StaffManagers, query: Annotated[AuditFilters, Query()]
) -> Paged[AuditEntryOut]:
    result = await audit_log.list_entries(
        viewer,
        entity_type=query.entity_type.strip(),
        entity_id=query.entity_id.strip(),
        action=query.action.strip(),
        page=query.page,
        limit=query.limit,
    )
    return Paged[AuditEntryOut](
        items=[AuditEntryOut.of(entry) for entry in result.items],
        pagination=PageMeta.of(page=result.page, limit=result.limit, total=result.total),
    )
