import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

import backend.event_registry  # noqa: F401  (registers every event type)
from backend.catalog.events import ProductChanged
from backend.events.base import EVENT_TYPES, event_from_row
from backend.orders.events import OrderLineSummary, OrderPlaced
from backend.payments.events import PaymentRefunded
from jobs.events import retry_delay_seconds
from jobs.handlers import EVENT_HANDLERS, handler_names_for

SPEC_EVENTS = {
    "OrderPlaced",
    "OrderPaid",
    "OrderEdited",
    "OrderCancelled",
    "OrderFulfilled",
    "PaymentRefunded",
    "PaidAfterCancellation",
    "PaymentLinkRequested",
    "InventoryUpdated",
    "LowStock",
    "ProductChanged",
    "ProductsChanged",
    "UserRegistered",
    "EmailVerificationRequested",
    "PasswordResetRequested",
    "SignUpWithExistingEmailAttempted",
    "StockNoticeConfirmationRequested",
    "BackInStockNoticeDue",
    "ReturnRequested",
    "ReturnApproved",
    "ReturnRejected",
    "ReturnReceived",
    "ReturnRefunded",
    "GiftCardIssued",
}


def test_every_event_of_the_design_exists_and_has_a_routing_entry() -> None:
    assert set(EVENT_TYPES) == SPEC_EVENTS
    assert {event.event_type for event in EVENT_HANDLERS} == SPEC_EVENTS


def test_an_event_survives_the_round_trip_through_a_stored_row() -> None:
    event = ProductChanged(aggregate_id=str(uuid.uuid4()), change="updated", sku="MUG-1")
    restored = event_from_row(
        event_type=event.event_type,
        event_id=event.event_id,
        occurred_at=event.occurred_at,
        aggregate_id=event.aggregate_id,
        payload=event.payload(),
    )
    assert restored == event


def _placed() -> OrderPlaced:
    return OrderPlaced(
        aggregate_id=str(uuid.uuid4()),
        order_number="KG-1042",
        email="ann@example.com",
        customer_name="Ann",
        lines=(OrderLineSummary(name="Mug", sku="M-1", quantity=2, line_total=Decimal("25.00")),),
        currency="EUR",
        subtotal=Decimal("25.00"),
        shipping=Decimal("4.95"),
        tax=Decimal("0.00"),
        discount=Decimal("0.00"),
        total=Decimal("1029.95"),
    )


def test_amounts_travel_as_decimal_strings_with_their_currency() -> None:
    event = _placed()

    payload = event.payload()

    assert (payload["total"], payload["currency"]) == ("1029.95", "EUR")
    assert payload["lines"][0]["line_total"] == "25.00"
    restored = event_from_row(
        event_type=event.event_type,
        event_id=event.event_id,
        occurred_at=event.occurred_at,
        aggregate_id=event.aggregate_id,
        payload=payload,
    )
    assert restored == event
    assert restored.total == Decimal("1029.95")


def test_a_row_written_with_display_amounts_still_reads() -> None:
    # Rows recorded before events carried Decimals: "$1,234.50" and no currency.
    restored = event_from_row(
        event_type="PaymentRefunded",
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        aggregate_id="x",
        payload={
            "order_number": "KG-1042",
            "email": "ann@example.com",
            "customer_name": "Ann",
            "amount": "$1,234.50",
            "full_refund": False,
        },
    )

    assert isinstance(restored, PaymentRefunded)
    assert (restored.amount, restored.currency) == (Decimal("1234.50"), "USD")


def test_an_event_with_amounts_needs_its_currency() -> None:
    with pytest.raises(ValidationError, match="currency"):
        PaymentRefunded(
            aggregate_id="x",
            order_number="KG-1",
            email="ann@example.com",
            customer_name="Ann",
            amount=Decimal("1.00"),
            full_refund=True,
        )  # type: ignore[call-arg]


def test_events_are_immutable_and_strict() -> None:
    event = ProductChanged(aggregate_id="x", change="created", sku="A")
    with pytest.raises(ValidationError):
        event.sku = "B"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        ProductChanged(aggregate_id="x", change="renamed", sku="A")  # type: ignore[arg-type]


def test_handlers_are_found_by_event_type_name() -> None:
    assert handler_names_for("EmailVerificationRequested") == ["send_email_verification"]
    assert handler_names_for("ProductChanged") == [
        "update_search_index",
        "refresh_catalog_cache",
        "make_product_thumbnails",
        "deliver_to_webhooks",
        "tell_open_pages",
    ]
    assert handler_names_for("UserRegistered") == []
    assert handler_names_for("NoSuchEvent") == []


def test_retries_back_off_exponentially_with_a_cap() -> None:
    delays = [retry_delay_seconds(attempt) for attempt in (1, 2, 3, 4)]
    assert delays == [5.0, 10.0, 20.0, 40.0]
    assert retry_delay_seconds(30) == 600.0


async def test_a_job_that_cannot_reach_the_database_goes_back_to_the_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from arq import Retry
    from sqlalchemy.exc import OperationalError

    from jobs import events as event_jobs

    async def database_restarting(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))

    monkeypatch.setattr(event_jobs.deliveries, "start_delivery", database_restarting)
    with pytest.raises(Retry) as retry:
        await event_jobs.handle_event_job(
            {"job_try": 3}, str(uuid.uuid4()), "send_order_confirmation"
        )
    assert retry.value.defer_score == 6_000  # 2 s per try so far, in milliseconds
