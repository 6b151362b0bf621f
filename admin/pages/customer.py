"""One customer (any account): facts, lifetime value, orders, the same lock/unlock as the
accounts list, their staff groups (the staff permission), and their privacy requests
(export their data, erase them). The customers permission (the access guard and the
services)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import datetime
from typing import ClassVar

import reflex as rx

from admin.components.customer_remarks import CustomerRemarksState, customer_remarks
from admin.components.layout import admin_page, may
from admin.pages.accounts import format_moment, lock_account
from admin.state import AdminState
from backend.accounts import staff_groups
from backend.accounts.permissions import Permission
from backend.core.clock import utcnow
from backend.core.errors import DomainError, NotFoundError
from backend.core.money import format_money
from backend.orders import customers, status
from backend.orders.customers import CustomerDetail
from backend.privacy import erasure as privacy_erasure
from backend.privacy import export as privacy_export
from ui.access import requires
from ui.tables import data_table, pager

ORDERS_PAGE_SIZE = 50
NO_SUCH_ACCOUNT = "There is no such account."


@dataclasses.dataclass(frozen=True)
class CustomerOrderRow:
    number: str
    url: str
    placed_at: str
    status: str
    payment: str
    total: str
    refunded: str


@dataclasses.dataclass(frozen=True)
class GroupToggle:
    id: str
    name: str
    member: bool


@dataclasses.dataclass(frozen=True)
class Fact:
    label: str
    value: str


def _day(moment: datetime | None) -> str:
    return moment.strftime("%d %b %Y") if moment else "—"


def _user_id_from_path(path: str) -> uuid.UUID | None:
    """The account id at the end of /admin/accounts/<id>, or None if it is not a UUID."""
    try:
        return uuid.UUID(path.rstrip("/").rpartition("/")[2][:36])
    except ValueError:
        return None


class CustomerState(AdminState):
    permission: ClassVar[Permission] = Permission.CUSTOMERS

    # No var may be called `user_id`: that is the route's argument on the root state.
    loaded: bool = False
    message: str = ""
    email: str = ""
    name: str = ""
    account_status: str = ""
    # The staff groups and whether this account is in each (for viewers who manage staff).
    groups: list[GroupToggle] = []
    facts: list[Fact] = []
    figures: list[Fact] = []
    orders: list[CustomerOrderRow] = []
    orders_url: str = ""
    page: int = 1
    page_count: int = 1

    _account_id: str = ""

    def _show(self, detail: CustomerDetail) -> None:
        account = detail.account
        self.loaded = True
        self.email, self.name, self.account_status = account.email, account.name, account.status
        self.facts = [
            Fact("Username", account.username),
            Fact("Staff groups", ", ".join(account.staff_groups) or "none"),
            Fact("Created", format_moment(account.created_at)),
            Fact("Last sign-in", format_moment(account.last_login_at)),
            Fact("Saved addresses", str(account.address_count)),
        ]
        self.figures = [
            Fact("Lifetime value", format_money(detail.lifetime_value, detail.currency)),
            Fact("Orders", str(detail.order_count)),
            Fact("Paid orders", str(detail.paid_order_count)),
            Fact("First order", _day(detail.first_order_at)),
            Fact("Last order", _day(detail.last_order_at)),
        ]
        self.orders = [
            CustomerOrderRow(
                number=o.number,
                url=f"/admin/orders/{o.number}",
                placed_at=o.created_at.strftime("%d %b %Y %H:%M"),
                status=status.label(o.status),
                payment=status.label(o.payment_status),
                total=format_money(o.total, o.currency),
                refunded=format_money(o.refunded_amount, o.currency) if o.refunded_amount else "",
            )
            for o in detail.orders.items
        ]
        self.orders_url = f"/admin/orders?customer={account.user_id}"
        self.page, self.page_count = detail.orders.page, detail.orders.page_count

    async def _load(self, page: int) -> None:
        actor = self.viewer
        if actor is None or not self._account_id:
            return
        try:
            detail = await customers.get_customer(
                actor, uuid.UUID(self._account_id), page=page, limit=ORDERS_PAGE_SIZE
            )
        except NotFoundError:
            self.reset()
            self.message = NO_SUCH_ACCOUNT
            return
        self._show(detail)
        remarks = await self.get_state(CustomerRemarksState)
        await remarks._show_customer(uuid.UUID(self._account_id))

    async def _show_groups(self) -> None:
        """The group switches (their own load: paging the orders leaves them as they are)."""
        actor = self.viewer
        if actor is None or not self._account_id or Permission.STAFF not in actor.permissions:
            self.groups = []
            return
        try:
            member_of = set(await staff_groups.groups_of(actor, uuid.UUID(self._account_id)))
        except NotFoundError:  # erased meanwhile
            self.groups = []
            return
        self.groups = [
            GroupToggle(id=str(group.id), name=group.name, member=group.id in member_of)
            for group in await staff_groups.list_groups(actor)
        ]

    @rx.event
    async def load(self) -> None:
        self.reset()
        target = _user_id_from_path(self.router.url.path)
        if target is None:
            self.message = NO_SUCH_ACCOUNT
            return
        self._account_id = str(target)
        await self._load(1)
        await self._show_groups()

    @rx.event
    async def next_page(self) -> None:
        await self._load(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load(max(self.page - 1, 1))

    async def _lock(self, *, locked: bool) -> rx.event.EventSpec | None:
        # The account is the one this page loaded, never an id sent by the browser.
        refused = await lock_account(self.viewer, self._account_id, locked=locked)
        if refused is not None:
            return refused
        await self._load(self.page)
        return rx.toast.success("Saved.")

    @rx.event
    @requires(Permission.STAFF)
    async def set_group(self, group_id: str, member: bool) -> rx.event.EventSpec | None:
        # `member` comes from the browser as whatever it sent: only a real True adds.
        try:
            await staff_groups.set_membership(
                self.staff_viewer,
                uuid.UUID(self._account_id),
                uuid.UUID(str(group_id)[:36]),
                member=member is True,
            )
        except ValueError:
            return rx.toast.error("That request was not understood.")
        except DomainError as error:
            return rx.toast.error(error.message)
        await self._load(self.page)
        await self._show_groups()
        return rx.toast.success("Saved.")

    @rx.event
    async def lock(self) -> rx.event.EventSpec | None:
        return await self._lock(locked=True)

    @rx.event
    async def unlock(self) -> rx.event.EventSpec | None:
        return await self._lock(locked=False)

    @rx.event
    async def export_data(self) -> rx.event.EventSpec:
        """The customer's data request: everything held about them, as a JSON file."""
        try:
            document = await privacy_export.export_customer_data(
                uuid.UUID(self._account_id), actor=self.staff_viewer
            )
        except (DomainError, ValueError) as error:
            return rx.toast.error(getattr(error, "message", NO_SUCH_ACCOUNT))
        return rx.download(
            data=json.dumps(document, indent=2, ensure_ascii=False),
            filename=f"customer-data-{self._account_id[:8]}-{utcnow().date().isoformat()}.json",
        )

    @rx.event
    async def erase(self) -> rx.event.EventSpec | list[rx.event.EventSpec]:
        """The customer's erasure request (the page's account, never an id from the browser)."""
        try:
            done = await privacy_erasure.erase_customer(
                uuid.UUID(self._account_id), actor=self.staff_viewer
            )
        except (DomainError, ValueError) as error:
            return rx.toast.error(getattr(error, "message", NO_SUCH_ACCOUNT), duration=8000)
        return [
            rx.toast.success(
                f"Customer erased; {done.orders_anonymised} orders kept without personal data."
            ),
            rx.redirect("/admin/accounts"),
        ]


