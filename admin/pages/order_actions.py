"""One order's staff actions on its admin page: ship (carrier and tracking), deliver, refund,
cancel (with the refund a paid order gets), change it before it ships (order_editor.py),
and for an order that waits for money (unpaid, or an edit raised its total): record a
payment taken by hand, or e-mail the customer a payment link. Each needs its permission:
the access guard refuses everyone else, and the services check it again."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import reflex as rx

from admin.components.customer_remarks import CustomerRemarksState
from admin.components.manual_payment import manual_payment_fields
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.audit.services import actor_label
from backend.checkout import cancellation
from backend.core.errors import DomainError, NotFoundError
from backend.core.money import format_money
from backend.inventory import locations
from backend.order_edits import services as order_edits
from backend.orders import editing, fulfilment
from backend.payments import links as payment_links
from backend.payments import manual as manual_payments
from backend.payments import refunds as payment_refunds
from backend.payments.queries import get_order_with_payments
from ui.access import requires
from ui.documents import DocumentLink, document_links
from ui.forms import labelled_input
from ui.order_view import OrderView, order_view

AS_HELD = "held"  # the ship form's "from where its goods are held"


class OrderAdminState(AdminState):
    permission: ClassVar[Permission] = Permission.ORDERS_VIEW

    order: OrderView | None = None
    email: str = ""
    can_fulfil: bool = False
    can_deliver: bool = False
    can_refund: bool = False
    can_cancel: bool = False
    can_take_payment: bool = False  # money is owed; the viewer may take orders (orders.edit)
    can_edit: bool = False  # not shipped yet, and the viewer may edit orders
    to_give_back: str = ""  # what an edit took off and is not back with the customer yet
    cancel_refunds: bool = False
    refundable: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    documents: list[DocumentLink] = []
    # Where its goods are held, one line per location and SKU: "Main warehouse: 2 × SKU".
    ships_from: list[str] = []
    # Where it may ship from, for the ship form: (location id, name); AS_HELD: as held.
    ship_choices: list[tuple[str, str]] = []
    ship_from: str = AS_HELD
    # As held at several locations, it ships as one parcel from each: (location id, name).
    parcels: list[tuple[str, str]] = []

    _order_id: str = ""
    _number: str = ""

    async def _show(self) -> None:
        detail = await get_order_with_payments(self._number)
        self._order_id = str(detail.id)
        self.order = order_view(detail)
        self.email = detail.email
        # What the order allows and the viewer's groups allow: a packer sees no refunds.
        fulfils = Permission.ORDERS_FULFIL in self.viewer_permissions
        refunds = Permission.ORDERS_REFUND in self.viewer_permissions
        edits = Permission.ORDERS_EDIT in self.viewer_permissions
        # An order an edit left partly paid ships once the difference is paid.
        self.can_fulfil = (
            fulfils and detail.status == "paid" and detail.payment_status != "partially_paid"
        )
        self.can_deliver = fulfils and detail.status == "fulfilled"
        left = detail.amount_paid - detail.refunded_amount
        self.can_refund = (
            refunds
            and detail.payment_status in ("paid", "partially_paid", "partially_refunded")
            and left > 0
        )
        cancelling = cancellation.preview_cancellation(detail)
        self.can_cancel = refunds and cancelling.may_cancel
        self.can_take_payment = edits and detail.can_pay
        self.can_edit = (
            edits
            and detail.status in editing.EDITABLE_STATUSES
            and detail.payment_status in editing.EDITABLE_PAYMENT_STATUSES
        )
        give_back = max(detail.amount_paid - detail.total, Decimal("0.00"))
        self.to_give_back = format_money(give_back, detail.currency) if give_back else ""
        self.cancel_refunds = cancelling.refunds
        self.refundable = format_money(left, detail.currency)
        self.documents = await document_links(detail.id)
        held = await locations.allocations_of(detail.id)
        self.ships_from = [f"{a.location}: {a.quantity} × {a.sku}" for a in held]
        self.ship_choices, self.parcels, self.ship_from = [], [], AS_HELD
        if self.can_fulfil:
            self.ship_choices = [
                (str(choice.id), choice.name)
                for choice in await locations.location_choices(actor=self.staff_viewer)
            ]
            # One parcel per location holding its goods, in priority order.
            self.parcels = list(dict.fromkeys((str(a.location_id), a.location) for a in held))
        await (await self.get_state(CustomerRemarksState))._show_customer(detail.user_id)

    @rx.event
    async def load(self) -> None:
        self.message, self.errors, self.order = "", {}, None
        self._number = self.router.url.path.rstrip("/").rpartition("/")[2][:20].upper()
        try:
            await self._show()
        except NotFoundError:
            self.message = "There is no such order."

    async def _act(self, action: object, done: str) -> None:
        try:
            await action  # type: ignore[misc]
            self.message, self.errors = done, {}
        except DomainError as error:
            self.message = getattr(error, "message", str(error))
            self.errors = dict(getattr(error, "field_errors", {}) or {})
        await self._show()

    @rx.event
    @requires(Permission.ORDERS_FULFIL)
    async def fulfil(self, form_data: dict[str, str]) -> None:
        chosen = str(form_data.get("ship_from") or "")[:36]
        offered = {location_id for location_id, _ in self.ship_choices}
        ship_from = uuid.UUID(chosen) if chosen in offered else None
        parcels = (
            {
                uuid.UUID(location_id): str(form_data.get(f"tracking-{location_id}") or "")[:200]
                for location_id, _ in self.parcels
            }
            if ship_from is None and len(self.parcels) > 1
            else None
        )
        await self._act(
            fulfilment.fulfil_order(
                uuid.UUID(self._order_id),
                carrier=str(form_data.get("carrier") or "")[:200],
                tracking_number=str(form_data.get("tracking_number") or "")[:200],
                actor=self.staff_viewer,
                ship_from=ship_from,
                parcels=parcels,
            ),
            "Marked shipped; the customer is told.",
        )

    @rx.event
    @requires(Permission.ORDERS_FULFIL)
    def choose_ship_from(self, value: str) -> None:
        """The ship form asks one tracking number per parcel only when shipping as held."""
        self.ship_from = str(value)[:36]

    @rx.event
    @requires(Permission.ORDERS_FULFIL)
    async def deliver(self) -> None:
        await self._act(
            fulfilment.mark_delivered(uuid.UUID(self._order_id), actor=self.staff_viewer),
            "Marked delivered.",
        )

    @rx.event
    @requires(Permission.ORDERS_REFUND)
    async def refund(self, form_data: dict[str, str]) -> None:
        raw = str(form_data.get("amount") or "").strip()[:20]
        try:
            amount = Decimal(raw) if raw else None
        except InvalidOperation:
            self.errors = {"amount": "Enter an amount such as 12.50, or leave it empty for all."}
            return
        await self._act(
            payment_refunds.refund_order(
                uuid.UUID(self._order_id),
                amount=amount,
                request_key=str(form_data.get("request_key") or uuid.uuid4().hex)[:64],
                actor=actor_label(self.viewer),
                by=self.viewer,
            ),
            "Refunded; the customer is told.",
        )

    @rx.event
    @requires(Permission.ORDERS_EDIT)
    async def record_payment(self, form_data: dict[str, str]) -> None:
        await self._act(
            manual_payments.record_manual_payment(
                uuid.UUID(self._order_id),
                method=str(form_data.get("method") or "")[:40],
                reference=str(form_data.get("reference") or "")[:200],
                by=self.staff_viewer,
            ),
            "Payment recorded; the customer is told.",
        )

    @rx.event
    @requires(Permission.ORDERS_EDIT)
    async def send_payment_link(self) -> None:
        await self._act(
            payment_links.request_payment_link(uuid.UUID(self._order_id), by=self.staff_viewer),
            "A payment link is on its way to the customer.",
        )

    @rx.event
    @requires(Permission.ORDERS_EDIT)
    async def give_back(self) -> None:
        await self._act(
            order_edits.give_back_difference(uuid.UUID(self._order_id), by=self.staff_viewer),
            "The difference went back to the customer.",
        )

    @rx.event
    @requires(Permission.ORDERS_REFUND)
    async def cancel(self) -> None:
        staff = self.viewer
        if staff is None:  # never the shopper's cancel from here (the guard requires staff)
            return
        await self._act(
            cancellation.cancel_order(uuid.UUID(self._order_id), by=staff),
            "Cancelled; the items are back in stock.",
        )


def _parcel_tracking(parcel: rx.Var[tuple[str, str]]) -> rx.Component:
    """A parcel's tracking number, named by where it leaves from."""
    field = "tracking-" + parcel[0]
    return labelled_input(
        "Tracking number, parcel from " + parcel[1],
        field,
        OrderAdminState.errors.get(field, ""),
    )


def _ship_from() -> rx.Component:
    """Where the parcel leaves from: where the goods are held (the default), or one
    location that then supplies all of it."""
    state = OrderAdminState
    error = state.errors.get("ship_from", "")
    return rx.cond(
        state.ship_choices.length() > 1,
        rx.box(
            rx.text("Ship from", size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(aria_label="Ship from"),
                rx.select.content(
                    rx.select.item("Where its goods are held", value=AS_HELD),
                    rx.foreach(
                        state.ship_choices,
                        lambda choice: rx.select.item(choice[1], value=choice[0]),
                    ),
                ),
                name="ship_from",
                default_value=AS_HELD,
                on_change=state.choose_ship_from,
            ),
            rx.cond(error != "", rx.text(error, color_scheme="tomato", size="2", role="alert")),
        ),
    )


def order_actions() -> rx.Component:
    """Ship, deliver, refund, cancel: the order page's buttons, as the order allows."""
    state = OrderAdminState
    return rx.vstack(
        rx.cond(
            state.to_give_back != "",
            rx.callout(
                rx.hstack(
                    rx.text(state.to_give_back, " that an edit took off is owed to the customer."),
                    rx.button("Give it back", size="1", on_click=state.give_back),
                    align="center",
                    wrap="wrap",
                ),
                color_scheme="amber",
                icon="triangle_alert",
            ),
        ),
        rx.cond(
            state.can_edit,
            rx.link(
                rx.button("Change order", variant="soft"),
                href="/admin/orders/" + state.order.to(OrderView).number + "/edit",
            ),
        ),
        rx.cond(
            state.can_fulfil,
            rx.form(
                rx.vstack(
                    rx.heading("Ship", size="3", as_="h3"),
                    _ship_from(),
                    rx.cond(
                        (state.parcels.length() > 1) & (state.ship_from == AS_HELD),
                        rx.vstack(
                            labelled_input("Carrier", "carrier", state.errors.get("carrier", "")),
                            rx.foreach(state.parcels, _parcel_tracking),
                            spacing="2",
                            width="100%",
                        ),
                        rx.hstack(
                            labelled_input("Carrier", "carrier", state.errors.get("carrier", "")),
                            labelled_input(
                                "Tracking number",
                                "tracking_number",
                                state.errors.get("tracking_number", ""),
                            ),
                            spacing="3",
                            width="100%",
                        ),
                    ),
                    rx.button("Mark shipped", type="submit"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=state.fulfil,
                width="100%",
            ),
        ),
        rx.cond(state.can_deliver, rx.button("Mark delivered", on_click=state.deliver)),
        rx.cond(
            state.can_refund,
            rx.form(
                rx.vstack(
                    rx.heading("Refund", size="3", as_="h3"),
                    labelled_input(
                        "Amount",
                        "amount",
                        state.errors.get("amount", ""),
                        hint="Up to " + state.refundable + "; empty refunds all of it.",
                        id_prefix="refund-",
                    ),
                    rx.button("Refund", type="submit", color_scheme="orange"),
                    spacing="2",
                ),
                on_submit=state.refund,
                max_width="360px",
            ),
        ),
        rx.cond(state.can_take_payment, _take_payment()),
        rx.cond(
            state.can_cancel,
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(
                    rx.button("Cancel order", color_scheme="tomato", variant="soft")
                ),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Cancel this order?"),
                    rx.alert_dialog.description(
                        rx.cond(
                            state.cancel_refunds,
                            "What was paid is refunded in full and the items go back into stock.",
                            "The items go back into stock.",
                        )
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                        rx.alert_dialog.action(
                            rx.button("Cancel order", color_scheme="tomato", on_click=state.cancel)
                        ),
                        spacing="3",
                        justify="end",
                    ),
                ),
            ),
        ),
        spacing="4",
        width="100%",
    )


def _take_payment() -> rx.Component:
    """For money owed: the payment the customer made another way, or a link to pay."""
    state = OrderAdminState
    return rx.vstack(
        rx.form(
            rx.vstack(
                rx.heading("Record a payment", size="3", as_="h3"),
                manual_payment_fields(state.errors, id_prefix="payment-"),
                rx.button("Record payment", type="submit"),
                spacing="2",
                width="100%",
            ),
            on_submit=state.record_payment,
            reset_on_submit=False,
            width="100%",
            max_width="560px",
        ),
        rx.button("E-mail a payment link", variant="soft", on_click=state.send_payment_link),
        spacing="3",
        width="100%",
    )
