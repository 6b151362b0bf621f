"""The worker's own small HTTP server for operators, on loopback at WORKER_METRICS_PORT:
`/metrics` (this process's Prometheus metrics, with the event backlog read at scrape
time), `/health/live` and `/health/ready` (503 naming the failed check), like a web
process's. A port already taken is logged and the worker works on without it."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from backend.events.backlog import record_backlog_metrics
from backend.observability.metrics import exposition
from backend.readiness import check_readiness
from backend.settings import get_settings

logger = logging.getLogger("jobs.operations")
HOST = "127.0.0.1"
NO_STORE = {"Cache-Control": "no-store"}


async def _metrics(_request: web.Request) -> web.Response:
    try:
        await record_backlog_metrics()
    except Exception:  # the rest still answers; /health/ready says what is wrong
        logger.warning("could not read the event backlog for /metrics", exc_info=True)
    body, content_type = exposition()
    return web.Response(body=body, headers={"Content-Type": content_type, **NO_STORE})


async def _live(_request: web.Request) -> web.Response:
    return web.json_response({"status": "live"}, headers=NO_STORE)


async def _ready(_request: web.Request) -> web.Response:
    readiness = await check_readiness()
    return web.json_response(
        {"status": "ready" if readiness.ready else "not ready", "checks": readiness.checks},
        status=200 if readiness.ready else 503,
        headers=NO_STORE,
    )


def operations_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/metrics", _metrics)
    app.router.add_get("/health/live", _live)
    app.router.add_get("/health/ready", _ready)
    return app


async def serve_operations(stop: asyncio.Event) -> None:
    """Serve until `stop` is set (nothing when WORKER_METRICS_PORT is 0)."""
    port = get_settings().worker_metrics_port
    if not port:
        return
    runner = web.AppRunner(operations_app(), access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, HOST, port).start()
        except OSError as error:
            logger.error("worker metrics port %s unavailable (%s): serving none", port, error)
            return
        logger.info("worker metrics and health on http://%s:%s", HOST, port)
        await stop.wait()
    finally:
        await runner.cleanup()
