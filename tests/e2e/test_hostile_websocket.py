"""The access guard against a hostile browser: admin handlers called by name, over the real socket.

Pages are only a convenience: any browser can open Reflex's websocket and send any event
of any State with any payload. These tests do that (tests/fixtures/hostile_client.py) as an
anonymous visitor, a shopper, a moderator, a packer, an admin and one staff member per
permission (each in a group giving only that one), with secrets planted through the
backend services: a hidden product (its SKU and name appear only in the staff's products
table) and a new customer's verification e-mail (the address appears only under Admin ->
Messages and Accounts, its text only in Messages; its one-time link went to the mailbox
alone). The admin's and the moderator's positive cases prove that the client really
reaches those handlers, so the refusals are meaningful; after the refusals the accounts
are checked to be untouched (no group was joined, nobody was locked).
"""

from __future__ import annotations

import asyncio
import importlib
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import pytest
import socketio

from admin.pages.accounts import AccountsState
from admin.pages.catalog_structure import CatalogStructureState
from admin.pages.customer import CustomerState
from admin.pages.messages import MessagesState
from admin.pages.overview import OverviewState
from admin.pages.product_editor import ProductEditorState
from admin.pages.products import ProductsTableState
from backend.accounts import authentication, browser_sessions, registration, staff, staff_groups
from backend.accounts.permissions import DEFAULT_GROUPS, DefaultGroup, Permission, with_implied
from backend.accounts.roles import RoleName
from backend.catalog import services as catalog
from backend.catalog.inputs import ProductCreate
from backend.notifications import queries as notifications
from backend.notifications.schemas import REDACTED_TOKEN
from backend.settings import get_settings
from devstack.services import VAR_DIR
from tests.e2e.data import PASSWORD, create_account, create_category, run
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.hostile_client import (
    FIELD_MARKER,
    ROOT_STATE,
    UPDATE_VARS_INTERNAL,
    HostileBrowser,
    Received,
    event_name,
)
from tests.fixtures.waiting import eventually
from ui.access import Access, SessionState, handler_permissions, is_allowed, required_access

T = TypeVar("T")

SESSION_STATE = SessionState.get_full_name()


# --- planted secrets and the people who try to read them ---------------------------------


@dataclass(frozen=True)
class Secrets:
    sku: str
    product_name: str
    victim_id: str
    victim_email: str
    message_id: str
    message_text: str  # a line only the victim's stored e-mail has

    def all(self) -> tuple[str, ...]:
        return (self.sku, self.product_name, self.victim_email, self.message_text)

    def hidden_from(self, who: str) -> tuple[str, ...]:
        """The catalog (the hidden product) is for staff who run the catalog or the stock;
        customers' data (accounts, messages) for those with the customers permission."""
        permissions = PERMISSIONS.get(who, frozenset())
        shown: set[str] = set()
        if permissions & {Permission.CATALOG, Permission.INVENTORY}:
            shown |= {self.sku, self.product_name}
        if Permission.CUSTOMERS in permissions:
            shown |= {self.victim_email, self.message_text}
        return tuple(secret for secret in self.all() if secret not in shown)


@dataclass(frozen=True)
class Viewer:
    name: str
    cookie: str | None
    user_id: str | None


# What each staff viewer's groups give: the built-in groups, and one group per permission.
PERMISSIONS: dict[str, frozenset[Permission]] = {
    "moderator": DEFAULT_GROUPS[DefaultGroup.MODERATORS].permissions,
    "packer": DEFAULT_GROUPS[DefaultGroup.FULFILMENT].permissions,
    "admin": DEFAULT_GROUPS[DefaultGroup.ADMINISTRATORS].permissions,
    **{
        f"only {permission.value}": with_implied(frozenset({permission}))
        for permission in Permission
    },
}


