"""Draft orders (phone and B2B orders): the list with a "new draft" form, and the editor
where staff pick the customer, add products and custom lines, give a discount or their own
shipping price, see the totals under the shop's rules, and complete the draft (paid by hand,
or by a payment link e-mailed to the customer). The orders.edit permission; every service
checks it again. Line ids from the browser are checked against the draft by the service."""

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
from backend.drafts import services as drafts
from backend.drafts.queries import DraftDetail
from backend.pricing.totals import tax_rows
from ui.errors import form_feedback
from ui.order_view import display_time

CUSTOMER_FIELDS = (
    "email",
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "shipping_method",
)
TERMS_FIELDS = ("manual_discount", "discount_reason", "shipping_price", "note")
STATUSES = (("open", "Open"), ("completed", "Completed"), ("expired", "Expired"))


@dataclasses.dataclass(frozen=True)
class DraftRowView:
    label: str
    url: str
    customer: str
    item_count: str
    updated: str
    order_number: str
    order_url: str


@dataclasses.dataclass(frozen=True)
class DraftLineView:
    id: str
    title: str
    sku: str
    unit_price: str
    was: str  # the catalog price a sale lowered, or ""
    quantity: int
    line_total: str
    detail: str  # "LAMP-1 · 3 in stock", "Custom line"


