"""The admin shell: sidebar navigation (on a phone, a menu button opening a side sheet),
top bar, and the sign-in gate for everyone else."""

from __future__ import annotations

import reflex as rx

from backend.accounts.permissions import PERMISSION_LABELS, Permission
from ui.access import SessionState
from ui.shop_identity import ShopIdentityState
from ui.sign_in import SignInState, sign_in_form, sign_out_button
from ui.test_mode import test_mode_banner

# (label, route, icon, the permission it needs: None, any staff member)
NAV_ITEMS: tuple[tuple[str, str, str, Permission | None], ...] = (
    ("Overview", "/admin", "layout-dashboard", None),
    ("Products", "/admin/products", "package", Permission.CATALOG),
    ("Categories", "/admin/catalog", "folder-tree", Permission.CATALOG),
    ("Collections", "/admin/collections", "layers", Permission.CATALOG),
    ("Inventory", "/admin/inventory", "boxes", Permission.INVENTORY),
    ("Locations", "/admin/locations", "warehouse", Permission.INVENTORY),
    ("Reviews", "/admin/reviews", "star", Permission.REVIEWS),
    ("Demand", "/admin/demand", "bell-ring", Permission.INVENTORY),
    ("Orders", "/admin/orders", "receipt", Permission.ORDERS_VIEW),
    ("Draft orders", "/admin/drafts", "file-pen-line", Permission.ORDERS_EDIT),
    ("Returns", "/admin/returns", "undo-2", Permission.ORDERS_VIEW),
    ("Promotions", "/admin/promotions", "badge-percent", Permission.PROMOTIONS),
    ("Discounts", "/admin/discounts", "ticket-percent", Permission.PROMOTIONS),
    ("Gift cards", "/admin/gift-cards", "gift", Permission.PROMOTIONS),
    ("Shipping", "/admin/shipping", "truck", Permission.SETTINGS),
    ("Taxes", "/admin/taxes", "percent", Permission.SETTINGS),
    ("Settings", "/admin/settings", "settings", Permission.SETTINGS),
    ("Analytics", "/admin/analytics", "chart-column", Permission.ANALYTICS),
    ("Customers", "/admin/accounts", "users", Permission.CUSTOMERS),
    ("Messages", "/admin/messages", "mail", Permission.CUSTOMERS),
    ("Webhooks", "/admin/webhooks", "webhook", Permission.WEBHOOKS),
    ("Staff", "/admin/staff", "shield-check", Permission.STAFF),
    ("Audit log", "/admin/audit", "history", Permission.STAFF),
)


def may(permission: Permission) -> rx.Var[bool]:
    """Whether the viewer's groups give `permission`: for showing, never for allowing
    (the access guard and the services decide that)."""
    return SessionState.staff_permissions.contains(permission.value)


def _nav_link(
    label: str, href: str, icon: str, permission: Permission | None, *, closes_menu: bool = False
) -> rx.Component:
    path = rx.State.router.url.path
    active = (path == href) | (path == href + "/")
    link: rx.Component = rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label), spacing="3", align="center"),
        href=href,
        padding="8px 12px",
        border_radius="var(--radius-3)",
        background=rx.cond(active, rx.color("accent", 4), "transparent"),
        color=rx.color("gray", 12),
        weight=rx.cond(active, "bold", "regular"),
        width="100%",
        underline="none",
        aria_current=rx.cond(active, "page", "false"),
    )
    if closes_menu:  # following a link in the phone menu closes the menu too
        link = rx.dialog.close(link)
    return link if permission is None else rx.cond(may(permission), link)


def _brand() -> rx.Component:
    return rx.hstack(
        rx.icon("bird", size=22, color=rx.color("accent", 10)),
        rx.text(ShopIdentityState.shop_name, weight="bold"),
        rx.badge("Admin", variant="soft"),
        spacing="2",
        align="center",
    )


def sidebar() -> rx.Component:
    """The menu beside the page from a tablet's width up; on a phone, `phone_menu`."""
    return rx.el.nav(
        rx.vstack(
            rx.box(_brand(), padding_bottom="12px"),
            *(_nav_link(*item) for item in NAV_ITEMS),
            rx.spacer(),
            rx.link("View storefront", href="/", size="2"),
            spacing="1",
            height="100%",
            align="start",
        ),
        aria_label="Admin navigation",
        display=["none", "none", "block"],
        width="220px",
        padding="16px",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        flex_shrink="0",
    )


