"""Who may run which event handler: one deny-by-default guard for the whole Reflex app.

Any browser can call any event handler by name over the websocket, from any page, so page
guards are only a convenience. Every State class of this app declares an access level by
inheriting one of the bases below; the `AccessGuard` middleware resolves the server-side
session before each event and refuses the event unless the viewer meets that level. A
State that declares nothing is refused for everyone. A staff state also names the
permission it needs (`StaffState.permission`), and a handler that needs more says so with
`@requires(...)`: a staff state that names none is refused too.

Before every event the session is re-checked: a revoked session (signed out elsewhere, a
password change, a lock) counts for nothing from the next event on. The check costs one
Redis GET (`backend.accounts.session_epochs`); the database is asked when that says
something changed. A tab's state is keyed by the tab, not the session, so when the viewer
of a tab changes (sign-out, sign-in, another account, another browser's cookies) every
state but the session's is reset before anything is sent: the next person gets nothing of
the last one.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from enum import Enum
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import reflex as rx
from reflex.middleware import Middleware

from backend.accounts import browser_sessions
from backend.accounts.permissions import Permission
from backend.accounts.schemas import VerifiedSession, Viewer
from backend.cart import owners as cart_owners
from backend.cart.schemas import CartOwner
from backend.core.client_address import client_address
from backend.core.errors import PermissionDeniedError
from backend.core.keys import derive_key
from backend.core.validation import field_name, nul_location
from backend.observability.tracing import pseudonym, set_span_attributes, tracing_enabled
from backend.orders.ownership import Shopper
from backend.settings import get_settings
from backend.shop_settings.values import keep_settings_fresh

if TYPE_CHECKING:
    from reflex.state import BaseState, StateUpdate
    from reflex_base.event import Event

# Reflex's own states (root state, hydration, on_load plumbing) carry no app data.
REFLEX_PACKAGES = frozenset({"reflex", "reflex_base"})


class Access(Enum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    STAFF = "staff"


def cookie_value(cookie_header: str, name: str) -> str | None:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


class SessionState(rx.State):
    """The viewer of this browser tab, resolved on the server from the HttpOnly cookie.

    Identity and permissions live in underscore vars, which never reach the browser; the
    public vars below only drive what the header and the admin's menu show.
    """

    access: ClassVar[Access] = Access.PUBLIC

    signed_in: bool = False
    display_name: str = ""
    is_staff: bool = False
    # The viewer's own permissions (`Permission` values): what the admin shows them.
    staff_permissions: list[str] = []

    _viewer: Viewer | None = None
    _session: VerifiedSession | None = None
    _cookie_fingerprint: str = ""
    # Who this tab's states belong to: "user:<id>", or "guest:<cart cookie>"; "" until
    # the first check. Whatever another viewer left in the tab is wiped when it changes.
    _viewer_key: str = ""
    # Orders this tab may show without a sign-in: placed here, or looked up by e-mail.
    _unlocked_orders: set[str] = set()

    @property
    def viewer(self) -> Viewer | None:
        """Who is signed in on this tab, as the server last verified it."""
        return self._viewer

    @property
    def viewer_permissions(self) -> frozenset[Permission]:
        return self._viewer.permissions if self._viewer else frozenset()

    @property
    def viewer_id(self) -> str:
        return str(self._viewer.user_id) if self._viewer else ""

    @property
    def client_address(self) -> str:
        """The visitor's address, for per-address limits: the one rule of
        `backend.core.client_address`. Reflex's `client_ip` is the connecting address
        (rxconfig keeps Reflex's own `trusted_proxy_hops` at 0); X-Forwarded-For is the
        header of the websocket's upgrade request, which the browser cannot change later."""
        forwarded = self.router.headers.raw_headers.get("x-forwarded-for", "")
        return client_address(self.router.session.client_ip, [forwarded])

    def _cart_token(self) -> str | None:
        """The guest cart cookie this tab's websocket carries (server-side only)."""
        return cookie_value(self.router.headers.cookie, get_settings().cart_cookie_name)

    def _cart_owner(self) -> CartOwner | None:
        """Whose cart this tab shows: the signed-in shopper's, else the guest cookie's."""
        if self._viewer is not None:
            return cart_owners.user_owner(self._viewer.user_id)
        return cart_owners.guest_owner(self._cart_token())

    def _unlock_order(self, order_id: uuid.UUID) -> None:
        self._unlocked_orders = {*self._unlocked_orders, str(order_id)}

    def _shopper(self) -> Shopper:
        """This tab's viewer as an order's customer: the account, and the orders the tab
        opened without one (`backend.orders.ownership`)."""
        return Shopper(
            user_id=self._viewer.user_id if self._viewer else None,
            opened_orders=frozenset(uuid.UUID(order_id) for order_id in self._unlocked_orders),
        )

    def _current_session_token(self) -> str | None:
        """The session cookie this tab's websocket carries (server-side only)."""
        return cookie_value(self.router.headers.cookie, get_settings().session_cookie_name)

    async def _refresh_viewer(self, *, force: bool = False) -> None:
        """Make sure the viewer is still who the cookies say, before every event.

        The cookies ride on the websocket, so they change only with a new connection; a
        verified session is trusted while its epoch is unchanged (one Redis GET), else the
        database is asked. `force`: ask the database now (long-running background work).
        """
        token = self._current_session_token()
        cart_token = self._cart_token()
        fingerprint = hashlib.sha256(f"{token or ''}\n{cart_token or ''}".encode()).hexdigest()
        same_cookies = fingerprint == self._cookie_fingerprint
        if same_cookies and not force:
            if self._session is None:
                return  # no live session behind these cookies: nothing can be revoked
            if await browser_sessions.session_unchanged(self._session):
                return
        known = self._session if same_cookies else None
        verified = await browser_sessions.verify_session(
            token, user_id=known.viewer.user_id if known else None
        )
        self._cookie_fingerprint = fingerprint
        self._session = verified
        await self._set_viewer(verified.viewer if verified else None, cart_token)

    async def _set_viewer(self, viewer: Viewer | None, cart_token: str | None) -> None:
        previous_key = self._viewer_key or _key_of(self._viewer)
        previous_permissions = self.viewer_permissions
        self._viewer = viewer
        self._viewer_key = _key_of(viewer) or f"guest:{cart_token or ''}"
        # "": a new tab, whose states hold nothing yet.
        if previous_key and previous_key != self._viewer_key:
            # Someone else now: nothing the last viewer saw, typed or started stays.
            await self._forget_previous_viewer()
        elif previous_key and self.viewer_permissions != previous_permissions:
            await self._forget_private_data()  # the same person, other rights
        self.signed_in = viewer is not None
        self.display_name = viewer.display_name if viewer else ""
        self.is_staff = bool(viewer and viewer.is_staff)
        self.staff_permissions = [p.value for p in Permission if p in self.viewer_permissions]

    def _allows(self, access: Access, needs: frozenset[Permission] = frozenset()) -> bool:
        return is_allowed(
            access,
            signed_in=self._viewer is not None,
            permissions=self.viewer_permissions,
            needs=needs,
        )

    async def _forget_previous_viewer(self) -> None:
        """Reset every state of this tab but this one: public ones too (a checkout's form
        and keys, the last order shown), and the orders the tab had opened."""
        for state_cls in _app_state_classes(self.get_root_state()):
            (await self.get_state(state_cls)).reset()
        self._unlocked_orders = set()

    async def _forget_private_data(self) -> None:
        """Reset every state this viewer may not use."""
        for state_cls in _app_state_classes(self.get_root_state()):
            access = required_access(state_cls)
            if access is None or not self._allows(access, state_permissions(state_cls)):
                (await self.get_state(state_cls)).reset()


def _key_of(viewer: Viewer | None) -> str:
    return f"user:{viewer.user_id}" if viewer else ""


def _app_state_classes(root: Any) -> list[type[Any]]:
    """Every state class below `root` but `SessionState` itself and Reflex's own states
    (undeclared ones included): those that can hold a viewer's data."""
    found: list[type[Any]] = []
    pending = list(root.get_substates())
    while pending:
        state_cls = pending.pop()
        pending.extend(state_cls.get_substates())
        if state_cls is not SessionState and not _is_reflex_state(state_cls):
            found.append(state_cls)
    return found


def _is_reflex_state(state_cls: type[Any]) -> bool:
    return state_cls.__module__.split(".")[0] in REFLEX_PACKAGES


def is_allowed(
    access: Access,
    *,
    signed_in: bool,
    permissions: frozenset[Permission],
    needs: frozenset[Permission] = frozenset(),
) -> bool:
    """Whether a viewer may use something of this access level needing these permissions.
    Staff access needing no permission is refused: staff states must name one."""
    if access is Access.PUBLIC:
        return True
    if not signed_in:
        return False
    if access is Access.SIGNED_IN:
        return True
    return bool(needs) and needs <= permissions


HandlerFn = TypeVar("HandlerFn", bound=Callable[..., Any])


def requires(*permissions: Permission) -> Callable[[HandlerFn], HandlerFn]:
    """Marks an event handler of a staff state as needing these permissions beyond its
    state's (ship: fulfil; refund: refund). The guard checks them before it runs."""

    def mark(handler: HandlerFn) -> HandlerFn:
        handler.required_permissions = frozenset(permissions)  # type: ignore[attr-defined]
        return handler

    return mark


def state_permissions(state_cls: type[Any]) -> frozenset[Permission]:
    permission = getattr(state_cls, "permission", None)
    return frozenset({permission}) if isinstance(permission, Permission) else frozenset()


def handler_permissions(state_cls: type[Any], handler: str) -> frozenset[Permission]:
    """What running `handler` of `state_cls` needs: the state's permission and the
    handler's own (`requires`)."""
    event_handler = getattr(state_cls, "event_handlers", {}).get(handler)
    own = getattr(getattr(event_handler, "fn", None), "required_permissions", frozenset())
    return state_permissions(state_cls) | own


class PublicState(SessionState):
    """Base for states any visitor may drive (browsing, search, sign-in pages)."""

    access: ClassVar[Access] = Access.PUBLIC


class SignedInState(SessionState):
    """Base for a shopper's private pages (account, orders)."""

    access: ClassVar[Access] = Access.SIGNED_IN


class StaffState(SessionState):
    """Base for every admin dashboard state: staff whose groups give `permission`. A
    subclass that names no permission is refused for everyone."""

    access: ClassVar[Access] = Access.STAFF
    permission: ClassVar[Permission | None] = None

    @property
    def staff_viewer(self) -> Viewer:
        """The signed-in staff member; the access guard admits no one else to this state."""
        if self._viewer is None:
            raise PermissionDeniedError("Sign in with a staff account.")
        return self._viewer


def required_access(state_cls: type[Any]) -> Access | None:
    """The declared access level, or None if the class declares none (then it is refused)."""
    if _is_reflex_state(state_cls):
        return Access.PUBLIC
    if isinstance(state_cls, type) and issubclass(state_cls, SessionState):
        return state_cls.access
    return None


def nul_refusal(payload: object) -> str | None:
    """The message refusing an event whose arguments hold a NUL character anywhere (the
    rule of every edge, `backend.core.validation`), or None."""
    found = nul_location(payload)
    if found is None:
        return None
    # ("form_data", "name") → "name": handlers take a form as one argument.
    field = field_name(found[1:] if len(found) > 1 else found)
    return f"“{field}” contains a NUL character (\\0), which cannot be stored: remove it."


class AccessGuard(Middleware):
    """Refuses an event unless the server-side session meets its State's access level and
    has the permissions its state and handler need, then one whose arguments hold a NUL
    character (with a message saying where)."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        await keep_settings_fresh()  # the shop's name and number format, as in force now
        state_path, _, _handler = event.name.rpartition(".")
        try:
            target = type(state).get_class_substate(state_path)
        except ValueError:
            target = None
        access = required_access(target) if target is not None else None
        needs = handler_permissions(target, _handler) if target is not None else frozenset()

        if _is_bookkeeping(state, target):
            _describe_event_span(target, _handler, None, checked=False)
            problem = nul_refusal(event.payload)
            return await _refused(state, rx.toast.error(problem)) if problem else None
        session = await state.get_state(SessionState)
        await session._refresh_viewer()
        _describe_event_span(target, _handler, session._viewer)
        if access is None or not session._allows(access, needs):
            # Refused: nothing of the handler runs. Only the viewer's own (public) session
            # vars go back, so a page whose session just ended can show its sign-in gate.
            # Pages choose what to show from those vars; a redirect here could loop on
            # on_load.
            return await _refused(state)
        problem = nul_refusal(event.payload)
        if problem is not None:
            return await _refused(state, rx.toast.error(problem))
        return None


TRACE_PSEUDONYM_PURPOSE = "trace-viewer-pseudonym"


def _is_bookkeeping(state: BaseState, target: type[BaseState] | None) -> bool:
    """Whether the event is Reflex's own bookkeeping of a page load (`on_load_internal`,
    `set_is_hydrated`: public, touching no shop data) while the tab's session is not in
    memory. The session is then not read for it: reading it fetches every page state of the
    tab from Redis (a state comes with all its substates), two whole trees per navigation,
    and the page's own load events, which come next, check the session anyway."""
    return (
        target is not None
        and _is_reflex_state(target)
        and SessionState.get_name() not in state.substates
    )


def _describe_event_span(
    target: type[BaseState] | None,
    handler: str,
    viewer: Viewer | None,
    *,
    checked: bool = True,
) -> None:
    """Names the event's span (Reflex opens one per event when tracing is on) by state and
    handler, and the viewer by a pseudonym: never a name, an e-mail or an id in clear."""
    if not tracing_enabled():
        return
    if not checked:
        shown_viewer = "(not checked)"
    elif viewer is None:
        shown_viewer = "guest"
    else:
        shown_viewer = pseudonym(viewer.user_id, key=derive_key(TRACE_PSEUDONYM_PURPOSE))
    set_span_attributes(
        {
            "shop.event.state": target.__name__ if target is not None else "(unknown)",
            "shop.event.handler": handler,
            "shop.viewer": shown_viewer,
        }
    )


async def _refused(state: BaseState, *answers: Any) -> StateUpdate:
    from reflex.state import StateUpdate
    from reflex_base.event import Event

    delta = await state._get_resolved_delta()
    state._clean()
    return StateUpdate(delta=delta, events=Event.from_event_type(list(answers)))
