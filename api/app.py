"""The HTTP app Reflex mounts in front of its own routes (`rx.App(api_transformer=...)`)."""

from __future__ import annotations

from fastapi import FastAPI

from api.admin_routes import router as admin_router
from api.media_routes import router as media_router
from api.payment_routes import router as payment_router
from api.session_routes import router as session_router
from api.v1.app import build_api_v1


def build_http_app() -> FastAPI:
    app = FastAPI(
        title="Kestrel Goods",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.include_router(session_router)
    app.include_router(media_router)
    app.include_router(payment_router)
    app.include_router(admin_router)
    app.mount("/api/v1", build_api_v1())
    return app
