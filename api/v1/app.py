"""The REST API app, mounted at /api/v1 in front of Reflex (`api/app.py`).

OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs. Every error is
`application/problem+json` (`problems.py`); every response carries `X-Request-ID`.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from api.v1 import products
from api.v1.problems import install_problem_handlers
from api.v1.request_ids import RequestIdMiddleware
from backend.core.health import check_database
from backend.settings import get_settings

DESCRIPTION = """
The Kestrel Goods shop API. Sign in with `POST /auth/token` (OAuth2 password grant) and
send the access token as `Authorization: Bearer <token>`. Money is a decimal string.
Errors are `application/problem+json` with `type`, `title`, `status`, `detail` and, for
invalid input, `errors` (field → message).
"""


def build_api_v1() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="Kestrel Goods API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    install_problem_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.api_cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
        expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
    )
    app.add_middleware(RequestIdMiddleware)
    app.include_router(products.router)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        await check_database()
        return {"status": "ok"}

    return app
