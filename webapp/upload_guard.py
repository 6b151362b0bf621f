"""Who may upload, decided from the request's head before Reflex reads its body.

Reflex's `POST /_upload` parses the whole multipart body into temporary files and only then
queues the upload's event, which is when the `AccessGuard` runs: an anonymous client could
fill the disk with bodies that are refused afterwards. This middleware applies the same
rule first, from the headers alone: the `Reflex-Event-Handler` names the handler, whose
State declares its access level, and the session cookie names the viewer. Uploads are
never public (today only administrators upload: product images and CSV imports); anything
else is a 403 before a byte of the body is read. The size of what is then read is capped
by `api.request_limits`.
"""

from __future__ import annotations

from typing import Any

from reflex.state import State
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.request_limits import UPLOAD_PATH
from api.v1.problems import problem_response
from backend.accounts import browser_sessions
from backend.settings import get_settings
from ui.access import Access, cookie_value, handler_permissions, is_allowed, required_access

REFUSED = "Uploads need a signed-in account allowed to use that upload."


async def may_upload(headers: Headers) -> bool:
    """Whether the session behind these headers may run the upload's event handler."""
    state_path, _, _handler = headers.get("reflex-event-handler", "").rpartition(".")
    try:
        target = State.get_class_substate(state_path)
    except ValueError:
        return False
    access = required_access(target)
    if access is None or access is Access.PUBLIC:
        return False
    token = cookie_value(headers.get("cookie", ""), get_settings().session_cookie_name)
    viewer = await browser_sessions.resolve_session(token) if token else None
    if viewer is None:
        return False
    return is_allowed(
        access,
        signed_in=True,
        permissions=viewer.permissions,
        needs=handler_permissions(target, _handler),
    )


class UploadGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == UPLOAD_PATH
            and not await may_upload(Headers(scope=scope))
        ):
            response = problem_response(403, REFUSED, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def guard_uploads(app: Any) -> ASGIApp:
    return UploadGuard(app)
