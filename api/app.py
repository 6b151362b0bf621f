"""The HTTP app Reflex mounts in front of its own routes (`rx.App(api_transformer=...)`)."""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.admin_routes import router as admin_router
from api.cart_cookie import router as page_cookie_router
from api.document_routes import router as document_router
from api.media_routes import router as media_router
from api.operations_routes import router as operations_router
from api.payment_routes import router as payment_router
from api.session_routes import router as session_router
from api.storefront_html.routes import router as storefront_html_router
from api.storefront_html.routes import shell_is_missing
from api.storefront_html.shell import ShellMissingError
from api.v1.app import build_api_v1
from backend.demo.published_accounts import refuse_published_demo_accounts_in_production

# The access log middleware around the whole web app (api/access_log.py) makes each
# request's server span, Reflex's routes included, and names it by route template; FastAPI's
# own span would start a second trace for the same request.
ONE_SERVER_SPAN: TelemetryConfig = {"tracing": False}


def build_http_app() -> FastAPI:
    app = FastAPI(
        title="Kestrel Goods",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=ONE_SERVER_SPAN,
    )
    app.include_router(session_router)
    app.include_router(page_cookie_router)
    app.include_router(media_router)
    app.include_router(document_router)
    app.include_router(payment_router)
    app.include_router(admin_router)
    app.include_router(operations_router)
    app.include_router(storefront_html_router)
    app.add_exception_handler(ShellMissingError, shell_is_missing)
    api_v1 = Mount("/api/v1", app=build_api_v1())
    accept_line_breaks(api_v1)
    app.router.routes.append(api_v1)
    return app


@contextlib.asynccontextmanager
async def production_start_checks() -> AsyncIterator[None]:
    """A lifespan task of the web process: in production it refuses to serve while the
    demo accounts keep their published passwords (the exception fails the ASGI start-up,
    and the server exits with the message)."""
    await refuse_published_demo_accounts_in_production()
    yield


def accept_line_breaks(mount: Mount) -> None:
    """Starlette's mount pattern (`^/api/v1/(?P<path>.*)$`) stops at a line break: a path
    with an encoded newline (%0A) would miss the mounted app and get a plain-text 404."""
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)


class OneVaryHeader:
    """Merges the `Vary` headers of a response into one, each name once. Reflex puts a CORS
    layer around the whole app and the API has its own: each added `Vary: Origin`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_one_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                values = headers.getlist("vary")
                if len(values) > 1 or any("," in value for value in values):
                    names: dict[str, str] = {}
                    for value in values:
                        for name in value.split(","):
                            names.setdefault(name.strip().lower(), name.strip())
                    del headers["vary"]
                    headers["vary"] = ", ".join(name for name in names.values() if name)
            await send(message)

        await self.app(scope, receive, send_with_one_vary)


def complete_reflex_app(top: Any) -> ASGIApp:
    """The last touches on the ASGI app Reflex assembles around ours (its lifespan, context
    and CORS layers and a catch-all mount): that mount too must let paths with line
    breaks through, and the response names each Vary header once."""
    if isinstance(top, Starlette):
        for route in top.router.routes:
            if isinstance(route, Mount):
                accept_line_breaks(route)
    return OneVaryHeader(top)


def build_api_schema(http_app: FastAPI) -> None:
    """For a web process, as it starts: the API's OpenAPI document (575 KB, 1.3 s of CPU
    on this machine) is built now and kept, not by the first client that asks for it,
    which stalled every other request of that process meanwhile (past 5 s on a busy
    one). Built before `freeze_startup_objects`, it is frozen with the app."""
    for route in http_app.router.routes:
        if isinstance(route, Mount) and isinstance(route.app, FastAPI):
            route.app.openapi()


def freeze_startup_objects() -> None:
    """For a web process, once its app is built: everything made so far (the app, its
    modules, their tables) lives as long as the process. Moved out of the garbage
    collector's sight, a full collection no longer walks it, and requests stop paying
    50-100 ms pauses for it (the API's p99 under load: 128 ms before, 38 ms after)."""
    gc.freeze()
