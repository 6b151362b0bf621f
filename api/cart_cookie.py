"""Gives every browser a guest cart token: an HttpOnly cookie set on its first page.

The token names the guest's cart in Redis (`backend/cart`). It is set on HTML responses
only, so the one page load that precedes the websocket decides it; the websocket then
carries it, and Reflex event handlers read it on the server. Scripts never see it.
"""

from __future__ import annotations

import contextlib
from http.cookies import CookieError, SimpleCookie
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.cart.services import guest_owner, new_guest_token
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


class CartCookie:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        cookies: SimpleCookie = SimpleCookie()
        with contextlib.suppress(CookieError):  # a garbled header counts as no cookie
            cookies.load(Headers(scope=scope).get("cookie", ""))
        name = get_settings().cart_cookie_name
        if name in cookies and guest_owner(cookies[name].value) is not None:
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
