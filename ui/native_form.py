"""A plain HTML form that the browser submits itself (Reflex's own form always prevents that).

Sign-in and sign-out must be real HTTP posts: only an HTTP response can set or clear the
HttpOnly session cookie, and the full page load that follows gives the websocket the new
cookie.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML


class NativeForm(BaseHTML):
    tag = "form"

    action: rx.Var[str]
    method: rx.Var[str]


native_form = NativeForm.create