def _draft_id_from_path(path: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(path.rstrip("/").rpartition("/")[2])
    except ValueError:
        return None


class DraftsState(AdminState):
    permission: ClassVar[Permission] = Permission.ORDERS_EDIT

    rows: list[DraftRowView] = []
    status: str = "open"
    message: str = ""
    errors: dict[str, str] = {}

    async def _reload(self) -> None:
        found = await draft_queries.list_drafts(by=self.staff_viewer, status=self.status)
        self.rows = [
            DraftRowView(
                label=row.label,
                url=f"/admin/drafts/{row.id}",
                customer=row.customer,
                item_count=str(row.item_count),
                updated=display_time(row.updated_at),
                order_number=row.order_number or "",
                order_url=f"/admin/orders/{row.order_number}" if row.order_number else "",
            )
            for row in found
        ]

    @rx.event
    async def load(self) -> None:
        self.message, self.errors = "", {}
        await self._reload()

    @rx.event
    async def show_status(self, status: str | list[str]) -> None:
        chosen = status if isinstance(status, str) else ""
        self.status = chosen if chosen in dict(STATUSES) else "open"
        await self._reload()

    @rx.event
    async def new_draft(self, form_data: dict[str, Any]) -> rx.event.EventSpec | None:
        try:
            made = await drafts.create_draft(
                by=self.staff_viewer, email=str(form_data.get("email") or "")
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            return None
        return rx.redirect(f"/admin/drafts/{made.id}")


class DraftEditorState(AdminState):
    permission: ClassVar[Permission] = Permission.ORDERS_EDIT

    _draft_id: str = ""
    missing: bool = False
    label: str = ""
    status: str = ""
    is_open: bool = False
    has_account: bool = False
    customer: dict[str, str] = {field: "" for field in CUSTOMER_FIELDS}
    lines: list[DraftLineView] = []
    totals: list[tuple[str, str]] = []
    total: str = ""
    problems: list[str] = []
    shipping_choices: list[tuple[str, str]] = []
    terms: dict[str, str] = {
        "manual_discount": "",
        "discount_reason": "",
        "shipping_price": "",
        "note": "",
    }
    hits: list[VariantHit] = []
    searched: bool = False
    order_number: str = ""
    expires: str = ""
    message: str = ""
    errors: dict[str, str] = {}
    done: str = ""
    form_version: int = 0  # remounts the uncontrolled fields with fresh values

    def _id(self) -> uuid.UUID:
        return uuid.UUID(self._draft_id)

    def _show(self, draft: DraftDetail, *, remount: bool = True) -> None:
        self.label, self.status = draft.label, draft.status
        self.is_open = draft.status == "open"
        self.has_account = draft.has_account
        details = draft.details or {}
        self.customer = {field: str(details.get(field) or "") for field in CUSTOMER_FIELDS} | {
            "email": draft.email or str(details.get("email") or "")
        }
        if not self.customer["shipping_method"]:
            self.customer["shipping_method"] = "standard"
        self.terms = {
            "manual_discount": f"{draft.manual_discount:f}" if draft.manual_discount else "",
            "discount_reason": draft.discount_reason,
            "shipping_price": f"{draft.shipping_price:f}"
            if draft.shipping_price is not None
            else "",
            "note": draft.note,
        }
        quote = draft.quote
        currency = quote.currency
        self.lines = [
            DraftLineView(
                id=str(line.id),
                title=line.quoted.title,
                sku=line.quoted.sku,
                unit_price=format_money(line.quoted.unit_price, currency),
                was=format_money(line.quoted.list_price, currency)
                if line.quoted.list_price
                else "",
                quantity=line.quoted.quantity,
                line_total=format_money(line.quoted.line_total, currency),
                detail=(
                    "Custom line"
                    if line.custom
                    else f"{line.quoted.sku} · {line.quoted.in_stock} in stock"
                ),
            )
            for line in draft.lines
        ]
        self.problems = quote.problems
        charges = quote.charges
        self.totals, self.total, self.shipping_choices = [], "", []
        if charges is not None:
            t = charges.totals
            rows = [("Subtotal", t.subtotal)]
            if t.multibuy_discount:
                rows.append(("Multi-buy", -t.multibuy_discount))
            if t.promotion_discount:
                rows.append((f"Staff discount ({draft.discount_reason})", -t.promotion_discount))
            shipping_label = f"Shipping ({charges.method.label})"
            if draft.shipping_price is not None:
                shipping_label = f"Shipping ({charges.method.label}, set by staff)"
            rows.append((shipping_label, t.shipping))
            rows += tax_rows(t.tax_lines, t.tax, prices_include_tax=t.prices_include_tax)
            self.totals = [(label, format_money(amount, currency)) for label, amount in rows]
            self.total = format_money(t.total, currency)
            self.shipping_choices = [
                (option.code, f"{option.label} — {format_money(option.price, currency)}")
                for option in charges.options
            ]
        self.order_number = draft.order_number or ""
        self.expires = display_time(draft.expires_at)
        if remount:  # the forms show the saved values (after a refusal: what was typed)
            self.form_version += 1

    async def _reload(self, *, remount: bool = True) -> None:
        self._show(await draft_queries.get_draft(self._id(), by=self.staff_viewer), remount=remount)

    async def _change(self, change: Any, success: str = "") -> None:
        """Run one change of this draft, then show it again (or why it was refused)."""
        self.message, self.errors, self.done = "", {}, ""
        try:
            await change
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            if self.errors and not self.message:
                self.message = "Check the highlighted fields."
            await self._reload(remount=False)
            return
        self.done = success
        await self._reload()

    @rx.event
    async def load(self) -> None:
        self.reset()
        target = _draft_id_from_path(self.router.url.path)
        if target is None:
            self.missing = True
            return
        self._draft_id = str(target)
        try:
            await self._reload()
        except DomainError:
            self.missing = True

    @rx.event
    async def save_customer(self, form_data: dict[str, Any]) -> None:
        data = {field: str(form_data.get(field) or "") for field in CUSTOMER_FIELDS}
        await self._change(
            drafts.set_customer(self._id(), data, by=self.staff_viewer), "Customer saved."
        )

    @rx.event
    async def search(self, form_data: dict[str, Any]) -> None:
        term = str(form_data.get("term") or "")
        found = await draft_queries.find_variants(term, by=self.staff_viewer)
        self.hits = variant_hits(found)
        self.searched = True

    @rx.event
    async def add_variant(self, variant_id: str) -> None:
        try:
            chosen = uuid.UUID(str(variant_id))
        except ValueError:
            return
        await self._change(
            drafts.add_variant(self._id(), chosen, 1, by=self.staff_viewer), "Added."
        )

    @rx.event
    async def add_custom_line(self, form_data: dict[str, Any]) -> None:
        data = {key: str(form_data.get(key) or "") for key in ("name", "unit_price", "quantity")}
        await self._change(
            drafts.add_custom_line(self._id(), data, by=self.staff_viewer), "Custom line added."
        )

    @rx.event
    async def set_quantity(self, line_id: str, quantity: str) -> None:
        try:
            line = uuid.UUID(str(line_id))
        except ValueError:
            return
        await self._change(drafts.set_quantity(self._id(), line, quantity, by=self.staff_viewer))

    @rx.event
    async def remove_line(self, line_id: str) -> None:
        try:
            line = uuid.UUID(str(line_id))
        except ValueError:
            return
        await self._change(drafts.remove_line(self._id(), line, by=self.staff_viewer), "Removed.")

    @rx.event
    async def save_terms(self, form_data: dict[str, Any]) -> None:
        data = {key: str(form_data.get(key) or "") for key in TERMS_FIELDS}
        await self._change(drafts.set_terms(self._id(), data, by=self.staff_viewer), "Saved.")

    @rx.event
    async def complete(self, form_data: dict[str, Any]) -> rx.event.EventSpec | None:
        self.message, self.errors, self.done = "", {}, ""
        try:
            done = await drafts.complete_draft(
                self._id(),
                settlement=str(form_data.get("settlement") or ""),
                method=str(form_data.get("method") or ""),
                reference=str(form_data.get("reference") or ""),
                by=self.staff_viewer,
            )
        except DomainError as error:
            self.message, self.errors = form_feedback(error)
            await self._reload(remount=False)
            return None
        return rx.redirect(f"/admin/orders/{done.order_number}")

    @rx.event
    async def delete(self) -> rx.event.EventSpec | None:
        try:
            await drafts.delete_draft(self._id(), by=self.staff_viewer)
        except DomainError as error:
            self.message = error.message
            return None
        return rx.redirect("/admin/drafts")
