"""Returns for shoppers: the returns panel on their order page, and the return form
(`/orders/<number>/return`) to pick lines, quantities and a reason.

Only the signed-in owner of the order sees either; the returns services check it again
(and everything else: delivered, the window, quantities) whatever the page shows.
"""

from __future__ import annotations

import dataclasses
import uuid

import reflex as rx

from backend.core.errors import DomainError, NotFoundError
from backend.core.money import format_money
from backend.returns import queries as return_queries
from backend.returns import requesting as return_requests
from backend.returns import status as return_status
from backend.returns.models import MAX_COMMENT_LENGTH, RETURN_REASONS
from backend.returns.schemas import OrderReturns, ReturnRecord
from storefront.components.layout import shop_page
from ui.access import SignedInState
from ui.errors import form_feedback
from ui.forms import form_alert
from ui.viewmodels import RETURN_BADGE_COLOURS

MAX_NUMBER_LENGTH = 20
REASON_CHOICES = list(RETURN_REASONS.items())


def _order_number(path: str, *, suffix: str = "") -> str:
    path = path.rstrip("/")
    if suffix and path.endswith(suffix):
        path = path[: -len(suffix)]
    return path.rpartition("/")[2][:MAX_NUMBER_LENGTH].upper()


def _day(moment: object) -> str:
    return moment.strftime("%d %b %Y") if hasattr(moment, "strftime") else ""


@dataclasses.dataclass(frozen=True)
class ReturnView:
    number: str
    status: str
    colour: str
    requested_on: str
    what: list[str]
    reason: str
    comment: str
    decision_note: str
    refund: str
    exchange_order: str  # the order sending the exchanged variants ("": none)
    exchange_note: str  # what is left to do about it ("": nothing)


def _exchange_note(r: ReturnRecord, currency: str) -> str:
    if not r.exchange_order_number:
        return ""
    if r.exchange_order_status == "cancelled":
        return "It was cancelled: the items are refunded instead."
    if r.exchange_to_pay > 0:
        owed = format_money(r.exchange_to_pay, currency)
        return f"Pay the price difference of {owed} on it to have it sent."
    return ""


def return_views(found: OrderReturns) -> list[ReturnView]:
    return [
        ReturnView(
            number=r.number,
            status=return_status.label(r.status),
            colour=RETURN_BADGE_COLOURS.get(r.status, "gray"),
            requested_on=_day(r.created_at),
            what=[
                f"{item.quantity} × {item.name}"
                + (f", exchanged for {item.exchange_for}" if item.exchange_for else "")
                for item in r.items
            ],
            reason=r.reason,
            comment=r.comment,
            decision_note=r.decision_note,
            refund=format_money(r.refund_amount, found.currency) if r.refund_amount else "",
            exchange_order=r.exchange_order_number,
            exchange_note=_exchange_note(r, found.currency),
        )
        for r in found.returns
    ]


class OrderReturnsState(SignedInState):
    """The returns panel of the order page (its owner only)."""

    shown: bool = False
    returns: list[ReturnView] = []
    can_request: bool = False
    refusal: str = ""
    deadline: str = ""
    form_url: str = ""
    just_requested: str = ""

    @rx.event
    async def load(self) -> None:
        self.reset()
        number = _order_number(self.router.url.path)
        try:
            found = await return_queries.returns_for_shopper(number, viewer=self.viewer)
        except NotFoundError:
            return  # not this viewer's order: nothing about returns to show
        # Before delivery there is nothing to say about returns.
        self.shown = found.deadline is not None or bool(found.returns)
        self.returns = return_views(found)
        self.can_request = found.can_request
        self.refusal = found.refusal
        self.deadline = _day(found.deadline)
        self.form_url = f"/orders/{found.order_number}/return"
        requested = str(self.router.url.query_parameters.get("return") or "")[:20]
        self.just_requested = requested if any(r.number == requested for r in self.returns) else ""


