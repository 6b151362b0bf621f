"""The audit log as staff read it (the staff permission): the admin's Audit log page and
the REST API. `backend.audit` sits below accounts and checks nobody; this checks first."""

from __future__ import annotations

from backend.accounts.permissions import Permission, require_permission
from backend.accounts.schemas import Viewer
from backend.audit import services as audit
from backend.audit.services import AuditRecord
from backend.core.pagination import Page

ENTITY_TYPE_MAX_LENGTH = 40
ENTITY_ID_MAX_LENGTH = 100
ACTION_MAX_LENGTH = 60


async def list_entries(
    actor: Viewer,
    *,
    entity_type: str = "",
    entity_id: str = "",
    action: str = "",
    page: int = 1,
    limit: int = 50,
) -> Page[AuditRecord]:
    """Newest first, optionally for one kind of thing, one thing, or actions starting with
    `action` ("order." for every order action)."""
    require_permission(actor, Permission.STAFF, "read the audit log")
    return await audit.list_entries(
        entity_type=entity_type, entity_id=entity_id, action=action, page=page, limit=limit
    )