def _facts(items: rx.Var[list[Fact]], label: str) -> rx.Component:
    return rx.data_list.root(
        rx.foreach(
            items,
            lambda fact: rx.data_list.item(
                rx.data_list.label(fact.label), rx.data_list.value(fact.value)
            ),
        ),
        aria_label=label,
    )


def _order_row(row: rx.Var[CustomerOrderRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.link(row.number, href=row.url)),
        rx.table.cell(row.placed_at, white_space="nowrap"),
        rx.table.cell(row.status),
        rx.table.cell(row.payment),
        rx.table.cell(row.total, text_align="right", white_space="nowrap"),
        rx.table.cell(row.refunded, text_align="right", white_space="nowrap"),
    )


ORDER_COLUMNS = ("Order", "Placed", "Status", "Payment", ("Total", "right"), ("Refunded", "right"))


def _controls() -> rx.Component:
    state = CustomerState
    return rx.hstack(
        rx.cond(
            state.account_status == "locked",
            rx.button("Unlock", variant="soft", on_click=state.unlock),
            rx.button("Lock", variant="soft", color_scheme="tomato", on_click=state.lock),
        ),
        rx.button(
            rx.icon("download", size=16), "Export data", variant="soft", on_click=state.export_data
        ),
        _erase_button(),
        spacing="4",
        align="center",
        wrap="wrap",
    )


