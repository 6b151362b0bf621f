"""Staff downloads that are too big for the websocket: the catalog as CSV.

The session cookie is resolved on the server, like every Reflex event; the export
service checks the admin role itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from backend import product_import as product_csv
from backend.accounts import browser_sessions
from backend.core.errors import PermissionDeniedError
from backend.settings import get_settings

router = APIRouter(prefix="/admin/download", tags=["admin downloads"])


@router.get("/products.csv")
async def export_products(request: Request) -> Response:
    viewer = await browser_sessions.resolve_session(
        request.cookies.get(get_settings().session_cookie_name)
    )
    try:
        rows = product_csv.stream_products_csv(viewer)  # type: ignore[arg-type]  # the service refuses a missing viewer (401 below)
    except PermissionDeniedError as error:
        return PlainTextResponse(error.message, status_code=403 if viewer else 401)
    filename = f"products-{datetime.now(UTC):%Y-%m-%d}.csv"
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