@pytest.fixture(scope="module")
def secrets(live_shop: str) -> Secrets:
    unique = uuid.uuid4().hex[:10]
    sku, product_name = f"HIDDEN-{unique}", f"Unreleased gadget {unique}"
    category_id = create_category(f"hostile-{unique}")

    async def make_hidden_product() -> None:
        await catalog.create_product(
            ProductCreate(
                name=product_name,
                sku=sku,
                price=Decimal("12.50"),
                category_id=category_id,
                stock_quantity=3,
                is_active=False,  # never shown in the storefront: only the admin table has it
            ),
            actor=await catalog_manager(),
        )

    run(make_hidden_product)
    victim_email = f"victim-{unique}@example.com"
    victim_id = run(
        lambda: registration.create_user(
            username=f"victim_{unique}", email=victim_email, password=PASSWORD, status="pending"
        )
    )

    async def stored_message() -> tuple[str, str]:
        async def probe() -> Any:
            page = await notifications.list_messages(recipient=victim_email)
            return page if page.items else None

        page = await eventually(probe, within=30)
        detail = await notifications.get_message(page.items[0].id)
        # This shop sends mail: the stored copy names the link but holds no token.
        link = re.search(r"/verify-email\?token=(\S+)", detail.body_text)
        assert link, detail.body_text
        assert link.group(1) == REDACTED_TOKEN
        greeting = f"Hello victim_{unique},"
        assert greeting in detail.body_text
        return str(page.items[0].id), greeting

    message_id, message_text = run(stored_message)
    return Secrets(sku, product_name, str(victim_id), victim_email, message_id, message_text)


def signed_in(role: RoleName | DefaultGroup) -> Viewer:
    """A new account with `role` (a built-in staff group, or only the shopper's role),
    signed in: a browser holding its session cookie."""
    email = create_account(f"{role.value[:4]}{uuid.uuid4().hex[:8]}", roles=frozenset({role}))
    session = run(lambda: authentication.sign_in(email=email, password=PASSWORD))
    name = {
        RoleName.USER: "shopper",
        DefaultGroup.MODERATORS: "moderator",
        DefaultGroup.FULFILMENT: "packer",
        DefaultGroup.ADMINISTRATORS: "admin",
    }[role]
    return Viewer(name, session.session_token, str(session.viewer.user_id))


def signed_in_with_only(permission: Permission) -> Viewer:
    """A staff member whose one group gives only `permission` (and what it implies)."""
    unique = uuid.uuid4().hex[:8]
    email = create_account(f"only{unique}", roles=frozenset({RoleName.USER}))

    async def join() -> Any:
        admin = await catalog_manager()
        group_id = await staff_groups.create_group(
            admin,
            staff_groups.parse_group_input(f"Only {permission.value} {unique}", "", [permission]),
        )
        session = await authentication.sign_in(email=email, password=PASSWORD)
        await staff_groups.set_membership(admin, session.viewer.user_id, group_id, member=True)
        return session

    session = run(join)
    return Viewer(f"only {permission.value}", session.session_token, str(session.viewer.user_id))


@pytest.fixture(scope="module")
def viewers(live_shop: str) -> dict[str, Viewer]:
    return {
        "anonymous": Viewer("anonymous", None, None),
        "shopper": signed_in(RoleName.USER),
        "moderator": signed_in(DefaultGroup.MODERATORS),
        "packer": signed_in(DefaultGroup.FULFILMENT),
        "admin": signed_in(DefaultGroup.ADMINISTRATORS),
        **{f"only {p.value}": signed_in_with_only(p) for p in Permission},
    }


def assert_accounts_untouched(viewers: dict[str, Viewer], secrets: Secrets) -> None:
    """No hostile call gave anyone a permission or locked anyone (read through the
    services)."""

    async def facts() -> tuple[dict[str, frozenset[Permission]], staff.AccountSummary]:
        permissions = {}
        for who, seen in viewers.items():
            if seen.cookie is None:
                continue
            viewer = await browser_sessions.resolve_session(seen.cookie)
            assert viewer is not None, f"the {who}'s session ended"
            permissions[who] = viewer.permissions
        admin = await browser_sessions.resolve_session(viewers["admin"].cookie)
        assert admin is not None
        found = await staff.list_accounts(admin, search=secrets.victim_email)
        return permissions, found.items[0]

    permissions, victim = run(facts)
    assert permissions == {"shopper": frozenset(), **PERMISSIONS}
    assert victim.status == "pending"
    assert victim.staff_groups == ()