def _return_card(item: rx.Var[ReturnView]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Return ", item.number, weight="bold"),
                rx.badge(item.status, color_scheme=item.colour, data_testid="return-status"),
                rx.spacer(),
                rx.text("Requested ", item.requested_on, size="2", color_scheme="gray"),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.foreach(item.what, lambda line: rx.text(line, size="2")),
            rx.text("Reason: ", item.reason, size="2", color_scheme="gray"),
            rx.cond(
                item.comment != "",
                rx.text("Your note: ", item.comment, size="2", color_scheme="gray"),
            ),
            rx.cond(
                item.decision_note != "",
                rx.text("From the shop: ", item.decision_note, size="2"),
            ),
            rx.cond(item.refund != "", rx.text("Refunded ", item.refund, size="2", weight="bold")),
            rx.cond(
                item.exchange_order != "",
                rx.text(
                    "Your exchange is sent as order ",
                    rx.link(item.exchange_order, href="/orders/" + item.exchange_order),
                    ". ",
                    item.exchange_note,
                    size="2",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def returns_panel() -> rx.Component:
    """For the order page: its returns, and the way to a new one (or why not)."""
    state = OrderReturnsState
    return rx.cond(
        state.shown,
        rx.vstack(
            rx.heading("Returns", size="4", as_="h2"),
            rx.cond(
                state.just_requested != "",
                rx.callout(
                    "Return " + state.just_requested + " requested; we e-mailed you a copy and "
                    "will tell you when it is reviewed.",
                    icon="circle-check",
                    color_scheme="grass",
                    role="status",
                ),
            ),
            rx.foreach(state.returns, _return_card),
            rx.cond(
                state.can_request,
                rx.hstack(
                    rx.link(
                        rx.button(rx.icon("undo-2", size=16), "Return items", variant="soft"),
                        href=state.form_url,
                    ),
                    rx.text(
                        "You can return items until ",
                        state.deadline,
                        ".",
                        size="2",
                        color_scheme="gray",
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                rx.text(state.refusal, size="2", color_scheme="gray", data_testid="return-refusal"),
            ),
            spacing="3",
            width="100%",
            max_width="640px",
        ),
    )


@dataclasses.dataclass(frozen=True)
class SwapChoice:
    value: str  # the variant's id ("refund": money back)
    label: str


@dataclasses.dataclass(frozen=True)
class ReturnLineChoice:
    line_id: str
    name: str
    delivered: str
    choices: list[str]
    swaps: list[SwapChoice]  # empty: the product has no other variant in stock


REFUND = "refund"


class ReturnFormState(SignedInState):
    number: str = ""
    missing: bool = False
    refusal: str = ""
    deadline: str = ""
    lines: list[ReturnLineChoice] = []
    message: str = ""
    errors: dict[str, str] = {}
    sending: bool = False

    _order_id: str = ""
    # One key per showing of the form: submitting it twice makes one request.
    _request_key: str = ""

    @rx.event
    async def load(self) -> None:
        self.reset()
        self.number = _order_number(self.router.url.path, suffix="/return")
        try:
            found = await return_queries.returns_for_shopper(self.number, viewer=self.viewer)
        except NotFoundError:
            self.missing = True
            return
        self._order_id = str(found.order_id)
        self._request_key = uuid.uuid4().hex
        self.refusal = found.refusal
        self.deadline = _day(found.deadline)
        self.lines = [
            ReturnLineChoice(
                line_id=str(line.order_line_id),
                name=line.name,
                delivered=str(line.delivered),
                choices=[str(n) for n in range(line.returnable + 1)],
                swaps=[SwapChoice(REFUND, "Refund me")]
                + [
                    SwapChoice(
                        str(choice.variant_id),
                        f"Exchange for {choice.title} "
                        f"({format_money(choice.price, found.currency)})",
                    )
                    for choice in line.exchange_choices
                ]
                if line.exchange_choices
                else [],
            )
            for line in found.lines
            if line.returnable > 0
        ]

    @rx.event
    async def submit(self, form_data: dict[str, object]) -> rx.event.EventSpec | None:
        if not self._order_id or self.sending:
            return None
        offered = {line.line_id for line in self.lines}
        quantities: dict[uuid.UUID, int] = {}
        exchanges: dict[uuid.UUID, uuid.UUID] = {}
        for line_id in offered:
            raw = str(form_data.get(f"line-{line_id}") or "0").strip()[:6]
            quantities[uuid.UUID(line_id)] = int(raw) if raw.isdigit() else -1
            swap = str(form_data.get(f"exchange-{line_id}") or REFUND).strip()[:40]
            if swap != REFUND:
                try:
                    exchanges[uuid.UUID(line_id)] = uuid.UUID(swap)
                except ValueError:
                    self.errors = {f"exchange-{line_id}": "Choose a refund or an exchange."}
                    return None
        self.sending = True
        try:
            number = await return_requests.request_return(
                uuid.UUID(self._order_id),
                viewer=self.viewer,
                quantities=quantities,
                reason=str(form_data.get("reason") or "")[:40],
                comment=str(form_data.get("comment") or "")[: MAX_COMMENT_LENGTH + 1],
                request_key=self._request_key,
                exchanges=exchanges,
            )
        except DomainError as error:
            self.sending = False
            self.message, self.errors = form_feedback(error)
            return None
        self.sending = False
        return rx.redirect(f"/orders/{self.number}?return={number}")


def _swap_picker(line: rx.Var[ReturnLineChoice]) -> rx.Component:
    """Money back, or another size or option of the product (those in stock)."""
    error = ReturnFormState.errors.get("exchange-" + line.line_id, "")
    return rx.cond(
        line.swaps.length() > 0,
        rx.vstack(
            rx.select.root(
                rx.select.trigger(aria_label="Refund or exchange " + line.name, width="100%"),
                rx.select.content(
                    rx.foreach(
                        line.swaps,
                        lambda swap: rx.select.item(swap.label, value=swap.value),
                    )
                ),
                name="exchange-" + line.line_id,
                default_value=REFUND,
                size="2",
            ),
            rx.cond(error != "", rx.text(error, size="2", color_scheme="tomato", role="alert")),
            spacing="1",
            width="100%",
        ),
    )


def _line_picker(line: rx.Var[ReturnLineChoice]) -> rx.Component:
    error = ReturnFormState.errors.get("line-" + line.line_id, "")
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(line.name, weight="medium"),
                rx.text("Delivered: ", line.delivered, size="1", color_scheme="gray"),
                spacing="0",
            ),
            rx.spacer(),
            rx.select.root(
                rx.select.trigger(aria_label="How many of " + line.name),
                rx.select.content(rx.foreach(line.choices, lambda n: rx.select.item(n, value=n))),
                name="line-" + line.line_id,
                default_value="0",
                size="2",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(error != "", rx.text(error, size="2", color_scheme="tomato", role="alert")),
        _swap_picker(line),
        spacing="1",
        width="100%",
    )


def return_form_page() -> rx.Component:
    state = ReturnFormState
    errors = state.errors
    return shop_page(
        rx.vstack(
            rx.link("← Back to order " + state.number, href="/orders/" + state.number, size="2"),
            rx.heading("Return items", size="7", as_="h1"),
            rx.cond(
                state.missing,
                rx.text("We found no order of yours with this number."),
                rx.cond(
                    state.refusal != "",
                    rx.callout(state.refusal, icon="info", role="status", width="100%"),
                    rx.form(
                        rx.vstack(
                            rx.text(
                                "Choose what to send back (until ",
                                state.deadline,
                                "). We review your request and e-mail you how to return "
                                "the items; the refund follows when they arrive. Want another "
                                "size instead? Choose an exchange: we keep it for you now.",
                                color_scheme="gray",
                                size="2",
                            ),
                            form_alert(state.message),
                            rx.card(
                                rx.vstack(
                                    rx.foreach(state.lines, _line_picker),
                                    spacing="3",
                                    width="100%",
                                ),
                                width="100%",
                            ),
                            rx.cond(
                                errors.get("lines", "") != "",
                                rx.text(
                                    errors.get("lines", ""),
                                    size="2",
                                    color_scheme="tomato",
                                    role="alert",
                                ),
                            ),
                            rx.el.fieldset(
                                rx.el.legend(
                                    rx.text(
                                        "Why are you returning them?", size="2", weight="medium"
                                    )
                                ),
                                rx.radio_group.root(
                                    rx.vstack(
                                        *(
                                            rx.el.label(
                                                rx.hstack(
                                                    rx.radio_group.item(value=code),
                                                    rx.text(text_label, size="2"),
                                                    spacing="2",
                                                    align="center",
                                                )
                                            )
                                            for code, text_label in REASON_CHOICES
                                        ),
                                        spacing="2",
                                    ),
                                    name="reason",
                                ),
                                rx.cond(
                                    errors.get("reason", "") != "",
                                    rx.text(
                                        errors.get("reason", ""),
                                        size="2",
                                        color_scheme="tomato",
                                        role="alert",
                                    ),
                                ),
                                border="none",
                                padding="0",
                                margin="0",
                            ),
                            rx.el.label(
                                rx.text(
                                    "Anything we should know? (optional)", size="2", weight="medium"
                                ),
                                rx.text_area(
                                    name="comment",
                                    max_length=MAX_COMMENT_LENGTH,
                                    rows="3",
                                    width="100%",
                                ),
                                display="flex",
                                flex_direction="column",
                                gap="4px",
                                width="100%",
                            ),
                            rx.cond(
                                errors.get("comment", "") != "",
                                rx.text(
                                    errors.get("comment", ""),
                                    size="2",
                                    color_scheme="tomato",
                                    role="alert",
                                ),
                            ),
                            rx.button(
                                rx.cond(state.sending, "Sending…", "Request return"),
                                type="submit",
                                size="3",
                                disabled=state.sending,
                            ),
                            spacing="4",
                            width="100%",
                        ),
                        on_submit=state.submit,
                        reset_on_submit=False,
                        width="100%",
                    ),
                ),
            ),
            spacing="4",
            width="100%",
            max_width="640px",
        )
    )
