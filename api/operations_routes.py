"""What operators and load balancers read from a web process: `/metrics` (Prometheus,
only to METRICS_ALLOWED_NETWORKS), `/health/live` (the process answers) and
`/health/ready` (503 naming the failed check). Never cached."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from backend.events.backlog import record_backlog_metrics
from backend.observability.metrics import exposition, may_read_metrics
from backend.readiness import check_readiness

router = APIRouter(include_in_schema=False)
logger = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    if not may_read_metrics(request.client.host if request.client else None):
        return Response("Forbidden\n", status_code=403, media_type="text/plain", headers=NO_STORE)
    try:
        await record_backlog_metrics()
    except Exception:  # the rest still answers; /health/ready says what is wrong
        logger.warning("could not read the event backlog for /metrics", exc_info=True)
    body, content_type = exposition()
    return Response(body, media_type=content_type, headers=NO_STORE)


@router.get("/health/live")
async def live() -> Response:
    return JSONResponse({"status": "live"}, headers=NO_STORE)


@router.get("/health/ready")
async def ready() -> Response:
    readiness = await check_readiness()
    return JSONResponse(
        {"status": "ready" if readiness.ready else "not ready", "checks": readiness.checks},
        status_code=200 if readiness.ready else 503,
        headers=NO_STORE,
    )