def _group_switch(group: rx.Var[GroupToggle]) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(
                checked=group.member,
                on_change=lambda on: CustomerState.set_group(group.id, on),
                aria_label=group.name + " group",
            ),
            rx.text(group.name, size="2"),
            spacing="2",
            align="center",
        )
    )


def _staff_groups() -> rx.Component:
    """The account's staff groups, one switch each (only for viewers who manage staff)."""
    return rx.cond(
        may(Permission.STAFF) & (CustomerState.groups.length() > 0),
        rx.el.fieldset(
            rx.el.legend(rx.text("Staff groups", size="2", weight="medium")),
            rx.hstack(rx.foreach(CustomerState.groups, _group_switch), spacing="4", wrap="wrap"),
            border="none",
            padding="0",
            margin="0",
        ),
    )


def _erase_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Erase customer", type="button", color_scheme="tomato", variant="soft")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Erase this customer?"),
            rx.alert_dialog.description(
                "At the customer's request: the account goes, past orders keep amounts, tax "
                "and country without name, e-mail, phone or address, reviews stay anonymous. "
                "Refused while one of their orders is under way. This cannot be undone."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Erase", color_scheme="tomato", on_click=CustomerState.erase)
                ),
                spacing="3",
                justify="end",
                margin_top="16px",
            ),
        ),
    )


def customer_page() -> rx.Component:
    state = CustomerState
    return admin_page(
        "Customer",
        rx.vstack(
            rx.link("← All customers", href="/admin/accounts", size="2"),
            rx.cond(
                state.message != "",
                rx.callout(state.message, icon="info", role="status"),
            ),
            rx.cond(
                state.loaded,
                rx.vstack(
                    rx.hstack(
                        rx.heading(state.email, size="5", as_="h2"),
                        rx.badge(
                            state.account_status,
                            color_scheme=rx.match(
                                state.account_status,
                                ("active", "grass"),
                                ("locked", "tomato"),
                                "gray",
                            ),
                        ),
                        align="center",
                        spacing="3",
                        wrap="wrap",
                    ),
                    rx.text(state.name, color_scheme="gray"),
                    _controls(),
                    _staff_groups(),
                    rx.grid(
                        rx.card(_facts(state.facts, "Account")),
                        rx.card(_facts(state.figures, "Orders and lifetime value")),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4",
                        width="100%",
                    ),
                    rx.text(
                        "Lifetime value: what the shop kept of this account's paid orders "
                        "(refunds deducted; cancelled orders and guest orders placed with "
                        "the same e-mail are not counted).",
                        size="1",
                        color_scheme="gray",
                    ),
                    customer_remarks(),
                    rx.hstack(
                        rx.heading("Orders", size="4", as_="h3"),
                        rx.link("Filter them in the orders list", href=state.orders_url, size="2"),
                        align="baseline",
                        spacing="4",
                    ),
                    rx.cond(
                        state.orders.length() > 0,  # type: ignore[attr-defined]
                        rx.vstack(
                            data_table(ORDER_COLUMNS, state.orders, _order_row),
                            pager(
                                page=state.page,
                                page_count=state.page_count,
                                on_previous=state.previous_page,
                                on_next=state.next_page,
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        rx.text("No orders yet.", color_scheme="gray"),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        permission=Permission.CUSTOMERS,
    )
