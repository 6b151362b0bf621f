"""Reading the staff orders list's filters from a form: one clear message per wrong field."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from backend.core.errors import InvalidInputError
from backend.orders.filters import (
    ALL_ORDERS,
    AMOUNT_HINT,
    DATE_HINT,
    OrderFilters,
    parse_amount,
    parse_order_filters,
)


def problems_of(form: dict[str, object]) -> dict[str, str]:
    with pytest.raises(InvalidInputError) as refused:
        parse_order_filters(form)
    return refused.value.field_errors


def test_an_empty_form_filters_nothing() -> None:
    assert parse_order_filters({}) == ALL_ORDERS
    blank = {"search": " ", "status": "all", "placed_from": "", "min_total": "", "max_total": None}
    assert parse_order_filters(blank) == ALL_ORDERS


def test_a_full_form_becomes_typed_filters() -> None:
    customer = uuid.uuid4()
    filters = parse_order_filters(
        {
            "search": "  KG-1 ",
            "status": "paid",
            "placed_from": "2025-03-01",
            "placed_to": "2025-03-31",
            "min_total": "25",
            "max_total": " 25.50 ",
        },
        customer_id=customer,
    )
    assert filters == OrderFilters(
        status="paid",
        search="KG-1",
        placed_from=date(2025, 3, 1),
        placed_to=date(2025, 3, 31),
        min_total=Decimal("25"),
        max_total=Decimal("25.50"),
        customer_id=customer,
    )


@pytest.mark.parametrize("raw", ["abc", "-5", "25.555", "1e3", "25,50", "12345678901", "NaN", "."])
def test_amounts_must_be_plain(raw: str) -> None:
    with pytest.raises(ValueError, match=re.escape(AMOUNT_HINT)):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("raw", "amount"), [("0", "0"), ("7.5", "7.5"), ("9999999999.99", "9999999999.99")]
)
def test_plain_amounts_are_decimals(raw: str, amount: str) -> None:
    assert parse_amount(raw) == Decimal(amount)


def test_each_wrong_field_gets_its_own_message() -> None:
    problems = problems_of(
        {
            "placed_from": "2025-02-30",
            "placed_to": "31/03/2025",
            "min_total": "ten",
            "max_total": "-1",
            "status": "lost",
        }
    )
    assert problems == {
        "placed_from": DATE_HINT,
        "placed_to": DATE_HINT,
        "min_total": AMOUNT_HINT,
        "max_total": AMOUNT_HINT,
        "status": "Choose a status from the list.",
    }


def test_inverted_ranges_are_refused_on_their_upper_field() -> None:
    problems = problems_of(
        {
            "placed_from": "2025-04-02",
            "placed_to": "2025-04-01",
            "min_total": "30",
            "max_total": "20",
        }
    )
    assert problems == {
        "placed_to": "The end date must be on or after the start date.",
        "max_total": "The maximum must be at least the minimum.",
    }
    one_day = parse_order_filters({"placed_from": "2025-04-01", "placed_to": "2025-04-01"})
    assert one_day.placed_from == one_day.placed_to


def test_dates_cover_whole_utc_days() -> None:
    filters = OrderFilters(placed_from=date(2025, 4, 1), placed_to=date(2025, 4, 30))
    assert filters.placed_since == datetime(2025, 4, 1, tzinfo=UTC)
    assert filters.placed_before == datetime(2025, 5, 1, tzinfo=UTC)
    assert OrderFilters(placed_to=date.max).placed_before is None  # no day after it
    assert ALL_ORDERS.placed_since is None
