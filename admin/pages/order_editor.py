"""Changing an order before it ships (the view: order_editor_view.py): staff change
quantities, remove lines, add products and change where and how it ships; every change is
priced at once by the same service that makes the edit (`order_edits.preview_edit`), with
what the difference means for the customer; saving makes the edit and settles it. The
orders.edit permission; the service checks it again, and the ids the browser sends against
the order."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

import reflex as rx

from admin.components.variant_search import VariantHit, variant_hits
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from backend.core.money import format_money
from backend.drafts import queries as draft_queries
from backend.order_edits import services as order_edits
from backend.order_edits.services import SHIPPING_FIELDS, EditRequest
from backend.orders import queries as order_queries
from backend.orders.editing import EditQuote
from backend.pricing.totals import tax_rows
from ui.errors import form_feedback


@dataclasses.dataclass(frozen=True)
class EditLineView:
    key: str  # the line's id, or the added variant's
    title: str
    sku: str
    unit_price: str
    quantity: int
    line_total: str
    note: str  # "was 1", "new", ""
    changeable: bool  # a multi-buy line or a gift card keeps its quantity


def _number_from_path(path: str) -> str:
    """ "/admin/orders/KG-7Q4M-2XH9/edit" → "KG-7Q4M-2XH9"."""
    parts = path.rstrip("/").split("/")
    return parts[-2][:20].upper() if len(parts) >= 2 else ""


class OrderEditorState(AdminState):
    permission: ClassVar[Permission] = Permission.ORDERS_EDIT

    number: str = ""
    missing: bool = False
    lines: list[EditLineView] = []
    removed: list[EditLineView] = []
    hits: list[VariantHit] = []
    searched: bool = False
    shipping: dict[str, str] = {}  # the shipping form's values
    shipping_changed: bool = False
    shipping_choices: list[tuple[str, str]] = []
    totals: list[tuple[str, str]] = []
    total: str = ""
    old_total: str = ""
    settlement: str = ""  # what saving means for the customer's money
    changes: list[str] = []
    message: str = ""
    errors: dict[str, str] = {}
    done: str = ""
    form_version: int = 0

    _order_id: str = ""
    _paid: bool = False
    _quantities: dict[str, int] = {}
    _added: dict[str, int] = {}
    _shipping: dict[str, str] | None = None

    def _request(self) -> EditRequest:
        return EditRequest(dict(self._quantities), dict(self._added), self._shipping)

    async def _quote(self) -> bool:
        """Price the changes so far; False (and why, on the page) when they cannot be made."""
        try:
            quote = await order_edits.preview_edit(
                uuid.UUID(self._order_id), self._request(), by=self.staff_viewer
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            if self.errors and not self.message:
                self.message = "Check the highlighted fields."
            return False
        self.message, self.errors = "", {}
        self._show(quote)
        return True

    def _show(self, quote: EditQuote) -> None:
        currency = quote.currency
        self.lines = [
            EditLineView(
                key=str(line.line_id or line.variant_id),
                title=line.title,
                sku=line.sku,
                unit_price=format_money(line.unit_price, currency),
                quantity=line.quantity,
                line_total=format_money(line.line_total, currency),
                note=(
                    "new"
                    if line.line_id is None
                    else (f"was {line.before}" if line.before != line.quantity else "")
                ),
                changeable=not line.gift_card and line.multibuy_off == 0,
            )
            for line in quote.lines
        ]
        self.removed = [
            EditLineView(
                key=str(line.line_id),
                title=line.title,
                sku=line.sku,
                unit_price=format_money(line.unit_price, currency),
                quantity=line.before,
                line_total=format_money(line.unit_price * line.before, currency),
                note="removed",
                changeable=True,
            )
            for line in quote.removed
        ]
        totals = quote.charges.totals
        rows = [("Subtotal", totals.subtotal)]
        if totals.discount:
            rows.append(("Discount", -totals.discount))
        rows.append((f"Shipping ({quote.charges.method.label})", totals.shipping))
        rows += tax_rows(totals.tax_lines, totals.tax, prices_include_tax=totals.prices_include_tax)
        self.totals = [(label, format_money(amount, currency)) for label, amount in rows]
        self.total = format_money(quote.total, currency)
        self.old_total = format_money(quote.old_total, currency)
        self.shipping_choices = [
            (option.code, f"{option.label} — {format_money(option.price, currency)}")
            for option in quote.charges.options
        ]
        self.changes = quote.said
        if not self._paid:
            self.settlement = f"The customer pays the new total, {self.total}, when they pay."
        elif quote.to_pay > 0:
            self.settlement = (
                f"The customer will owe {format_money(quote.to_pay, currency)}: saving "
                "e-mails them a link to pay it, and the order ships once it is paid."
            )
        elif quote.to_give_back > 0:
            self.settlement = (
                f"{format_money(quote.to_give_back, currency)} goes back to the customer, "
                "the way they paid, when you save."
            )
        else:
            self.settlement = "The total does not change."

    async def _open(self) -> None:
        detail = await order_queries.get_order(self.number)
        self._order_id = str(detail.id)
        self._paid = detail.status == "paid"
        self.shipping = {
            field: str(detail.shipping_address.get(field) or "") for field in SHIPPING_FIELDS
        } | {"full_name": detail.customer_name, "shipping_method": detail.shipping_method}

    @rx.event
    async def load(self) -> None:
        self.reset()
        self.number = _number_from_path(self.router.url.path)
        try:
            await self._open()
        except DomainError:
            self.missing = True
            return
        await self._quote()

    @rx.event
    async def set_quantity(self, key: str, quantity: str) -> None:
        try:
            value = int(str(quantity).strip())
        except ValueError:
            self.errors = {f"quantity:{key}": "Enter a whole number."}
            return
        before = dict(self._quantities), dict(self._added)
        if key in self._added:
            if value <= 0:
                self._added.pop(key)
            else:
                self._added[key] = value
        else:
            self._quantities[key] = value
        if not await self._quote():
            self._quantities, self._added = before
        self.form_version += 1

    @rx.event
    async def remove(self, key: str) -> None:
        await self.set_quantity(key, "0")

    @rx.event
    async def put_back(self, key: str) -> None:
        self._quantities.pop(key, None)
        await self._quote()
        self.form_version += 1

    @rx.event
    async def search(self, form_data: dict[str, Any]) -> None:
        term = str(form_data.get("term") or "")[:100]
        found = await draft_queries.find_variants(term, by=self.staff_viewer)
        self.hits = variant_hits(found)
        self.searched = True

    @rx.event
    async def add(self, variant_id: str) -> None:
        key = str(variant_id)[:36]
        before = dict(self._added)
        self._added[key] = self._added.get(key, 0) + 1
        if not await self._quote():
            self._added = before
        self.form_version += 1

    @rx.event
    async def change_shipping(self, form_data: dict[str, Any]) -> None:
        shipping = {field: str(form_data.get(field) or "")[:200] for field in SHIPPING_FIELDS}
        before = self._shipping
        self._shipping = shipping
        self.shipping = shipping
        if await self._quote():
            self.shipping_changed = True
        else:
            self._shipping = before

    @rx.event
    async def keep_shipping(self) -> None:
        self._shipping = None
        self.shipping_changed = False
        await self._open()
        await self._quote()
        self.form_version += 1

    @rx.event
    async def save(self) -> None:
        self.done = ""
        try:
            outcome = await order_edits.edit_order(
                uuid.UUID(self._order_id), self._request(), by=self.staff_viewer
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return
        currency = outcome.quote.currency
        done = "Saved; the customer is e-mailed the changes."
        if outcome.payment_link_sent:
            done += f" A link to pay {format_money(outcome.quote.to_pay, currency)} is on its way."
        if outcome.given_back:
            done += f" {format_money(outcome.given_back, currency)} went back to them."
        self._quantities, self._added, self._shipping = {}, {}, None
        self.shipping_changed, self.hits, self.searched = False, [], False
        await self._open()
        await self._quote()
        if outcome.refund_failure:
            self.message = (
                f"The edit is saved, but giving back the difference failed: "
                f"{outcome.refund_failure} Try again from the order page."
            )
        self.done = done
        self.form_version += 1
