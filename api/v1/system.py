"""The shop's background worker, as the admin's overview shows it (any staff who see the
catalog): whether it beat its heartbeat lately, so queued jobs are being processed."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.v1.auth import CatalogStaff
from api.v1.edge import EdgeRoute
from api.v1.problems import problem_responses
from backend.core.heartbeat import HEARTBEAT_TTL_SECONDS, last_worker_heartbeat

router = APIRouter(prefix="/admin/system", tags=["system"], route_class=EdgeRoute)


class WorkerOut(BaseModel):
    running: bool = Field(
        description=f"A heartbeat within the last {HEARTBEAT_TTL_SECONDS} s: jobs are being "
        "processed. false: background jobs (e-mails, webhooks, …) are waiting."
    )
    last_heartbeat_at: datetime | None = Field(description="null when not running.")


@router.get(
    "/worker",
    response_model=WorkerOut,
    summary="Whether the background worker is running",
    responses=problem_responses(401, 403),
)
async def worker(viewer: CatalogStaff) -> WorkerOut:
    heartbeat = await last_worker_heartbeat()
    return WorkerOut(running=heartbeat is not None, last_heartbeat_at=heartbeat)