def browse(
    base_url: str,
    cookie: str | None,
    scenario: Callable[[HostileBrowser], Awaitable[T]],
    **options: Any,
) -> T:
    """Run one async scenario with one hostile tab, on a thread (Playwright owns this one)."""

    async def session() -> T:
        async with HostileBrowser(base_url, cookie, **options) as browser:
            return await scenario(browser)

    return run(session)


# --- reading what came back --------------------------------------------------------------


def touching(messages: Iterable[Received], state_cls: type[Any]) -> list[Received]:
    """The messages that carry any var of `state_cls` or of its substates."""
    name = state_cls.get_full_name()
    return [m for m in messages if any(k == name or k.startswith(name + ".") for k in m.delta)]


def _fresh(message: Received, state_cls: type[Any], defaults: dict[str, dict[str, Any]]) -> bool:
    """Whether what `message` says of `state_cls` is only its defaults: the server sends a
    whole new state when it starts the tab's state afresh (under load it may lose one), and
    a refused event then answers with that, which no handler changed."""
    name = state_cls.get_full_name()
    return all(
        key in defaults and all(defaults[key].get(var) == value for var, value in values.items())
        for key, values in message.delta.items()
        if key == name or key.startswith(name + ".")
    )


def assert_refused(
    replies: list[Received],
    state_cls: type[Any],
    handler: str,
    defaults: dict[str, dict[str, Any]] | None = None,
) -> None:
    ran = [
        m
        for m in touching(replies, state_cls)
        if defaults is None or not _fresh(m, state_cls, defaults)
    ]
    assert not ran, f"{state_cls.__name__}.{handler} ran: {ran[0].raw[:2000]}"
    # A handler that ran and failed (bad payload) would answer with an error toast.
    events = [e for m in replies for e in m.events]
    assert not events, f"{state_cls.__name__}.{handler} answered events: {events}"


def assert_no_secrets(text: str, secrets: Secrets, who: str = "anonymous") -> None:
    leaked = [secret for secret in secrets.hidden_from(who) if secret in text]
    assert not leaked, f"reached the browser ({who}): {leaked}"


def session_vars(browser: HostileBrowser) -> dict[str, Any]:
    return browser.merged_state().get(SESSION_STATE, {})


def assert_is(browser: HostileBrowser, viewer: Viewer) -> None:
    """The server saw the cookie (or its absence) as intended, so the test tests something."""
    seen = session_vars(browser)
    permissions = PERMISSIONS.get(viewer.name, frozenset())
    assert seen.get("signed_in_rx_state_") is (viewer.cookie is not None), seen
    assert seen.get("is_staff_rx_state_") is bool(permissions), seen
    assert set(seen.get("staff_permissions_rx_state_", [])) == permissions, seen


@dataclass(frozen=True)
class AppStates:
    defaults: dict[str, dict[str, Any]]  # everything a brand-new anonymous tab is sent
    classes: dict[str, type[Any]]  # every State class of the running app, by full name
    admin_pages: list[str]  # every route under /admin

    def at(self, levels: set[Access | None]) -> list[type[Any]]:
        return [cls for cls in self.classes.values() if required_access(cls) in levels]

    def forbidden_states(self, who: str) -> list[type[Any]]:
        """The states `who` may not drive at all (their load handlers included)."""
        return [
            cls
            for cls in self.classes.values()
            if not _may(who, required_access(cls), handler_permissions(cls, ""))
        ]

    def forbidden_handlers(self, who: str) -> list[tuple[type[Any], str]]:
        """Every handler `who` may not run: of states above them, and the handlers that
        need a permission beyond their state's (refund on an order page)."""
        return [
            (cls, handler)
            for cls in self.classes.values()
            for handler in sorted(cls.event_handlers)
            if not _may(who, required_access(cls), handler_permissions(cls, handler))
        ]


