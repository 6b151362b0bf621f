"""Filters of the staff orders list, and reading them from a form with one message per
field (the edge); the query (`queries.list_all_orders`) only receives valid filters."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar

from backend.accounts.customer_notes import normalised_tag
from backend.core.errors import InvalidInputError
from backend.orders import status

MAX_SEARCH_LENGTH = 100
# Plain amounts only, as the orders table holds them (NUMERIC(12, 2)): "25", "25.5", "25.50".
_AMOUNT = re.compile(r"\d{1,10}(?:\.\d{1,2})?")
AMOUNT_HINT = "Enter an amount such as 25 or 25.50."
DATE_HINT = "Enter a date such as 2025-03-31."
STATUS_HINT = "Choose a status from the list."

T = TypeVar("T")


@dataclass(frozen=True)
class OrderFilters:
    """What the staff orders list shows. Dates are whole UTC days, both ends included;
    totals are inclusive bounds on the order total. Inverted ranges are refused."""

    status: str | None = None
    search: str = ""
    placed_from: date | None = None
    placed_to: date | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None
    customer_id: uuid.UUID | None = None  # exactly one account's orders
    customer_tag: str = ""  # the orders of accounts staff tagged so ("wholesale")

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in status.ORDER_TRANSITIONS:
            raise InvalidInputError(STATUS_HINT, {"status": STATUS_HINT})
        problems = _range_problems(self)
        if problems:
            raise InvalidInputError("Please correct the highlighted filters.", problems)

    @property
    def placed_since(self) -> datetime | None:
        """The first instant of `placed_from` (UTC)."""
        return _start_of_day(self.placed_from) if self.placed_from else None

    @property
    def placed_before(self) -> datetime | None:
        """The first instant after `placed_to` (UTC), so the whole day is included."""
        if self.placed_to is None or self.placed_to == date.max:
            return None
        return _start_of_day(self.placed_to + timedelta(days=1))


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _range_problems(filters: OrderFilters) -> dict[str, str]:
    problems: dict[str, str] = {}
    if filters.placed_from and filters.placed_to and filters.placed_from > filters.placed_to:
        problems["placed_to"] = "The end date must be on or after the start date."
    if (
        filters.min_total is not None
        and filters.max_total is not None
        and filters.min_total > filters.max_total
    ):
        problems["max_total"] = "The maximum must be at least the minimum."
    return problems


ALL_ORDERS = OrderFilters()


def parse_amount(raw: object) -> Decimal | None:
    """A form's amount: None when empty; ValueError unless a plain amount like 25.50."""
    text = str(raw or "").strip()
    if not text:
        return None
    if not _AMOUNT.fullmatch(text):
        raise ValueError(AMOUNT_HINT)
    return Decimal(text)


def parse_day(raw: object) -> date | None:
    """A form's date (YYYY-MM-DD, as date inputs send it): None when empty."""
    text = str(raw or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(DATE_HINT)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(DATE_HINT) from None


def _read(
    form: Mapping[str, object],
    name: str,
    parse: Callable[[object], T | None],
    problems: dict[str, str],
) -> T | None:
    """One field parsed, or its message added to `problems` (then None)."""
    try:
        return parse(form.get(name))
    except ValueError as error:
        problems[name] = str(error)
        return None


def parse_order_filters(
    form: Mapping[str, object], *, customer_id: uuid.UUID | None = None
) -> OrderFilters:
    """Filters from a submitted form (strings; missing or empty fields mean "any").
    Raises InvalidInputError with a message for each field that is wrong."""
    problems: dict[str, str] = {}
    placed_from = _read(form, "placed_from", parse_day, problems)
    placed_to = _read(form, "placed_to", parse_day, problems)
    min_total = _read(form, "min_total", parse_amount, problems)
    max_total = _read(form, "max_total", parse_amount, problems)
    chosen = str(form.get("status") or "").strip()
    if chosen not in ("", "all", *status.ORDER_TRANSITIONS):
        problems["status"] = STATUS_HINT
    if problems:
        raise InvalidInputError("Please correct the highlighted filters.", problems)
    return OrderFilters(
        status=chosen if chosen in status.ORDER_TRANSITIONS else None,
        search=str(form.get("search") or "").strip()[:MAX_SEARCH_LENGTH],
        placed_from=placed_from,
        placed_to=placed_to,
        min_total=min_total,
        max_total=max_total,
        customer_id=customer_id,
        customer_tag=normalised_tag(str(form.get("customer_tag") or "")),
    )
