"""Notes and tags on a customer, where staff look at them: the customer's page and each of
their orders' pages. The page that shows a customer (or an order of one) calls
`CustomerRemarksState._show_customer` from its load (private: no browser can call it);
staff with the customers permission add notes and change tags here (the services check
it again)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any, ClassVar

import reflex as rx

from admin.state import AdminState
from backend.accounts import customer_notes
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from ui.forms import labelled_input
from ui.order_view import display_time


@dataclasses.dataclass(frozen=True)
class NoteView:
    body: str
    byline: str  # "admin_ann (admin) · 06 Dec 2026, 09:12 UTC"


class CustomerRemarksState(AdminState):
    permission: ClassVar[Permission] = Permission.CUSTOMERS

    has_customer: bool = False  # False: a guest order, nobody to note
    customer_url: str = ""
    tags: list[str] = []
    notes: list[NoteView] = []
    errors: dict[str, str] = {}
    saved: str = ""
    form_version: int = 0

    _customer_id: str = ""

    async def _show_customer(self, user_id: uuid.UUID | None) -> None:
        """Called by the page showing this customer (None: a guest order)."""
        self.errors, self.saved = {}, ""
        self._customer_id = str(user_id) if user_id else ""
        # Staff who may see orders but not customers get no card (the order page).
        self.has_customer = user_id is not None and Permission.CUSTOMERS in self.viewer_permissions
        self.customer_url = f"/admin/accounts/{user_id}" if user_id else ""
        self.tags, self.notes = [], []
        if self.has_customer:
            await self._refresh()

    async def _refresh(self) -> None:
        remarks = await customer_notes.remarks_about(
            uuid.UUID(self._customer_id), actor=self.staff_viewer
        )
        self.tags = list(remarks.tags)
        self.notes = [
            NoteView(note.body, f"{note.author} · {display_time(note.created_at)}")
            for note in remarks.notes
        ]
        self.form_version += 1  # the forms show the saved values

    @rx.event
    async def save_tags(self, form_data: dict[str, Any]) -> None:
        if not self._customer_id:
            return
        self.errors, self.saved = {}, ""
        try:
            await customer_notes.set_tags(
                uuid.UUID(self._customer_id),
                str(form_data.get("tags") or "")[:2000],
                actor=self.staff_viewer,
            )
        except DomainError as error:
            self.errors = dict(getattr(error, "field_errors", {}) or {}) or {"tags": error.message}
            return
        await self._refresh()
        self.saved = "Tags saved."

    @rx.event
    async def add_note(self, form_data: dict[str, Any]) -> None:
        if not self._customer_id:
            return
        self.errors, self.saved = {}, ""
        try:
            await customer_notes.add_note(
                uuid.UUID(self._customer_id),
                str(form_data.get("note") or "")[: customer_notes.MAX_NOTE_LENGTH + 100],
                actor=self.staff_viewer,
            )
        except DomainError as error:
            self.errors = dict(getattr(error, "field_errors", {}) or {}) or {"note": error.message}
            return
        await self._refresh()
        self.saved = "Note added."


def _note(note: rx.Var[NoteView]) -> rx.Component:
    return rx.box(
        rx.text(note.body, size="2", white_space="pre-wrap"),
        rx.text(note.byline, size="1", color_scheme="gray"),
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
    )


def customer_remarks(*, link_to_customer: bool = False) -> rx.Component:
    """The card: tags (editable as one comma-separated field), notes (newest first) and a
    field to add one. `link_to_customer`: on an order's page, a link to the customer."""
    state = CustomerRemarksState
    return rx.cond(
        state.has_customer,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Customer notes and tags", size="3", as_="h2"),
                    rx.spacer(),
                    (
                        rx.link("The customer's page", href=state.customer_url, size="2")
                        if link_to_customer
                        else rx.fragment()
                    ),
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    state.tags.length() > 0,
                    rx.hstack(
                        rx.foreach(state.tags, lambda tag: rx.badge(tag, variant="soft")),
                        wrap="wrap",
                        spacing="1",
                        role="list",
                        aria_label="Tags",
                    ),
                ),
                rx.form(
                    rx.hstack(
                        labelled_input(
                            "Tags",
                            "tags",
                            state.errors.get("tags", ""),
                            id_prefix="remarks-",
                            hint="Separated by commas: wholesale, vip",
                            default_value=state.tags.join(", "),
                            max_length=900,
                        ),
                        rx.button("Save tags", type="submit", variant="soft", margin_top="24px"),
                        align="start",
                        width="100%",
                    ),
                    key="tags-" + state.form_version.to_string(),
                    on_submit=state.save_tags,
                    reset_on_submit=False,
                    width="100%",
                ),
                rx.cond(
                    state.notes.length() > 0,
                    rx.vstack(rx.foreach(state.notes, _note), spacing="0", width="100%"),
                    rx.text("No notes yet.", size="2", color_scheme="gray"),
                ),
                rx.form(
                    rx.vstack(
                        rx.el.label(
                            rx.text("Add a note", size="2", weight="medium"),
                            rx.text_area(
                                name="note",
                                id="remarks-note",
                                rows="3",
                                max_length=customer_notes.MAX_NOTE_LENGTH,
                                aria_describedby="remarks-note-message",
                                width="100%",
                            ),
                            display="flex",
                            flex_direction="column",
                            gap="4px",
                            width="100%",
                        ),
                        rx.text(
                            state.errors.get("note", ""),
                            id="remarks-note-message",
                            size="2",
                            color_scheme="tomato",
                            role="alert",
                        ),
                        rx.button("Add note", type="submit", variant="soft"),
                        spacing="1",
                        width="100%",
                    ),
                    key="note-" + state.form_version.to_string(),
                    on_submit=state.add_note,
                    width="100%",
                ),
                rx.text(state.saved, size="2", color_scheme="grass", role="status"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )
