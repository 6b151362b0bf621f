"""Gives every browser a guest cart token: an HttpOnly cookie set on its first page.

The token names the guest's cart in Redis (`backend/cart`). It is set on HTML responses
only, so the one page load that precedes the websocket decides it; the websocket then
carries it, and Reflex event handlers read it on the server. Scripts never see it.

Where a proxy serves the pages itself (nginx in `./shop cluster`), it asks
`GET /auth/page-cookies` before each page (`auth_request`) and passes on the cookie.
"""

from __future__ import annotations

import contextlib
from http.cookies import CookieError, SimpleCookie
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.cart.owners import guest_owner, new_guest_token
from backend.settings import get_settings

COOKIE_MAX_AGE_DAYS = 365


def cart_cookie_header(token: str) -> bytes:
    settings = get_settings()
    cookie: SimpleCookie = SimpleCookie()
    name = settings.cart_cookie_name
    cookie[name] = token
    cookie[name]["path"] = "/"
    cookie[name]["httponly"] = True
    cookie[name]["samesite"] = "Lax"
    cookie[name]["max-age"] = COOKIE_MAX_AGE_DAYS * 24 * 3600
    if settings.uses_https:
        cookie[name]["secure"] = True
    return cookie.output(header="").strip().encode()


def needs_cart_cookie(cookie_header: str) -> bool:
    """True unless the request already carries a valid guest cart token."""
    cookies: SimpleCookie = SimpleCookie()
    with contextlib.suppress(CookieError):  # a garbled header counts as no cookie
        cookies.load(cookie_header)
    name = get_settings().cart_cookie_name
    return name not in cookies or guest_owner(cookies[name].value) is None


router = APIRouter(prefix="/auth", tags=["browser session"])


@router.get("/page-cookies", status_code=204, include_in_schema=False)
async def page_cookies(request: Request) -> Response:
    """What a page response would set: for a proxy serving the built pages from disk."""
    response = Response(status_code=204)
    if needs_cart_cookie(request.headers.get("cookie", "")):
        response.headers.append("set-cookie", cart_cookie_header(new_guest_token()).decode())
    return response


class CartCookie:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if not needs_cart_cookie(Headers(scope=scope).get("cookie", "")):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                if headers.get("content-type", "").startswith("text/html"):
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"set-cookie", cart_cookie_header(new_guest_token())),
                    ]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def add_cart_cookie(app: Any) -> ASGIApp:
    return CartCookie(app)
