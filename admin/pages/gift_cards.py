"""Admin gift cards: issue one (e-mailed to its recipient on a chosen day, or its code
shown here once), find cards by code, last four characters or recipient, and open one to
see its ledger, switch it off or on, adjust its balance or send it again. Admins only; the
gift card services check the role again and write the audit log."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.clock import moment_from_wall_clock, wall_clock_text
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.core.validation import parse_input
from backend.giftcards import codes, delivery, services
from backend.giftcards import queries as gift_cards
from backend.giftcards.inputs import AdjustInput, IssueInput
from backend.giftcards.queries import CardDetail, CardSummary
from backend.settings import get_settings
from backend.shop_settings.values import store_settings
from ui.forms import form_alert, labelled_input, success_note
from ui.tables import data_table

ISSUE_FIELDS = (
    "amount",
    "recipient_email",
    "recipient_name",
    "sender_name",
    "message",
    "send_at",
    "expires_at",
    "note",
)


@dataclasses.dataclass(frozen=True)
class CardRow:
    id: str
    card: str  # "•••• W3RT"
    recipient: str
    balance: str  # "$17.50 of $30.00"
    state: str
    source: str
    created: str


@dataclasses.dataclass(frozen=True)
class LedgerRow:
    at: str
    what: str
    amount: str
    balance_after: str
    by: str
    note: str


def _row(card: CardSummary) -> CardRow:
    money = format_money(card.balance, card.currency)
    of = format_money(card.initial_amount, card.currency)
    return CardRow(
        id=str(card.id),
        card=codes.masked(card.last_four),
        recipient=card.recipient_email or card.recipient_name or "—",
        balance=f"{money} of {of}",
        state=card.state,
        source="Bought" if card.source == "purchase" else "Issued by staff",
        created=card.created_at.strftime("%d %b %Y"),
    )


class GiftCardsState(AdminState):
    permission: ClassVar[Permission] = Permission.PROMOTIONS

    rows: list[CardRow] = []
    total: int = 0
    search: str = ""
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    shown_code: str = ""  # a code issued without an e-mail address: shown here once
    form_version: int = 0
    time_zone: str = "UTC"
    # The card opened below the list.
    open_id: str = ""
    open_title: str = ""
    open_facts: list[tuple[str, str]] = []
    open_active: bool = True
    open_can_resend: bool = False
    ledger: list[LedgerRow] = []
    adjust_errors: dict[str, str] = {}

    async def _reload(self) -> None:
        page = await gift_cards.list_cards(self.staff_viewer, search=self.search, limit=50)
        self.rows, self.total = [_row(card) for card in page.items], page.total

    @rx.event
    async def load(self) -> None:
        self.errors, self.message, self.done, self.shown_code = {}, "", "", ""
        self.open_id, self.search = "", ""
        self.time_zone = (await store_settings()).time_zone
        await self._reload()

    @rx.event
    async def find(self, form_data: dict[str, object]) -> None:
        self.search = str(form_data.get("search") or "")[:120]
        await self._reload()

    @rx.event
    async def issue(self, form_data: dict[str, object]) -> None:
        self.errors, self.message, self.done, self.shown_code = {}, "", "", ""
        fields = {name: str(form_data.get(name) or "").strip()[:500] for name in ISSUE_FIELDS}
        zone = (await store_settings()).zone
        data: dict[str, object] = dict(fields)
        for name in ("send_at", "expires_at"):
            try:
                data[name] = moment_from_wall_clock(fields[name][:25], zone)
            except ValueError:
                self.errors = {name: "Choose a date and time."}
                return
        try:
            issued = await services.issue_card(
                parse_input(IssueInput, data), actor=self.staff_viewer
            )
        except DomainError as error:
            self.errors = dict(getattr(error, "field_errors", {}) or {})
            self.message = "" if self.errors else error.message
            return
        if issued.code is not None:
            self.shown_code = issued.code
            self.done = (
                "Gift card issued. Give its code to the customer now: it is not shown again."
            )
        else:
            when = "now" if not data["send_at"] else fields["send_at"].replace("T", " ")
            self.done = f"Gift card issued: it is e-mailed to {fields['recipient_email']} ({when})."
        self.form_version += 1
        await self._reload()

    async def _show(self, card_id: uuid.UUID) -> None:
        card = await gift_cards.get_card(card_id, self.staff_viewer)
        zone = (await store_settings()).zone
        self.open_id = str(card.id)
        self.open_title = f"Gift card {codes.masked(card.last_four)}"
        self.open_active = card.is_active
        self.open_can_resend = card.recipient_email is not None and card.is_active
        self.open_facts = _facts(
            card, lambda moment: wall_clock_text(moment, zone).replace("T", " ")
        )
        self.ledger = [
            LedgerRow(
                wall_clock_text(m.at, zone).replace("T", " "),
                m.label,
                ("+" if m.amount > 0 else "−") + format_money(abs(m.amount), card.currency),
                format_money(m.balance_after, card.currency),
                m.actor,
                m.note,
            )
            for m in card.movements
        ]

    @rx.event
    async def open_card(self, card_id: str) -> None:
        self.adjust_errors, self.message, self.done, self.shown_code = {}, "", "", ""
        try:
            await self._show(uuid.UUID(str(card_id)))
        except (ValueError, DomainError):
            self.open_id, self.message = "", "There is no such gift card."

    @rx.event
    def close_card(self) -> None:
        self.open_id = ""

    @rx.event
    async def set_active(self, active: bool) -> None:
        if not self.open_id:
            return
        card_id = uuid.UUID(self.open_id)
        try:
            await services.set_active(card_id, active=active is True, actor=self.staff_viewer)
        except DomainError as error:
            self.message = error.message
        await self._show(card_id)
        await self._reload()

    @rx.event
    async def adjust(self, form_data: dict[str, object]) -> None:
        if not self.open_id:
            return
        card_id = uuid.UUID(self.open_id)
        self.adjust_errors, self.done = {}, ""
        try:
            amount = Decimal(str(form_data.get("amount") or "").strip()[:20])
        except InvalidOperation:
            self.adjust_errors = {"amount": "Enter an amount such as 10 or -5.50."}
            return
        try:
            balance = await services.adjust_balance(
                card_id,
                parse_input(
                    AdjustInput, {"amount": amount, "note": str(form_data.get("note") or "")[:500]}
                ),
                actor=self.staff_viewer,
            )
        except DomainError as error:
            self.adjust_errors = dict(getattr(error, "field_errors", {}) or {}) or {
                "amount": error.message
            }
            return
        currency = get_settings().shop_currency
        self.done = f"Balance adjusted: the card now holds {format_money(balance, currency)}."
        await self._show(card_id)
        await self._reload()

    @rx.event
    async def resend(self) -> None:
        if not self.open_id:
            return
        card_id = uuid.UUID(self.open_id)
        try:
            await delivery.resend(card_id, actor=self.staff_viewer)
        except DomainError as error:
            self.message = error.message
            return
        self.done = "The card is e-mailed again with a new code; the old code no longer works."
        await self._show(card_id)


def _facts(card: CardDetail, show: Callable[[datetime], str]) -> list[tuple[str, str]]:
    """What the opened card's panel lists, times as the shop's wall clock shows them."""
    facts = [
        ("Balance", format_money(card.balance, card.currency)),
        ("Issued for", format_money(card.initial_amount, card.currency)),
        ("State", card.state),
        ("Source", "Bought in the shop" if card.source == "purchase" else "Issued by staff"),
        ("Recipient", " ".join(filter(None, (card.recipient_name, card.recipient_email))) or "—"),
    ]
    if card.sender_name:
        facts.append(("From", card.sender_name))
    if card.message:
        facts.append(("Message", card.message))
    if card.recipient_email:
        sent = show(card.delivered_at) if card.delivered_at else ""
        due = show(card.send_at) if card.send_at else "at once"
        facts.append(("E-mailed", sent or f"not yet (due {due})"))
    if card.expires_at:
        facts.append(("Expires", show(card.expires_at)))
    if card.note:
        facts.append(("Staff note", card.note))
    return facts


def _issue_form() -> rx.Component:
    errors = GiftCardsState.errors
    return rx.form(
        rx.vstack(
            rx.heading("Issue a gift card", size="3", as_="h2"),
            rx.grid(
                labelled_input("Amount", "amount", errors.get("amount", ""), placeholder="50.00"),
                labelled_input(
                    "Recipient's e-mail",
                    "recipient_email",
                    errors.get("recipient_email", ""),
                    hint="Empty: the code is shown here once",
                    type="email",
                ),
                labelled_input(
                    "Recipient's name", "recipient_name", errors.get("recipient_name", "")
                ),
                labelled_input("From", "sender_name", errors.get("sender_name", "")),
                labelled_input(
                    "Send on",
                    "send_at",
                    errors.get("send_at", ""),
                    hint="Empty: at once · " + GiftCardsState.time_zone,
                    type="datetime-local",
                ),
                labelled_input(
                    "Expires",
                    "expires_at",
                    errors.get("expires_at", ""),
                    hint="Empty: never",
                    type="datetime-local",
                ),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            labelled_input("Message to the recipient", "message", errors.get("message", "")),
            labelled_input(
                "Staff note", "note", errors.get("note", ""), hint="Why it was issued; not sent"
            ),
            rx.button("Issue gift card", type="submit"),
            spacing="3",
            width="100%",
        ),
        key=GiftCardsState.form_version.to_string(),
        on_submit=GiftCardsState.issue,
        reset_on_submit=False,
        width="100%",
    )


def _card_row(row: rx.Var[CardRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.button(
                row.card,
                variant="ghost",
                on_click=GiftCardsState.open_card(row.id),
                aria_label="Open gift card " + row.card,
            )
        ),
        rx.table.cell(row.recipient),
        rx.table.cell(row.balance),
        rx.table.cell(
            rx.badge(row.state, color_scheme=rx.cond(row.state == "Active", "grass", "gray"))
        ),
        rx.table.cell(row.source),
        rx.table.cell(row.created),
    )


def _ledger_row(row: rx.Var[LedgerRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.at),
        rx.table.cell(row.what),
        rx.table.cell(row.amount, text_align="right"),
        rx.table.cell(row.balance_after, text_align="right"),
        rx.table.cell(row.by),
        rx.table.cell(row.note),
    )


def _open_card() -> rx.Component:
    errors = GiftCardsState.adjust_errors
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(GiftCardsState.open_title, size="4", as_="h2"),
                rx.spacer(),
                rx.button(
                    "Close", variant="soft", color_scheme="gray", on_click=GiftCardsState.close_card
                ),
                width="100%",
                align="center",
            ),
            rx.data_list.root(
                rx.foreach(
                    GiftCardsState.open_facts,
                    lambda fact: rx.data_list.item(
                        rx.data_list.label(fact[0]), rx.data_list.value(fact[1])
                    ),
                ),
            ),
            rx.hstack(
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=GiftCardsState.open_active,
                            on_change=GiftCardsState.set_active,
                        ),
                        rx.text("Can be used", size="2"),
                        spacing="2",
                        align="center",
                    )
                ),
                rx.cond(
                    GiftCardsState.open_can_resend,
                    rx.button(
                        rx.icon("mail", size=16),
                        "Send again with a new code",
                        variant="soft",
                        on_click=GiftCardsState.resend,
                    ),
                ),
                spacing="5",
                align="center",
                wrap="wrap",
            ),
            rx.form(
                rx.hstack(
                    labelled_input(
                        "Adjust by",
                        "amount",
                        errors.get("amount", ""),
                        hint="10 adds, -5.50 takes off",
                        id_prefix="adjust-",  # the issue form below has its own amount
                    ),
                    labelled_input("Reason", "note", errors.get("note", ""), id_prefix="adjust-"),
                    rx.button("Adjust balance", type="submit"),
                    spacing="3",
                    align="end",
                    wrap="wrap",
                ),
                key=GiftCardsState.open_id + GiftCardsState.ledger.length().to_string(),
                on_submit=GiftCardsState.adjust,
                reset_on_submit=False,
            ),
            rx.heading("Ledger", size="3", as_="h3"),
            data_table(
                ("When", "What", ("Amount", "right"), ("Balance", "right"), "By", "Note"),
                GiftCardsState.ledger,
                _ledger_row,
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def gift_cards_page() -> rx.Component:
    return admin_page(
        "Gift cards",
        rx.vstack(
            form_alert(GiftCardsState.message),
            success_note(GiftCardsState.done),
            rx.cond(
                GiftCardsState.shown_code != "",
                rx.callout(
                    rx.text("Code: ", rx.code(GiftCardsState.shown_code, size="5")),
                    icon="key-round",
                    color_scheme="amber",
                    width="100%",
                ),
            ),
            rx.cond(GiftCardsState.open_id != "", _open_card()),
            _issue_form(),
            rx.form(
                rx.hstack(
                    labelled_input(
                        "Find cards",
                        "search",
                        hint="A whole code, its last four characters, or the recipient",
                    ),
                    rx.button("Find", type="submit", variant="soft"),
                    align="end",
                    spacing="3",
                ),
                on_submit=GiftCardsState.find,
                reset_on_submit=False,
            ),
            rx.text(
                rx.cond(
                    GiftCardsState.total == 1, "1 card", GiftCardsState.total.to_string() + " cards"
                ),
                size="2",
                color_scheme="gray",
            ),
            data_table(
                ("Card", "Recipient", "Balance", "State", "Source", "Issued"),
                GiftCardsState.rows,
                _card_row,
            ),
            spacing="4",
            width="100%",
        ),
        permission=Permission.PROMOTIONS,
    )
