"""Outbound webhooks: register an endpoint (its signing secret is shown once), switch it on
or off, read its recent deliveries and retry a failed one, delete it.

Admins only; the webhooks services check the role again and write the audit log.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import ClassVar

import reflex as rx

from admin.state import AdminState
from backend.accounts.permissions import Permission
from backend.core.errors import DomainError
from backend.webhooks import queries as webhook_queries
from backend.webhooks import services as webhooks
from backend.webhooks.event_types import DESCRIPTIONS, WEBHOOK_EVENT_TYPES
from backend.webhooks.schemas import DeliverySummary, EndpointSummary

TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
DELIVERY_LIMIT = 50  # the most recent deliveries of the open endpoint (state stays small)

# Readable labels, in the order of the event types' module.
EVENT_LABELS: dict[str, str] = {
    "order.placed": "Order placed",
    "order.paid": "Order paid",
    "order.cancelled": "Order cancelled",
    "order.fulfilled": "Order fulfilled",
    "payment.refunded": "Payment refunded",
    "product.changed": "Product changed",
    "products.changed": "Products changed (batch)",
    "stock.low": "Stock low",
    "inventory.updated": "Inventory updated",
}


def event_label(name: str) -> str:
    return EVENT_LABELS.get(name) or name.replace(".", " ").replace("_", " ").capitalize()


def _field_name(event_type: str) -> str:
    """The form field of an event type's checkbox (no dots in form field names)."""
    return "event__" + event_type.replace(".", "__")


@dataclasses.dataclass(frozen=True)
class EventChoice:
    name: str
    field: str
    label: str
    description: str


EVENT_CHOICES = tuple(
    EventChoice(
        name=name,
        field=_field_name(name),
        label=event_label(name),
        description=DESCRIPTIONS.get(name, ""),
    )
    for name in WEBHOOK_EVENT_TYPES
)


@dataclasses.dataclass(frozen=True)
class EndpointRow:
    id: str
    url: str
    description: str
    event_types: str
    active: bool
    last_status: str


@dataclasses.dataclass(frozen=True)
class DeliveryRow:
    id: str
    event_type: str
    event_id: str
    status: str
    attempts: int
    response_status: str
    next_attempt: str
    error: str
    created: str


def _time(moment: datetime | None) -> str:
    return moment.strftime(TIME_FORMAT) if moment else "—"


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)[:36])
    except ValueError:
        return None


def _endpoint_row(endpoint: EndpointSummary, last: DeliverySummary | None) -> EndpointRow:
    return EndpointRow(
        id=str(endpoint.id),
        url=endpoint.url,
        description=endpoint.description,
        event_types=", ".join(endpoint.event_types),
        active=endpoint.is_active,
        last_status=last.status if last else "",
    )


def _delivery_row(delivery: DeliverySummary) -> DeliveryRow:
    return DeliveryRow(
        id=str(delivery.id),
        event_type=delivery.event_type,
        event_id=str(delivery.event_id),
        status=delivery.status,
        attempts=delivery.attempts,
        response_status=str(delivery.response_status) if delivery.response_status else "—",
        next_attempt=_time(delivery.next_attempt_at) if delivery.status == "pending" else "—",
        error=(delivery.last_error or "")[:300],
        created=_time(delivery.created_at),
    )


