"""The REST API app, mounted at /api/v1 in front of Reflex (`api/app.py`).

OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs. Every error is
`application/problem+json` (`problems.py`); every response carries `X-Request-ID`.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware

from api.v1 import account_links as account_links_api
from api.v1 import accounts as accounts_api
from api.v1 import admin_catalog as admin_catalog_api
from api.v1 import admin_returns as admin_returns_api
from api.v1 import admin_reviews as admin_reviews_api
from api.v1 import admin_stock as admin_stock_api
from api.v1 import after_sale as after_sale_api
from api.v1 import analytics as analytics_api
from api.v1 import audit_log as audit_log_api
from api.v1 import cart as cart_api
from api.v1 import collections as collections_api
from api.v1 import customers as customers_api
from api.v1 import discount_codes as discount_codes_api
from api.v1 import draft_orders as draft_orders_api
from api.v1 import gift_cards as gift_cards_api
from api.v1 import me as me_api
from api.v1 import messages as messages_api
from api.v1 import order_lookup as order_lookup_api
from api.v1 import orders as orders_api
from api.v1 import products
from api.v1 import promotions as promotions_api
from api.v1 import reviews as reviews_api
from api.v1 import search as search_api
from api.v1 import shipping as shipping_api
from api.v1 import staff_groups as staff_groups_api
from api.v1 import stock_notices as stock_notices_api
from api.v1 import store_settings as store_settings_api
from api.v1 import system as system_api
from api.v1 import taxes as taxes_api
from api.v1 import webhooks as webhooks_api
from api.v1 import wishlists as wishlists_api
from api.v1.edge import EdgeRoute, document_access
from api.v1.etags import ETagMiddleware, document_not_modified
from api.v1.idempotency import IdempotencyMiddleware
from api.v1.problems import install_problem_handlers
from api.v1.rate_limiting import RateLimitMiddleware
from api.v1.request_ids import RequestIdMiddleware
from backend.core.health import check_database
from backend.settings import get_settings
from backend.shop_settings.values import keep_settings_fresh

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
        telemetry={"tracing": False},  # one server span per request: see api/app.py
        # Messages that quote amounts write them as the store settings say.
        dependencies=[Depends(keep_settings_fresh)],
        # operationId = the route function's name (`list_promotions`): what a generated
        # client names its functions. A test keeps them unique.
        generate_unique_id_function=lambda route: route.name,
    )
    app.router.route_class = EdgeRoute  # for the routes declared here (health)
    install_problem_handlers(app)
    # Innermost first: ETags on the route's own answer; idempotency sees the request as
    # the route does; rate limits count every request (replays too) and sit inside CORS,
    # so a browser can read a 429.
    app.add_middleware(ETagMiddleware)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RateLimitMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.api_cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"],
        expose_headers=[
            "ETag",
            "Location",
            "Retry-After",
            "X-Request-ID",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
            "Idempotent-Replayed",
        ],
    )
    app.add_middleware(RequestIdMiddleware)
    app.include_router(products.router)
    app.include_router(collections_api.router)
    app.include_router(promotions_api.router)
    app.include_router(gift_cards_api.router)
    app.include_router(cart_api.router)
    app.include_router(cart_api.guest_carts_router)
    app.include_router(orders_api.router)
    app.include_router(draft_orders_api.router)
    app.include_router(admin_returns_api.router)
    app.include_router(admin_reviews_api.router)
    app.include_router(discount_codes_api.router)
    app.include_router(webhooks_api.router)
    app.include_router(staff_groups_api.router)
    app.include_router(shipping_api.router)
    app.include_router(taxes_api.router)
    app.include_router(store_settings_api.router)
    app.include_router(accounts_api.router)
    app.include_router(search_api.router)
    app.include_router(reviews_api.router)
    app.include_router(wishlists_api.router)
    app.include_router(after_sale_api.router)
    app.include_router(admin_catalog_api.router)
    app.include_router(admin_stock_api.router)
    app.include_router(me_api.router)
    app.include_router(account_links_api.router)
    app.include_router(stock_notices_api.router)
    app.include_router(order_lookup_api.router)
    app.include_router(customers_api.router)
    app.include_router(messages_api.router)
    app.include_router(audit_log_api.router)
    app.include_router(analytics_api.router)
    app.include_router(system_api.router)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        await check_database()
        return {"status": "ok"}

    document_not_modified(app)
    document_access(app)
    return app
