"""Security headers on every HTTP response of the app (pages, API, assets).

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware), so websockets and streaming
pass through untouched.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.settings import get_settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy() -> str:
    settings = get_settings()
    public = settings.public_origin
    websocket = public.replace("https://", "wss://").replace("http://", "ws://")
    scripts, frames, connects = "", "'none'", ""
    if settings.stripe_enabled:
        # Stripe.js, its card frames and its API calls (stripe.com, or the test double).
        stripe_js = _origin(settings.stripe_js_url)
        stripe_api = _origin(settings.stripe_api_base or "https://api.stripe.com")
        scripts = f" {stripe_js}"
        frames = f"{stripe_js} https://hooks.stripe.com"
        connects = f" {stripe_js} {stripe_api}"
    directives = {
        "default-src": "'self'",
        # Reflex's pre-rendered pages carry small inline bootstrap scripts, and its event
        # runtime evaluates the functions the server sends (toasts, call_script).
        "script-src": f"'self' 'unsafe-inline' 'unsafe-eval'{scripts}",
        "style-src": "'self' 'unsafe-inline'",
        # Product pictures are the shop's uploads or https:// addresses staff entered
        # (backend/catalog/inputs.py accepts both): both must show.
        "img-src": "'self' data: blob: https:",
        "font-src": "'self' data:",
        "connect-src": f"'self' {websocket}{connects}",
        "frame-src": frames,
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers() -> list[tuple[bytes, bytes]]:
    settings = get_settings()
    headers = {
        "content-security-policy": content_security_policy(),
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "x-frame-options": "DENY",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(self)",
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.is_production and settings.uses_https:
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
    return [(name.encode(), value.encode()) for name, value in headers.items()]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.headers = security_headers()
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (n, v) for n, v in message.get("headers", []) if n.lower() not in self.names
                ]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_security_headers(app: Any) -> ASGIApp:
    return SecurityHeaders(app)
