"""Each order's returns on its admin page, with the step its state allows: approve or reject
with a reason (orders: refund), mark received and optionally restock (orders: fulfil),
refund (orders: refund). The access guard refuses anyone without the permission, and the
returns services check it again."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import reflex as rx

from admin.pages.order_actions import OrderAdminState
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError, NotFoundError
from backend.core.money import format_money
from backend.orders import status as order_status
from backend.returns import deciding as return_decisions
from backend.returns import queries as return_queries
from backend.returns import receiving as return_receipts
from backend.returns import status as return_status
from backend.returns.models import MAX_DECISION_NOTE_LENGTH
from backend.returns.schemas import ReturnRecord
from backend.returns.status import ReturnAction
from ui.access import requires
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input
from ui.viewmodels import RETURN_BADGE_COLOURS


@dataclasses.dataclass(frozen=True)
class StaffReturnView:
    id: str
    number: str
    status: str
    colour: str
    requested_on: str
    what: list[str]
    reason: str
    comment: str
    decision_note: str
    restocked: bool
    refund: str
    suggested_refund: str
    can_decide: bool
    can_receive: bool
    can_refund: bool
    exchanges: bool  # some lines ask for another variant rather than money
    exchange_order: str  # the order sending them ("": not yet or none)
    exchange_state: str  # that order's state, and what is left to pay on it


def _staff_view(
    r: ReturnRecord, currency: str, permissions: frozenset[Permission]
) -> StaffReturnView:
    # The domain's table and the viewer's groups decide.
    allowed = return_status.staff_actions(r.status, permissions)
    return StaffReturnView(
        id=str(r.id),
        number=r.number,
        status=return_status.label(r.status),
        colour=RETURN_BADGE_COLOURS.get(r.status, "gray"),
        requested_on=r.created_at.strftime("%d %b %Y"),
        what=[
            f"{item.quantity} × {item.name}"
            + (f", exchanged for {item.exchange_for}" if item.exchange_for else "")
            for item in r.items
        ],
        reason=r.reason,
        comment=r.comment,
        decision_note=r.decision_note,
        restocked=r.restocked,
        refund=format_money(r.refund_amount, currency) if r.refund_amount else "",
        suggested_refund=str(r.suggested_refund),
        can_decide={ReturnAction.APPROVE, ReturnAction.REJECT} <= allowed,
        can_receive=ReturnAction.RECEIVE in allowed,
        can_refund=ReturnAction.REFUND in allowed,
        exchanges=any(item.exchange_for for item in r.items),
        exchange_order=r.exchange_order_number,
        exchange_state=_exchange_state(r, currency),
    )


def _exchange_state(r: ReturnRecord, currency: str) -> str:
    if not r.exchange_order_number:
        return ""
    state = order_status.label(r.exchange_order_status)
    if r.exchange_to_pay > 0:
        return f"{state}: the customer owes {format_money(r.exchange_to_pay, currency)}"
    return state


class OrderReturnsAdminState(AdminState):
    """The returns section of the admin order page."""

    permission: ClassVar[Permission] = Permission.ORDERS_VIEW
    returns: list[StaffReturnView] = []
    refundable: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    # Which return the errors belong to.
    errors_for: str = ""

    _number: str = ""
    _return_ids: list[str] = []

    async def _show(self) -> None:
        found = await return_queries.returns_for_staff(
            self._number,
            actor=self.staff_viewer,
        )
        self._return_ids = [str(r.id) for r in found.returns]
        self.refundable = format_money(found.refundable, found.currency)
        self.returns = [
            _staff_view(r, found.currency, self.viewer_permissions) for r in found.returns
        ]

    @rx.event
    async def load(self) -> None:
        self.message, self.errors, self.errors_for, self.returns = "", {}, "", []
        self._number = self.router.url.path.rstrip("/").rpartition("/")[2][:20].upper()
        try:
            await self._show()
        except NotFoundError:
            self.returns = []

    def _return_id(self, form_data: dict[str, object]) -> uuid.UUID | None:
        raw = str(form_data.get("return_id") or "")[:36]
        return uuid.UUID(raw) if raw in self._return_ids else None

    async def _act(self, return_id: uuid.UUID, action: object, done: str) -> None:
        try:
            await action  # type: ignore[misc]
            self.message, self.errors, self.errors_for = done, {}, ""
        except DomainError as error:
            message, self.errors = form_feedback(error)
            self.message = message or error.message
            self.errors_for = str(return_id)
        await self._show()
        # The order page around this section shows the timeline and payment too.
        order_state = await self.get_state(OrderAdminState)
        if order_state._number:
            await order_state._show()

    @rx.event
    @requires(Permission.ORDERS_REFUND)
    async def approve(self, form_data: dict[str, object]) -> None:
        return_id = self._return_id(form_data)
        if return_id is None:
            return
        await self._act(
            return_id,
            return_decisions.approve_return(
                return_id,
                note=str(form_data.get("note") or "")[: MAX_DECISION_NOTE_LENGTH + 1],
                actor=self.staff_viewer,
            ),
            "Return approved; the customer is e-mailed how to send it back "
            "(and about the exchange order, if any).",
        )

    @rx.event
    @requires(Permission.ORDERS_REFUND)
    async def reject(self, form_data: dict[str, object]) -> None:
        return_id = self._return_id(form_data)
        if return_id is None:
            return
        await self._act(
            return_id,
            return_decisions.reject_return(
                return_id,
                reason=str(form_data.get("note") or "")[: MAX_DECISION_NOTE_LENGTH + 1],
                actor=self.staff_viewer,
            ),
            "Return rejected; the customer is told why.",
        )

    @rx.event
    @requires(Permission.ORDERS_FULFIL)
    async def receive(self, form_data: dict[str, object]) -> None:
        return_id = self._return_id(form_data)
        if return_id is None:
            return
        restock = str(form_data.get("restock") or "") == "on"
        await self._act(
            return_id,
            return_receipts.receive_return(
                return_id,
                restock=restock,
                actor=self.staff_viewer,
            ),
            "Marked received" + ("; the items are back in stock." if restock else "."),
        )

    @rx.event
    @requires(Permission.ORDERS_REFUND)
    async def refund(self, form_data: dict[str, object]) -> None:
        return_id = self._return_id(form_data)
        if return_id is None:
            return
        raw = str(form_data.get("amount") or "").strip()[:20]
        try:
            amount = Decimal(raw) if raw else None
        except InvalidOperation:
            self.errors_for = str(return_id)
            self.errors = {"amount": "Enter an amount such as 12.50."}
            return
        await self._act(
            return_id,
            return_receipts.refund_return(
                return_id,
                amount=amount,
                actor=self.staff_viewer,
            ),
            "Refunded; the customer is told.",
        )


def _error(item: rx.Var[StaffReturnView], field: str) -> rx.Var[str]:
    state = OrderReturnsAdminState
    return rx.cond(state.errors_for == item.id, state.errors.get(field, ""), "")


def _hidden_id(item: rx.Var[StaffReturnView]) -> rx.Component:
    return rx.el.input(type="hidden", name="return_id", value=item.id)


def _decision_forms(item: rx.Var[StaffReturnView]) -> rx.Component:
    state = OrderReturnsAdminState
    return rx.vstack(
        rx.form(
            _hidden_id(item),
            rx.button(
                rx.cond(item.exchanges, "Approve and send the exchange", "Approve return"),
                type="submit",
            ),
            rx.cond(
                item.exchanges,
                rx.text(
                    "Places an order for the variants asked for (held in stock since the "
                    "request), shipped free, less the returned goods' price; a dearer "
                    "variant's difference is asked for by a payment link.",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            on_submit=state.approve,
        ),
        rx.form(
            _hidden_id(item),
            rx.hstack(
                labelled_input(
                    "Why reject it?",
                    "note",
                    _error(item, "reason"),
                    hint="Required to reject; sent to the customer.",
                    max_length=MAX_DECISION_NOTE_LENGTH,
                ),
                rx.button("Reject", type="submit", color_scheme="tomato", variant="soft", size="3"),
                align="start",
                spacing="2",
                width="100%",
            ),
            on_submit=state.reject,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def _receive_form(item: rx.Var[StaffReturnView]) -> rx.Component:
    return rx.form(
        _hidden_id(item),
        rx.hstack(
            rx.el.label(
                rx.checkbox(name="restock", default_checked=True),
                rx.text("Put the items back in stock", size="2"),
                display="flex",
                gap="8px",
                align_items="center",
            ),
            rx.button("Mark received", type="submit"),
            spacing="4",
            align="center",
            wrap="wrap",
        ),
        on_submit=OrderReturnsAdminState.receive,
        reset_on_submit=False,
    )


def _refund_form(item: rx.Var[StaffReturnView]) -> rx.Component:
    state = OrderReturnsAdminState
    return rx.form(
        _hidden_id(item),
        rx.hstack(
            labelled_input(
                "Refund amount",
                "amount",
                _error(item, "amount"),
                hint="The refunded goods' value and exchange credit not used; at most "
                + state.refundable
                + " is left.",
                id_prefix="return-" + item.id + "-",
                default_value=item.suggested_refund,
                input_mode="decimal",
            ),
            rx.button("Refund return", type="submit", color_scheme="orange", size="3"),
            align="start",
            spacing="2",
            width="100%",
        ),
        on_submit=state.refund,
        reset_on_submit=False,
        width="100%",
    )


def _staff_return_card(item: rx.Var[StaffReturnView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Return ", item.number, weight="bold", white_space="nowrap"),
                rx.badge(item.status, color_scheme=item.colour, data_testid="return-status"),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text("Requested ", item.requested_on, size="1", color_scheme="gray"),
            rx.foreach(item.what, lambda line: rx.text(line, size="2")),
            rx.text("Reason: ", item.reason, size="2"),
            rx.cond(
                item.comment != "",
                rx.text("Customer's note: ", item.comment, size="2", color_scheme="gray"),
            ),
            rx.cond(item.decision_note != "", rx.text("Decision: ", item.decision_note, size="2")),
            rx.cond(item.restocked, rx.text("Restocked", size="2", color_scheme="gray")),
            rx.cond(item.refund != "", rx.text("Refunded ", item.refund, size="2", weight="bold")),
            rx.cond(
                item.exchange_order != "",
                rx.text(
                    "Exchange order ",
                    rx.link(item.exchange_order, href="/admin/orders/" + item.exchange_order),
                    " (",
                    item.exchange_state,
                    ")",
                    size="2",
                ),
            ),
            rx.cond(item.can_decide, _decision_forms(item)),
            rx.cond(item.can_receive, _receive_form(item)),
            rx.cond(item.can_refund, _refund_form(item)),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def order_returns_section() -> rx.Component:
    """For the admin order page: the order's returns and their next steps."""
    state = OrderReturnsAdminState
    return rx.cond(
        state.returns.length() > 0,
        rx.vstack(
            rx.heading("Returns", size="3", as_="h3"),
            rx.cond(
                state.message != "",
                rx.cond(
                    state.errors_for != "",
                    form_alert(state.message),
                    rx.callout(state.message, role="status", width="100%"),
                ),
            ),
            rx.foreach(state.returns, _staff_return_card),
            spacing="3",
            width="100%",
        ),
    )