class WebhooksState(AdminState):
    permission: ClassVar[Permission] = Permission.WEBHOOKS

    endpoints: list[EndpointRow] = []
    errors: dict[str, str] = {}
    message: str = ""
    done: str = ""
    form_version: int = 0
    confirm_delete: str = ""  # the endpoint id waiting for a second click
    confirm_rotate: str = ""  # likewise, for a new secret
    # Shown once, right after creation or rotation; set only by `create` and
    # `rotate_secret`, cleared on load.
    new_secret: str = ""
    new_secret_url: str = ""
    new_secret_rotated: bool = False
    previous_secret_until: str = ""
    # The endpoint whose deliveries are shown below the table ("" = none).
    open_endpoint: str = ""
    open_endpoint_url: str = ""
    deliveries: list[DeliveryRow] = []
    deliveries_total: int = 0

    async def _reload(self) -> None:
        actor = self.viewer
        if actor is None:
            return
        rows = []
        for endpoint in await webhook_queries.list_endpoints(actor):
            recent = await webhook_queries.list_deliveries(actor, endpoint.id, limit=1)
            rows.append(_endpoint_row(endpoint, recent.items[0] if recent.items else None))
        self.endpoints = rows
        if self.open_endpoint and not any(row.id == self.open_endpoint for row in rows):
            self._close_deliveries()
        elif self.open_endpoint:
            await self._load_deliveries(uuid.UUID(self.open_endpoint))

    async def _load_deliveries(self, endpoint_id: uuid.UUID) -> None:
        result = await webhook_queries.list_deliveries(
            self.viewer,
            endpoint_id,
            limit=DELIVERY_LIMIT,
        )
        self.deliveries = [_delivery_row(d) for d in result.items[:DELIVERY_LIMIT]]
        self.deliveries_total = result.total

    def _close_deliveries(self) -> None:
        self.open_endpoint, self.open_endpoint_url = "", ""
        self.deliveries, self.deliveries_total = [], 0

    def _clear_feedback(self) -> None:
        self.errors, self.message, self.done = {}, "", ""

    @rx.event
    async def load(self) -> None:
        self._clear_feedback()
        self._forget_secret()
        self.confirm_delete = self.confirm_rotate = ""
        self._close_deliveries()
        try:
            await self._reload()
        except DomainError as error:
            self.message = error.message

    @rx.event
    async def create(self, form_data: dict[str, object]) -> None:
        self._clear_feedback()
        self._forget_secret()
        self.confirm_delete = self.confirm_rotate = ""
        if not isinstance(form_data, dict):
            return
        url = str(form_data.get("url") or "").strip()[: webhooks.MAX_URL_LENGTH + 1]
        description = str(form_data.get("description") or "").strip()
        description = description[: webhooks.MAX_DESCRIPTION_LENGTH + 1]
        chosen = [choice.name for choice in EVENT_CHOICES if form_data.get(choice.field)]
        try:
            created = await webhooks.create_endpoint(
                self.viewer,
                url=url,
                event_types=chosen,
                description=description,
            )
        except DomainError as error:
            self.errors = dict(getattr(error, "field_errors", {}) or {})
            self.message = "" if self.errors else error.message
            return
        self.new_secret = created.secret
        self.new_secret_url = created.endpoint.url
        self.form_version += 1
        await self._run_reload()

    def _forget_secret(self) -> None:
        self.new_secret, self.new_secret_url = "", ""
        self.new_secret_rotated, self.previous_secret_until = False, ""

    @rx.event
    def dismiss_secret(self) -> None:
        self._forget_secret()

    @rx.event
    async def rotate_secret(self, endpoint_id: str) -> None:
        """Two clicks: a new secret, the old one still signing for the default grace."""
        target = _uuid(endpoint_id)
        if target is None:
            return
        self._clear_feedback()
        if self.confirm_rotate != str(target):
            self.confirm_rotate, self.confirm_delete = str(target), ""
            return
        self.confirm_rotate = ""
        try:
            rotated = await webhooks.rotate_secret(self.viewer, target)
        except DomainError as error:
            self.message = error.message
        else:
            self.new_secret = rotated.secret
            self.new_secret_url = rotated.endpoint.url
            self.new_secret_rotated = True
            self.previous_secret_until = _time(rotated.endpoint.previous_secret_expires_at)
        await self._run_reload()

    async def _run_reload(self) -> None:
        try:
            await self._reload()
        except DomainError as error:
            self.message = error.message

    @rx.event
    async def set_active(self, endpoint_id: str, active: bool) -> None:
        self._clear_feedback()
        target = _uuid(endpoint_id)
        if target is None or not isinstance(active, bool):
            return
        try:
            await webhooks.update_endpoint(self.viewer, target, is_active=active)
        except DomainError as error:
            self.message = error.message
        await self._run_reload()

    @rx.event
    async def delete(self, endpoint_id: str) -> None:
        target = _uuid(endpoint_id)
        if target is None:
            return
        if self.confirm_delete != str(target):
            self.confirm_delete, self.confirm_rotate = str(target), ""
            self._clear_feedback()
            return
        self.confirm_delete = ""
        self._clear_feedback()
        try:
            await webhooks.delete_endpoint(self.viewer, target)
        except DomainError as error:
            self.message = error.message
        else:
            self.done = "Endpoint deleted."
        await self._run_reload()

    @rx.event
    async def show_deliveries(self, endpoint_id: str) -> None:
        self._clear_feedback()
        target = _uuid(endpoint_id)
        row = next((r for r in self.endpoints if target and r.id == str(target)), None)
        if target is None or row is None:
            return
        if self.open_endpoint == row.id:  # a second click closes the list
            self._close_deliveries()
            return
        try:
            await self._load_deliveries(target)
        except DomainError as error:
            self.message = error.message
            self._close_deliveries()
            return
        self.open_endpoint, self.open_endpoint_url = row.id, row.url

    @rx.event
    def hide_deliveries(self) -> None:
        self._close_deliveries()

    @rx.event
    async def retry(self, delivery_id: str) -> None:
        self._clear_feedback()
        target = _uuid(delivery_id)
        if target is None:
            return
        try:
            await webhooks.retry_delivery(self.viewer, target)
        except DomainError as error:
            self.message = error.message
        else:
            self.done = "Delivery scheduled again: the worker sends it within seconds."
        await self._run_reload()