def _may(who: str, access: Access | None, needs: frozenset[Permission]) -> bool:
    if access is None:
        return False
    return is_allowed(
        access,
        signed_in=who != "anonymous",
        permissions=PERMISSIONS.get(who, frozenset()),
        needs=needs,
    )


@pytest.fixture(scope="module")
def app_states(live_shop: str) -> AppStates:
    async def fresh_tab() -> dict[str, dict[str, Any]]:
        async with HostileBrowser(live_shop) as blank:
            await blank.hydrate("/")
            return blank.merged_state()

    defaults = run(fresh_tab)
    # The server sends every state on a full hydration; the classes are looked up here, in
    # the main thread, where Reflex's registry (a context variable) lives.
    app = importlib.import_module("webapp.app").app  # registers every page's states
    from reflex_base.registry import RegistrationContext

    known = RegistrationContext.get().base_states
    missing = sorted(set(defaults) - set(known))
    assert not missing, f"the server has states this test process does not know: {missing}"
    routes = ("/" + route.strip("/") for route in app._unevaluated_pages)
    admin_pages = sorted(r for r in routes if r == "/admin" or r.startswith("/admin/"))
    assert "/admin/products" in admin_pages, admin_pages
    return AppStates(defaults, {name: known[name] for name in defaults}, admin_pages)


Payload = Callable[[Secrets, Viewer], dict[str, Any]]


def administrators_id() -> str:
    async def find() -> str:
        groups = await staff_groups.list_groups(await catalog_manager())
        return next(str(g.id) for g in groups if g.key == DefaultGroup.ADMINISTRATORS)

    return run(find)


# Admin handlers with the payload an attacker would send, and the page it pretends to be on.
ADMIN_HANDLERS: list[tuple[type[Any], str, Payload, str]] = [
    (MessagesState, "retry", lambda s, v: {"event_id": str(uuid.uuid4()), "handler": "x"}, "/"),
    (MessagesState, "load", lambda s, v: {}, "/admin/messages"),
    (MessagesState, "open_message", lambda s, v: {"message_id": s.message_id}, "/admin"),
    (ProductsTableState, "load", lambda s, v: {}, "/admin/products"),
    (ProductsTableState, "next_page", lambda s, v: {}, "/"),
    (OverviewState, "load", lambda s, v: {}, "/admin"),
    (AccountsState, "load", lambda s, v: {}, "/admin/accounts"),
    (AccountsState, "find", lambda s, v: {"form_data": {"search": s.victim_email}}, "/"),
    # Join the Administrators (on the victim's customer page), lock someone else.
    (
        CustomerState,
        "set_group",
        lambda s, v: {"group_id": administrators_id(), "member": True},
        "/admin/accounts",
    ),
    (AccountsState, "lock", lambda s, v: {"user_id": s.victim_id}, "/admin/accounts"),
]


# --- the client speaks the real protocol -------------------------------------------------


def test_event_names_match_what_the_compiled_frontend_sends(live_shop: str) -> None:
    assets = VAR_DIR / f"e2e-{get_settings().port}" / "web" / "build" / "client"
    bundle = "\n".join(path.read_text(errors="replace") for path in assets.rglob("*.js"))
    assert bundle, f"no compiled frontend under {assets}"
    for state_cls, handler in [(ProductsTableState, "next_page"), (MessagesState, "retry")]:
        quoted = "[\"'`]" + re.escape(event_name(state_cls, handler)) + "[\"'`]"
        assert re.search(quoted, bundle), event_name(state_cls, handler)


def test_an_admin_connection_receives_the_admin_data(
    live_shop: str, secrets: Secrets, viewers: dict[str, Viewer]
) -> None:
    admin = viewers["admin"]

    async def scenario(browser: HostileBrowser) -> tuple[list[Received], ...]:
        await browser.hydrate("/")
        assert_is(browser, admin)
        products = await browser.call(event_name(ProductsTableState, "load"))
        listed = await browser.call(event_name(MessagesState, "load"), path="/admin/messages")
        opened = await browser.call(
            event_name(MessagesState, "open_message"), {"message_id": secrets.message_id}
        )
        found = await browser.call(
            event_name(AccountsState, "find"), {"form_data": {"search": secrets.victim_email}}
        )
        return products, listed, opened, found

    products, listed, opened, found = browse(live_shop, admin.cookie, scenario)
    rows = [
        row
        for m in touching(products, ProductsTableState)
        for row in m.delta[ProductsTableState.get_full_name()].get("rows_rx_state_", [])
    ]
    planted = [row for row in rows if row.get("sku") == secrets.sku]
    assert planted, rows
    assert planted[0]["name"] == secrets.product_name
    assert planted[0]["active"] is False
    assert secrets.victim_email in "".join(m.raw for m in touching(listed, MessagesState))
    assert secrets.message_text in "".join(m.raw for m in touching(opened, MessagesState))
    assert secrets.victim_id in "".join(m.raw for m in touching(found, AccountsState))


def test_a_catalog_manager_gets_the_products_table_but_no_customer_handler(
    live_shop: str, secrets: Secrets, viewers: dict[str, Viewer]
) -> None:
    cataloguer = viewers["only catalog"]

    async def scenario(browser: HostileBrowser) -> None:
        await browser.hydrate("/admin/products")
        assert_is(browser, cataloguer)
        assert secrets.sku in browser.transcript  # the catalog permission shows the catalog
        for state_cls, handler, payload, path in ADMIN_HANDLERS:
            if state_cls in (MessagesState, AccountsState, CustomerState):  # customers, staff
                replies = await browser.call(
                    event_name(state_cls, handler), payload(secrets, cataloguer), path=path
                )
                assert_refused(replies, state_cls, handler)
        assert_no_secrets(browser.transcript, secrets, "only catalog")

    browse(live_shop, cataloguer.cookie, scenario)
    assert_accounts_untouched(viewers, secrets)


# --- the catalog matrix: who may change it, read back from the database -------------------


@dataclass(frozen=True)
class CatalogTarget:
    product_id: str
    category_id: str
    empty_category_id: str


def plant_catalog_target() -> CatalogTarget:
    unique = uuid.uuid4().hex[:10]
    category_id = create_category(f"matrix-{unique}")
    empty_category_id = create_category(f"matrix-empty-{unique}")

    async def make() -> str:
        product_id = await catalog.create_product(
            ProductCreate(
                name=f"Matrix lamp {unique}",
                sku=f"MATRIX-{unique}",
                price=Decimal("12.50"),
                category_id=category_id,
                is_active=False,
            ),
            actor=await catalog_manager(),
        )
        return str(product_id)

    return CatalogTarget(run(make), str(category_id), str(empty_category_id))


def catalog_changes(target: CatalogTarget) -> list[tuple[type[Any], str, dict[str, Any], str]]:
    """Every kind of catalog change the dashboard offers, as an attacker would send it."""
    editor_path = f"/admin/products/{target.product_id}"
    select = {"product_id": target.product_id, "checked": True}
    return [
        (ProductsTableState, "toggle", select, "/admin/products"),
        (ProductsTableState, "activate_selected", {}, "/admin/products"),
        (ProductsTableState, "toggle", select, "/admin/products"),
        (ProductsTableState, "change_prices", {"form_data": {"percent": "50"}}, "/admin/products"),
        (ProductEditorState, "load", {}, editor_path),
        (
            ProductEditorState,
            "save",
            {
                "form_data": {
                    "name": "Renamed by the matrix",
                    "sku": "MATRIX-RENAMED-" + target.product_id[:8],
                    "price": "99.00",
                    "currency": "USD",
                    "category_id": target.category_id,
                    "low_stock_threshold": "5",
                }
            },
            editor_path,
        ),
        (CatalogStructureState, "load", {}, "/admin/catalog"),
        (CatalogStructureState, "delete_category", {"category_id": target.empty_category_id}, "/"),
        (CatalogStructureState, "delete_category", {"category_id": target.empty_category_id}, "/"),
        (ProductEditorState, "delete", {}, editor_path),
    ]


