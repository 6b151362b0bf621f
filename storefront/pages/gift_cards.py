"""Gift cards in the storefront: the page that sells them (an amount the shop offers or
one's own, who gets it and when, into the cart), and the balance page, where the holder
types the code and sees what the card holds and its history. Codes that match no card
count against the visitor's network address (`backend/giftcards/guessing.py`); the code
itself is never kept in the page's state."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, tzinfo
from decimal import Decimal

import reflex as rx

from backend.cart import services as carts
from backend.core.clock import utcnow
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.core.validation import parse_input
from backend.giftcards import codes
from backend.giftcards import queries as gift_cards
from backend.giftcards.inputs import MAX_AMOUNT, MIN_AMOUNT, OFFERED_AMOUNTS, PurchaseInput
from backend.settings import get_settings
from backend.shop_settings.values import store_settings
from storefront.components.layout import shop_page
from storefront.state import HeaderState
from ui.access import PublicState
from ui.errors import form_feedback
from ui.forms import form_alert, labelled_input, success_note


@dataclasses.dataclass(frozen=True)
class MovementRow:
    on: str
    what: str
    amount: str
    balance_after: str


PURCHASE_FIELDS = ("recipient_email", "recipient_name", "sender_name", "message")
SEND_HOUR = time(8, 0)  # a card dated for a day is e-mailed at 08:00, shop time


def send_moment(day: date, zone: tzinfo, now: datetime) -> datetime | None:
    """When a card dated `day` is e-mailed: at SEND_HOUR in the shop's zone; None (as soon
    as the order is paid) for today once that hour has passed."""
    moment = datetime.combine(day, SEND_HOUR, tzinfo=zone)
    if moment <= now and day == now.astimezone(zone).date():
        return None
    return moment


class GiftCardShopState(PublicState):
    amounts: list[tuple[str, str]] = []  # (value, "$50.00")
    amount_range: str = ""  # "$5.00 to $1,000.00"
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0

    @rx.event
    def load(self) -> None:
        currency = get_settings().shop_currency
        self.amounts = [(str(a), format_money(a, currency)) for a in OFFERED_AMOUNTS]
        self.amount_range = (
            f"{format_money(MIN_AMOUNT, currency)} to {format_money(MAX_AMOUNT, currency)}"
        )
        self.errors, self.message, self.done = {}, "", ""

    @rx.event
    async def add(self, form_data: dict[str, object]) -> rx.event.EventSpec | None:
        self.errors, self.message, self.done = {}, "", ""
        owner = self._cart_owner()
        if owner is None:
            self.message = "Reload the page to use the cart."
            return None
        fields = {name: str(form_data.get(name) or "").strip()[:500] for name in PURCHASE_FIELDS}
        own = str(form_data.get("own_amount") or "").strip()[:20]
        data: dict[str, object] = dict(fields)
        data["amount"] = own or str(form_data.get("amount") or "").strip()[:20] or "0"
        send_on = str(form_data.get("send_on") or "").strip()[:10]
        try:
            if send_on:
                zone = (await store_settings()).zone
                day = date.fromisoformat(send_on)
                data["send_at"] = send_moment(day, zone, utcnow())
            card = parse_input(PurchaseInput, data)
            change = await carts.add_gift_card(owner, card)
        except ValueError:
            self.errors = {"send_on": "Choose a date."}
            return None
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            if "amount" in self.errors and own:
                self.errors = {**self.errors, "own_amount": self.errors.pop("amount")}
            return None
        (await self.get_state(HeaderState)).cart_item_count = change.cart.item_count
        self.done = change.message
        self.form_version += 1
        return rx.toast(change.message, duration=2500)


class GiftCardBalanceState(PublicState):
    card: str = ""  # "•••• W3RT" once a code was looked up
    balance: str = ""
    state: str = ""
    expires: str = ""
    movements: list[MovementRow] = []
    message: str = ""
    errors: dict[str, str] = {}
    form_version: int = 0

    @rx.event
    def load(self) -> None:
        self.card, self.message, self.errors, self.movements = "", "", {}, []

    @rx.event
    async def check(self, form_data: dict[str, object]) -> None:
        code = str(form_data.get("code") or "")[: codes.MAX_TYPED_LENGTH]
        self.form_version += 1  # the field is drawn again, empty
        if not code.strip():
            self.message, self.errors = "", {"code": "Enter the code from your gift card."}
            return
        try:
            seen = await gift_cards.holder_balance(code, asker=self.client_address)
        except DomainError as error:
            self.card, self.movements = "", []
            self.message, self.errors = "", {"code": error.message}
            return

        def money(amount: Decimal) -> str:
            return format_money(amount, seen.currency)

        self.message, self.errors = "", {}
        self.card = codes.masked(seen.last_four)
        self.balance, self.state = money(seen.balance), seen.state
        self.expires = seen.expires_at.strftime("%d %b %Y") if seen.expires_at else ""
        self.movements = [
            MovementRow(
                m.at.strftime("%d %b %Y"),
                m.label,
                ("+" if m.amount > 0 else "−") + money(abs(m.amount)),
                money(m.balance_after),
            )
            for m in seen.movements
        ]


def _result() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Gift card ", GiftCardBalanceState.card, size="4", as_="h2"),
                rx.badge(
                    GiftCardBalanceState.state,
                    color_scheme=rx.cond(GiftCardBalanceState.state == "Active", "grass", "gray"),
                ),
                align="center",
                wrap="wrap",
            ),
            rx.text("Balance ", rx.text.strong(GiftCardBalanceState.balance), size="5"),
            rx.cond(
                GiftCardBalanceState.expires != "",
                rx.text("Use it by ", GiftCardBalanceState.expires, size="2", color_scheme="gray"),
            ),
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Date"),
                        rx.table.column_header_cell("What"),
                        rx.table.column_header_cell("Amount"),
                        rx.table.column_header_cell("Balance"),
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        GiftCardBalanceState.movements,
                        lambda row: rx.table.row(
                            rx.table.cell(row.on),
                            rx.table.cell(row.what),
                            rx.table.cell(row.amount),
                            rx.table.cell(row.balance_after),
                        ),
                    )
                ),
                size="1",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def gift_card_shop_page() -> rx.Component:
    errors = GiftCardShopState.errors
    return shop_page(
        rx.vstack(
            rx.heading("Gift cards", size="7", as_="h1"),
            rx.text(
                "E-mailed with a code on the day you choose, to spend on anything in the "
                "shop, in one go or a little at a time.",
                color_scheme="gray",
            ),
            form_alert(GiftCardShopState.message),
            success_note(GiftCardShopState.done),
            rx.cond(
                GiftCardShopState.done != "",
                rx.link("View your cart", href="/cart"),
            ),
            rx.form(
                rx.vstack(
                    rx.el.fieldset(
                        rx.el.legend(rx.text("Amount", size="2", weight="medium")),
                        rx.radio_group.root(
                            rx.hstack(
                                rx.foreach(
                                    GiftCardShopState.amounts,
                                    lambda choice: rx.el.label(
                                        rx.hstack(
                                            rx.radio_group.item(value=choice[0]),
                                            rx.text(choice[1]),
                                            spacing="2",
                                            align="center",
                                        ),
                                    ),
                                ),
                                spacing="5",
                                wrap="wrap",
                            ),
                            name="amount",
                            default_value="50.00",
                        ),
                        border="none",
                        padding="0",
                        margin="0",
                    ),
                    labelled_input(
                        "Or your own amount",
                        "own_amount",
                        errors.get("own_amount", ""),
                        hint="From " + GiftCardShopState.amount_range,
                        input_mode="decimal",
                    ),
                    labelled_input(
                        "Recipient's e-mail",
                        "recipient_email",
                        errors.get("recipient_email", ""),
                        hint="Empty: we e-mail it to you",
                        type="email",
                    ),
                    labelled_input(
                        "Recipient's name", "recipient_name", errors.get("recipient_name", "")
                    ),
                    labelled_input("Your name", "sender_name", errors.get("sender_name", "")),
                    labelled_input("Message", "message", errors.get("message", "")),
                    labelled_input(
                        "Send on",
                        "send_on",
                        errors.get("send_on", errors.get("send_at", "")),
                        hint="Empty: as soon as the order is paid",
                        type="date",
                    ),
                    rx.button("Add gift card to cart", type="submit", size="3"),
                    spacing="3",
                    width="100%",
                    align="start",
                ),
                key=GiftCardShopState.form_version.to_string(),
                on_submit=GiftCardShopState.add,
                reset_on_submit=False,
                width="100%",
            ),
            rx.link("Check a gift card's balance", href="/gift-cards/balance", size="2"),
            spacing="4",
            width="100%",
            max_width="640px",
        )
    )


def gift_card_balance_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Gift card balance", size="7", as_="h1"),
            rx.text(
                "Enter the code from your gift card e-mail to see what it holds.",
                color_scheme="gray",
            ),
            form_alert(GiftCardBalanceState.message),
            rx.form(
                rx.vstack(
                    labelled_input(
                        "Gift card code",
                        "code",
                        GiftCardBalanceState.errors.get("code", ""),
                        auto_complete="off",
                        placeholder="XXXX-XXXX-XXXX-XXXX",
                    ),
                    rx.button("Check balance", type="submit", size="3"),
                    spacing="3",
                    width="100%",
                    align="start",
                ),
                key=GiftCardBalanceState.form_version.to_string(),
                on_submit=GiftCardBalanceState.check,
                width="100%",
            ),
            rx.cond(GiftCardBalanceState.card != "", _result()),
            spacing="4",
            width="100%",
            max_width="640px",
        )
    )
