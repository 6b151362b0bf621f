"""Messages: every e-mail and SMS the shop sent or stored, and events whose handling failed.

Admins only: messages hold customers' addresses and one-time links.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import ClassVar

import reflex as rx

from admin.components.layout import admin_page
from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from backend.notifications import message_log
from ui.tables import data_table, pager

PAGE_SIZE = 25
TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


@dataclasses.dataclass(frozen=True)
class MessageRow:
    id: str
    created: str
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    error: str


@dataclasses.dataclass(frozen=True)
class DeadLetterRow:
    event_id: str
    event_type: str
    handler: str
    attempts: int
    error: str
    failed: str


class MessagesState(AdminState):
    permission: ClassVar[Permission] = Permission.CUSTOMERS

    rows: list[MessageRow] = []
    page: int = 1
    page_count: int = 1
    total_label: str = ""
    dead_letters: list[DeadLetterRow] = []
    open_subject: str = ""
    open_recipient: str = ""
    open_body: str = ""
    dialog_open: bool = False

    async def _load(self, page: int) -> None:
        result = await message_log.list_messages(self.staff_viewer, page=page, limit=PAGE_SIZE)
        self.rows = [
            MessageRow(
                id=str(m.id),
                created=m.created_at.strftime(TIME_FORMAT),
                channel=m.channel.upper() if m.channel == "sms" else "E-mail",
                recipient=m.recipient,
                subject=m.subject or "(SMS)",
                status=m.status,
                attempts=m.attempts,
                error=m.last_error or "",
            )
            for m in result.items
        ]
        self.page, self.page_count = result.page, result.page_count
        self.total_label = f"{result.total} message" + ("" if result.total == 1 else "s")
        self.dead_letters = [
            DeadLetterRow(
                event_id=str(d.event_id),
                event_type=d.event_type,
                handler=d.handler,
                attempts=d.attempts,
                error=d.last_error,
                failed=d.failed_at.strftime(TIME_FORMAT),
            )
            for d in await message_log.list_dead_letters(self.staff_viewer)
        ]

    @rx.event
    async def load(self) -> None:
        await self._load(1)

    @rx.event
    async def next_page(self) -> None:
        await self._load(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self) -> None:
        await self._load(max(self.page - 1, 1))

    @rx.event
    async def open_message(self, message_id: str) -> None:
        try:
            detail = await message_log.get_message(self.staff_viewer, uuid.UUID(str(message_id)))
        except (ValueError, DomainError):
            return
        self.open_subject = detail.subject or "SMS"
        self.open_recipient = detail.recipient
        self.open_body = detail.body_text
        self.dialog_open = True

    @rx.event
    def close_message(self) -> None:
        self.dialog_open = False

    @rx.event
    async def retry(self, event_id: str, handler: str) -> rx.event.EventSpec | None:
        try:
            await message_log.redeliver(self.staff_viewer, uuid.UUID(str(event_id)), str(handler))
        except (ValueError, DomainError):
            return rx.toast.error("That failed event is no longer waiting for a retry.")
        await self._load(self.page)
        return rx.toast.success("Sent back to the worker: it will be tried again shortly.")


_STATUS_COLOURS = {"sent": "grass", "stored": "blue", "pending": "gray", "failed": "tomato"}


def _message_row(row: rx.Var[MessageRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.created, white_space="nowrap"),
        rx.table.cell(row.channel),
        rx.table.cell(row.recipient),
        rx.table.row_header_cell(
            rx.link(row.subject, on_click=MessagesState.open_message(row.id), cursor="pointer")
        ),
        rx.table.cell(
            rx.badge(
                row.status, color_scheme=rx.match(row.status, *_STATUS_COLOURS.items(), "gray")
            )
        ),
        rx.table.cell(row.attempts, text_align="right"),
    )


def _dead_letter_row(row: rx.Var[DeadLetterRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.failed, white_space="nowrap"),
        rx.table.row_header_cell(row.event_type),
        rx.table.cell(row.handler),
        rx.table.cell(row.attempts, text_align="right"),
        rx.table.cell(rx.text(row.error, size="1", color_scheme="tomato"), max_width="360px"),
        rx.table.cell(
            rx.button(
                "Retry",
                size="1",
                variant="soft",
                on_click=MessagesState.retry(row.event_id, row.handler),
            )
        ),
    )


def _message_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(MessagesState.open_subject),
            rx.dialog.description("To " + MessagesState.open_recipient, size="2"),
            rx.box(
                rx.text(MessagesState.open_body, white_space="pre-wrap", size="2"),
                max_height="60vh",
                overflow_y="auto",
                padding_y="12px",
            ),
            rx.dialog.close(
                rx.button("Close", variant="soft", on_click=MessagesState.close_message)
            ),
            max_width="640px",
        ),
        open=MessagesState.dialog_open,
        on_open_change=lambda _open: MessagesState.close_message(),
    )


MESSAGE_COLUMNS = ("Time", "Channel", "To", "Subject", "Status", ("Attempts", "right"))
DEAD_LETTER_COLUMNS = ("Failed", "Event", "Handler", ("Attempts", "right"), "Last error", "")


def messages_page() -> rx.Component:
    return admin_page(
        "Messages",
        rx.vstack(
            rx.cond(
                MessagesState.dead_letters.length() > 0,
                rx.vstack(
                    rx.heading("Failed events", size="4", as_="h2"),
                    rx.text(
                        "These were tried repeatedly and set aside; the others kept flowing.",
                        size="2",
                        color_scheme="gray",
                    ),
                    data_table(DEAD_LETTER_COLUMNS, MessagesState.dead_letters, _dead_letter_row),
                    width="100%",
                    padding_bottom="16px",
                ),
            ),
            rx.heading("Sent and stored messages", size="4", as_="h2"),
            rx.text(
                MessagesState.total_label,
                ". “stored” means no mail server is configured "
                "(SMTP_URL): the message is kept here instead of being sent. Copies of "
                "sent messages show one-time links (password reset, verification, …) as "
                "token=[removed]: only the recipient's e-mail has them.",
                size="2",
                color_scheme="gray",
            ),
            data_table(MESSAGE_COLUMNS, MessagesState.rows, _message_row),
            pager(
                page=MessagesState.page,
                page_count=MessagesState.page_count,
                on_previous=MessagesState.previous_page,
                on_next=MessagesState.next_page,
            ),
            _message_dialog(),
            spacing="3",
            width="100%",
        ),
        permission=Permission.CUSTOMERS,
    )