async def catalog_facts(target: CatalogTarget) -> dict[str, Any]:
    from backend.audit import services as audit
    from backend.catalog import category_queries
    from backend.catalog import queries as catalog_queries
    from backend.core.errors import NotFoundError

    tree = await category_queries.get_category_tree()
    try:
        product = (await catalog_queries.get_product(uuid.UUID(target.product_id))).summary
        found = (product.is_active, product.price, product.name)
    except NotFoundError:
        found = None
    actions = [e.action for e in (await audit.list_entries(entity_id=target.product_id)).items]
    return {
        "product": found,
        "empty_category": tree.by_id(uuid.UUID(target.empty_category_id)) is not None,
        "audited": sorted(set(actions)),
    }


@pytest.mark.parametrize("who", ["anonymous", "shopper", "moderator", "packer", "admin"])
def test_only_the_catalog_permission_changes_the_catalog_whatever_handler_is_called(
    live_shop: str, viewers: dict[str, Viewer], who: str
) -> None:
    target = plant_catalog_target()
    viewer = viewers[who]

    async def scenario(browser: HostileBrowser) -> None:
        await browser.hydrate("/admin/products")
        assert_is(browser, viewer)
        for state_cls, handler, payload, path in catalog_changes(target):
            await browser.call(event_name(state_cls, handler), payload, path=path)

    browse(live_shop, viewer.cookie, scenario)
    facts = run(lambda: catalog_facts(target))
    if who == "admin":
        # Shown, repriced +50 %, renamed at 99.00 (audited), then deleted; the empty
        # category deleted after the second (confirming) click.
        assert facts == {
            "product": None,
            "empty_category": False,
            "audited": [
                "product.bulk_updated",
                "product.created",
                "product.deleted",
                "product.updated",
            ],
        }
    else:
        assert facts == {
            "product": (False, Decimal("12.50"), facts["product"][2]),
            "empty_category": True,
            "audited": ["product.created"],
        }
        assert facts["product"][2].startswith("Matrix lamp")


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_admin_handlers_called_by_name_are_refused(
    live_shop: str, secrets: Secrets, viewers: dict[str, Viewer], who: str
) -> None:
    viewer = viewers[who]

    async def scenario(browser: HostileBrowser) -> None:
        await browser.hydrate("/")  # an ordinary storefront tab...
        assert_is(browser, viewer)
        for state_cls, handler, payload, path in ADMIN_HANDLERS:  # ...that calls admin handlers
            replies = await browser.call(
                event_name(state_cls, handler), payload(secrets, viewer), path=path
            )
            assert_refused(replies, state_cls, handler)
        assert_no_secrets(browser.transcript, secrets)

    browse(live_shop, viewer.cookie, scenario)
    assert_accounts_untouched(viewers, secrets)


@pytest.mark.parametrize("who", ["anonymous", "shopper"])
def test_an_admin_handler_as_the_first_event_of_an_unhydrated_socket_is_refused(
    live_shop: str, secrets: Secrets, viewers: dict[str, Viewer], who: str
) -> None:
    """No hydration at all: the server hydrates by itself on a first event, after the guard."""

    async def scenario(browser: HostileBrowser) -> None:
        await browser.connect("/admin/products")
        replies = await browser.call(event_name(ProductsTableState, "load"))
        assert_refused(replies, ProductsTableState, "load")
        assert_no_secrets(browser.transcript, secrets)

    browse(live_shop, viewers[who].cookie, scenario)