def phone_menu() -> rx.Component:
    """Below a tablet's width: a bar with the shop's name and a menu button opening the
    navigation in a side sheet (a modal dialog: focus stays inside while it is open,
    Escape or a link closes it and focus returns to the button)."""
    return rx.hstack(
        _brand(),
        rx.dialog.root(
            rx.dialog.trigger(
                rx.button(rx.icon("menu", size=18), "Menu", variant="soft", size="2"),
            ),
            rx.dialog.content(
                rx.hstack(
                    rx.dialog.title("Menu", size="4", margin="0"),
                    rx.dialog.close(
                        rx.icon_button(
                            rx.icon("x", size=18), variant="ghost", aria_label="Close menu"
                        ),
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                    padding_bottom="8px",
                ),
                rx.dialog.description("The admin dashboard's pages", class_name="visually-hidden"),
                rx.el.nav(
                    rx.vstack(
                        *(_nav_link(*item, closes_menu=True) for item in NAV_ITEMS),
                        rx.dialog.close(rx.link("View storefront", href="/", size="2")),
                        spacing="1",
                        align="start",
                        width="100%",
                    ),
                    aria_label="Admin navigation",
                ),
                # A sheet along the left edge rather than a centred box.
                position="fixed",
                top="0",
                left="0",
                height="100dvh",
                max_height="100dvh",
                width="min(300px, 85vw)",
                border_radius="0",
                padding="16px",
                overflow_y="auto",
            ),
        ),
        display=["flex", "flex", "none"],
        justify="between",
        align="center",
        width="100%",
        padding="12px 16px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
    )


def _gate() -> rx.Component:
    """What anyone who is not staff sees at /admin: a sign-in form, or a refusal."""
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("lock", size=20),
                    rx.heading("Staff sign-in", size="6", as_="h1"),
                    align="center",
                    spacing="2",
                ),
                rx.cond(
                    SessionState.signed_in,
                    rx.vstack(
                        rx.callout(
                            "You are signed in as "
                            + SessionState.display_name
                            + ", which has no access to the admin dashboard.",
                            icon="shield-alert",
                            color_scheme="amber",
                            role="alert",
                        ),
                        rx.text("Sign out to use a staff account.", size="2"),
                        sign_out_button(),
                        spacing="3",
                    ),
                    sign_in_form(
                        form_page="/admin", next_path="/admin", error=SignInState.error_message
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            width="100%",
            max_width="420px",
            padding="24px",
        ),
        min_height="100vh",
        padding="16px",
        background=rx.color("gray", 2),
    )


def _no_permission_notice(permission: Permission) -> rx.Component:
    return rx.callout(
        f"Your staff groups do not give the “{PERMISSION_LABELS[permission]}” permission "
        "this page needs: ask an administrator.",
        icon="lock",
        color_scheme="amber",
        role="alert",
    )


def admin_page(title: str, *children: rx.Component, permission: Permission | None) -> rx.Component:
    """The dashboard frame. The gate and notices are only what the viewer sees; the data
    itself is loaded by handlers the access guard refuses to anyone without the
    permission (None: a page any staff member may open)."""
    content: tuple[rx.Component, ...] = (
        children
        if permission is None
        else (rx.cond(may(permission), rx.fragment(*children), _no_permission_notice(permission)),)
    )
    return rx.fragment(
        test_mode_banner(),
        rx.cond(
            SessionState.is_staff,
            rx.flex(
                phone_menu(),
                sidebar(),
                rx.el.main(
                    rx.hstack(
                        rx.heading(title, size="6", as_="h1"),
                        rx.hstack(
                            rx.text(SessionState.display_name, size="2", color_scheme="gray"),
                            sign_out_button(size="1"),
                            align="center",
                            spacing="3",
                        ),
                        justify="between",
                        align="center",
                        width="100%",
                        padding_bottom="16px",
                        wrap="wrap",
                    ),
                    *content,
                    # As the storefront's: which page's data has arrived (tests wait for it).
                    data_hydrated=rx.State.is_hydrated.to_string(),
                    data_loaded_path=rx.State.router.url.path,
                    flex="1",
                    padding=["16px", "16px", "24px 32px"],
                    min_width="0",
                ),
                direction=rx.breakpoints(initial="column", md="row"),
                min_height="100vh",
            ),
            _gate(),
        ),
    )
