"""The gift card balance page: the holder types the code and sees what the card holds
and its history. Codes that match no card count against the visitor's network address
(`backend/giftcards/guessing.py`); the code itself is never kept in the page's state."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import reflex as rx

from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.giftcards import codes
from backend.giftcards import queries as gift_cards
from storefront.components.layout import shop_page
from ui.access import PublicState
from ui.forms import form_alert, labelled_input


@dataclasses.dataclass(frozen=True)
class MovementRow:
    on: str
    what: str
    amount: str
    balance_after: str


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