@pytest.mark.parametrize("who", ["anonymous", "shopper", "moderator", "packer"])
def test_hydrating_the_admin_pages_sends_no_admin_data(
    live_shop: str,
    secrets: Secrets,
    viewers: dict[str, Viewer],
    app_states: AppStates,
    who: str,
) -> None:
    viewer = viewers[who]

    async def scenario(browser: HostileBrowser) -> dict[str, dict[str, Any]]:
        for path in app_states.admin_pages:  # a new tab for the first, then navigations
            await browser.hydrate(path)
        assert_is(browser, viewer)
        assert_no_secrets(browser.transcript, secrets, who)
        return browser.merged_state()

    seen = browse(live_shop, viewer.cookie, scenario)
    for state_cls in app_states.forbidden_states(who):
        name = state_cls.get_full_name()
        assert seen.get(name) == app_states.defaults[name], f"{name} holds more than defaults"


MATRIX_TABS = 4
MATRIX_VIEWERS = ["anonymous", "shopper", "moderator", "packer"] + [
    f"only {permission.value}" for permission in Permission
]


@pytest.mark.parametrize("who", MATRIX_VIEWERS)
def test_every_handler_the_viewers_groups_do_not_allow_is_refused(
    live_shop: str,
    secrets: Secrets,
    viewers: dict[str, Viewer],
    app_states: AppStates,
    who: str,
) -> None:
    """Deny by default, handler by handler, permission by permission: whatever States the
    app has today, every handler that needs a permission the viewer lacks is refused."""
    viewer = viewers[who]
    targets = app_states.forbidden_handlers(who)
    # A few tabs of the same viewer share the calls: each waits for every reply in turn,
    # so tabs side by side finish sooner (the server runs each tab's events in order).
    shares = [targets[start::MATRIX_TABS] for start in range(MATRIX_TABS)]

    async def scenario(share: list[tuple[type[Any], str]]) -> int:
        async with HostileBrowser(live_shop, viewer.cookie) as browser:
            await browser.hydrate("/")
            assert_is(browser, viewer)
            for state_cls, handler in share:
                some_var = next(iter(state_cls.base_vars), "x")
                payload = {"var_name": some_var, "value": "hostile"} if handler == "setvar" else {}
                replies = await browser.call(event_name(state_cls, handler), payload, path="/admin")
                assert_refused(replies, state_cls, handler, app_states.defaults)
            assert_no_secrets(browser.transcript, secrets, who)
            return len(share)

    async def all_tabs() -> list[int]:
        return list(await asyncio.gather(*(scenario(share) for share in shares)))

    assert sum(run(all_tabs)) == len(targets) > 0
    assert_accounts_untouched(viewers, secrets)


def test_every_state_of_the_running_app_declares_an_access_level(app_states: AppStates) -> None:
    """The guard refuses an undeclared state for everyone (tests/unit/test_access_levels.py);
    here: none exists, so no page is silently dead."""
    assert [state.__name__ for state in app_states.at({None})] == []


def test_identity_forged_through_browser_storage_or_setters_counts_for_nothing(
    live_shop: str, secrets: Secrets, viewers: dict[str, Viewer]
) -> None:
    """The events that let a page push values into the state cannot set who the viewer is."""
    anonymous = viewers["anonymous"]
    admin_id = viewers["admin"].user_id
    forged: dict[str, Any] = {}
    for var, value in {
        "_viewer": {"user_id": admin_id, "roles": ["admin"], "email": "x", "username": "x"},
        "_user_id": admin_id,
        "_roles": ["admin", "moderator"],
        "signed_in": True,
        "is_staff": True,
        "staff_permissions": [permission.value for permission in Permission],
    }.items():
        forged[f"{SESSION_STATE}.{var}"] = value
        forged[f"{SESSION_STATE}.{var}{FIELD_MARKER}"] = value

    async def scenario(browser: HostileBrowser) -> None:
        await browser.hydrate("/admin/products", client_storage=forged)
        await browser.call(UPDATE_VARS_INTERNAL, {"vars": forged})
        for var, value in forged.items():
            name = var.rpartition(".")[2].removesuffix(FIELD_MARKER)
            await browser.call(
                event_name(SessionState, "setvar"), {"var_name": name, "value": value}
            )
        for state_cls, handler, payload, path in ADMIN_HANDLERS:
            replies = await browser.call(
                event_name(state_cls, handler), payload(secrets, anonymous), path=path
            )
            assert_refused(replies, state_cls, handler)
        assert_is(browser, anonymous)
        assert_no_secrets(browser.transcript, secrets)

    browse(live_shop, None, scenario)
    assert_accounts_untouched(viewers, secrets)


def test_the_public_session_helpers_never_send_the_session_cookie_back(
    live_shop: str, viewers: dict[str, Viewer]
) -> None:
    """Every public method of a State is an event handler, also SessionState's helpers."""
    shopper = viewers["shopper"]
    assert shopper.cookie

    async def scenario(browser: HostileBrowser) -> None:
        await browser.hydrate("/")
        for handler in sorted(SessionState.event_handlers):
            for payload in ({}, {"access": "staff"}, {"force": True}):
                await browser.call(event_name(SessionState, handler), payload)
        assert shopper.cookie not in browser.transcript
        assert_is(browser, shopper)

    browse(live_shop, shopper.cookie, scenario)


def test_a_foreign_origin_cannot_open_the_websocket_even_with_an_admin_cookie(
    live_shop: str, viewers: dict[str, Viewer]
) -> None:
    async def scenario(browser: HostileBrowser) -> None:
        await browser.hydrate("/admin/products")

    with pytest.raises(socketio.exceptions.ConnectionError):
        browse(live_shop, viewers["admin"].cookie, scenario, origin="https://evil.example")


# --- a tab outlives its session ------------------------------------------------------------
# Reflex keeps UI state per tab token, not per session: when the viewer of a tab changes,
# the access guard wipes every state the new viewer may not use before anything is sent.


@pytest.mark.parametrize("next_viewer", ["signed out", "shopper"])
def test_a_tab_whose_admin_session_ended_gets_no_admin_data_on_hydration(
    live_shop: str, secrets: Secrets, viewers: dict[str, Viewer], next_viewer: str
) -> None:
    tab = str(uuid.uuid4())  # the per-tab token, kept in the tab's sessionStorage
    admin_cookie = signed_in(DefaultGroup.ADMINISTRATORS).cookie  # its own: this test ends it

    async def as_admin(browser: HostileBrowser) -> None:
        await browser.hydrate("/admin/products")
        await browser.call(event_name(MessagesState, "load"), path="/admin/messages")
        await browser.call(
            event_name(MessagesState, "open_message"), {"message_id": secrets.message_id}
        )
        await browser.call(event_name(AccountsState, "load"), path="/admin/accounts")
        for secret in secrets.all():
            assert secret in browser.transcript  # the setup works: the tab holds them all

    browse(live_shop, admin_cookie, as_admin, token=tab)
    run(lambda: browser_sessions.sign_out(admin_cookie))
    cookie = viewers["shopper"].cookie if next_viewer == "shopper" else None

    async def same_tab_later(browser: HostileBrowser) -> str:
        # The server frees the token shortly after the old socket closed; until then it
        # hands out a new token (a fresh state), which would prove nothing.
        for _ in range(50):
            await browser.hydrate("/")
            if not any(m.event == "new_token" for m in browser.messages):
                return browser.transcript
            await browser.close()
            browser.messages.clear()
            await asyncio.sleep(0.2)
        raise AssertionError("the tab token stayed taken")

    transcript = browse(live_shop, cookie, same_tab_later, token=tab)
    assert ROOT_STATE in transcript
    assert_no_secrets(transcript, secrets, "shopper" if cookie else "anonymous")
