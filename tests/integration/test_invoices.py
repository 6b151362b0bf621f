"""Invoices and credit notes: one invoice per paid order with what was sold, numbered
without gaps even when 50 payments are invoiced at once, a credit note per refund,
readable PDFs behind links that only the shop can sign, and an erased buyer."""

from __future__ import annotations

import asyncio
import io
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader
from sqlmodel import col, select

from api.document_routes import router as document_router
from backend.accounts import authentication
from backend.accounts.schemas import Viewer
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.invoices import numbering, pdf
from backend.invoices import services as invoices
from backend.invoices.download_links import download_path
from backend.invoices.models import Document
from backend.invoices.queries import documents_of_order
from backend.observability.logging_setup import configure_logging
from backend.orders.models import Order
from backend.orders.services import PlacedOrder
from backend.payments import refunds as payment_refunds
from backend.payments import services as payments
from backend.payments import test_gateway as cards
from backend.shop_settings import services as shop_settings
from backend.shop_settings.services import StoreSettingsInput
from backend.shop_settings.values import store_settings
from tests.fixtures.accounts import MakeUser
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder, tab_that_placed
from tests.fixtures.mail import SmtpServer
from tests.integration.test_api_cart_orders import ADDRESS, with_key
from tests.integration.test_api_products import api, bearer

__all__ = ["api"]


async def _paid(
    place_order: PlaceOrder, product: uuid.UUID, quantity: int = 1, **details: object
) -> PlacedOrder:
    placed = await place_order({product: quantity}, **details)
    await payments.pay_order(
        placed.id,
        shopper=tab_that_placed(placed.id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    return placed


@pytest.fixture
def shop_logging() -> Iterator[list[logging.LogRecord]]:
    """The shop's logging set up as its processes do; yields the records its lines get."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    configure_logging()
    records: list[logging.LogRecord] = []
    catcher = logging.Handler()
    catcher.emit = records.append  # type: ignore[method-assign]
    root.addHandler(catcher)
    try:
        yield records
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


def pdf_text(document: Document) -> str:
    reader = PdfReader(io.BytesIO(pdf.render(document)))
    return "\n".join(page.extract_text() for page in reader.pages)


async def test_an_invoice_is_written_without_a_log_line(
    make_product: MakeProduct, place_order: PlaceOrder, shop_logging: list[logging.LogRecord]
) -> None:
    """Subsetting its font logged a dozen INFO lines per PDF: the worker's log was mostly
    that."""
    placed = await _paid(place_order, await make_product())
    invoice = await invoices.issue_invoice(placed.number)
    shop_logging.clear()

    assert invoice.number in pdf_text(invoice)
    assert [record.getMessage() for record in shop_logging] == []


async def test_a_paid_order_gets_one_invoice_with_what_was_sold(
    make_product: MakeProduct, place_order: PlaceOrder, admin_viewer: Viewer, unique: str
) -> None:
    before = await store_settings()
    legal = {"legal_name": f"Kestrel Goods {unique} GmbH", "vat_number": "DE123456789"}
    await shop_settings.update_store_settings(
        StoreSettingsInput(**(before.__dict__ | legal)), actor=admin_viewer
    )
    try:
        await _check_one_invoice(make_product, place_order, unique)
    finally:
        await shop_settings.update_store_settings(
            StoreSettingsInput(**before.__dict__), actor=admin_viewer
        )


async def _check_one_invoice(
    make_product: MakeProduct, place_order: PlaceOrder, unique: str
) -> None:
    product = await make_product(name=f"Invoice Lamp {unique}", price=Decimal("40.00"))
    unpaid = await place_order({product: 1})
    with pytest.raises(InvalidInputError, match="not paid"):
        await invoices.issue_invoice(unpaid.number)

    placed = await _paid(place_order, product, quantity=2)
    invoice = await invoices.issue_invoice(placed.number)
    again = await invoices.issue_invoice(placed.number)

    assert again.id == invoice.id  # one per order, whatever runs again
    assert invoice.number == numbering.document_number("invoice", invoice.year, invoice.sequence)
    assert (invoice.total, invoice.subtotal) == (placed.total, Decimal("80.00"))
    assert invoice.lines[0]["quantity"] == 2
    text = pdf_text(invoice)
    for expected in (
        f"Invoice {invoice.number}",
        f"Kestrel Goods {unique} GmbH",
        "VAT number: DE123456789",
        f"Invoice Lamp {unique}",
        placed.number,
        f"${placed.total}",
    ):
        assert expected in text, expected
    assert [d.number for d in await documents_of_order(placed.id)] == [invoice.number]


async def test_fifty_payments_invoiced_at_once_are_numbered_without_gaps(
    make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    product = await make_product(price=Decimal("5.00"), stock_quantity=100)
    orders = [await _paid(place_order, product) for _ in range(50)]

    issued = await asyncio.gather(*(invoices.issue_invoice(o.number) for o in orders))

    sequences = sorted(document.sequence for document in issued)
    assert sequences == list(range(sequences[0], sequences[0] + 50))  # consecutive, once each
    assert len({document.order_id for document in issued}) == 50


async def test_a_number_not_used_is_given_back() -> None:
    """A document whose transaction fails leaves no gap: its number goes to the next."""
    year = 2099  # a year no other test numbers documents in
    taken: list[int] = []

    class AbandonedError(Exception):
        pass

    async def take_then_fail() -> None:
        async with session_scope() as session:
            taken.append(await numbering.take(session, "credit_note", year))
            raise AbandonedError

    with pytest.raises(AbandonedError):
        await take_then_fail()
    async with session_scope() as session:
        assert await numbering.take(session, "credit_note", year) == taken[0]


async def test_a_refund_gets_a_credit_note_correcting_the_invoice(
    make_product: MakeProduct, place_order: PlaceOrder, admin_viewer: Viewer
) -> None:
    product = await make_product(price=Decimal("30.00"))
    placed = await _paid(place_order, product)
    await payment_refunds.refund_order(
        placed.id, amount=Decimal("10.00"), request_key="cn", actor="t", by=admin_viewer
    )

    note = await invoices.issue_credit_note(
        placed.number, amount=Decimal("10.00"), reason="Scratched", reference="refund-event-1"
    )
    again = await invoices.issue_credit_note(
        placed.number, amount=Decimal("10.00"), reason="Scratched", reference="refund-event-1"
    )

    assert again.id == note.id  # one per refund
    invoice = await invoices.issue_invoice(placed.number)
    assert (note.kind, note.total, note.corrects) == (
        "credit_note",
        Decimal("10.00"),
        invoice.number,
    )
    assert note.number.startswith(f"CN-{note.year}-")
    text = pdf_text(note)
    assert f"Credit note {note.number}" in text
    assert f"Corrects invoice: {invoice.number}" in text
    assert [d.kind for d in await documents_of_order(placed.id)] == ["invoice", "credit_note"]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.include_router(document_router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
        yield client


async def test_the_pdf_is_downloaded_only_with_a_link_the_shop_signed(
    client: httpx.AsyncClient, make_product: MakeProduct, place_order: PlaceOrder
) -> None:
    placed = await _paid(place_order, await make_product(price=Decimal("12.00")))
    invoice = await invoices.issue_invoice(placed.number)

    response = await client.get(download_path(invoice.number))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers["cache-control"]
    assert f'filename="{invoice.number}.pdf"' in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")

    other = await invoices.issue_invoice(
        (await _paid(place_order, await make_product(price=Decimal("3.00")))).number
    )
    token = download_path(invoice.number).partition("token=")[2]
    refused = [
        f"/documents/{invoice.number}.pdf",  # no token
        f"/documents/{other.number}.pdf?token={token}",  # another document's link
        f"/documents/{invoice.number}.pdf?token={token[:-2]}xy",  # altered
        download_path(invoice.number, ttl=timedelta(seconds=-1)),  # expired
    ]
    for path in refused:
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert b"%PDF" not in answer.content


async def test_an_erased_buyer_leaves_the_invoice_without_a_name(
    make_product: MakeProduct, place_order: PlaceOrder, admin_viewer: Viewer
) -> None:
    from backend.invoices.erasure import forget_buyers

    placed = await _paid(place_order, await make_product(price=Decimal("8.00")))
    invoice = await invoices.issue_invoice(placed.number)
    async with session_scope() as session:
        await forget_buyers(session, [placed.id])
    async with session_scope() as session:
        kept = (await session.exec(select(Document).where(col(Document.id) == invoice.id))).one()
    assert kept.buyer == {
        "name": "[erased]",
        "email": "erased@invalid",
        "country": invoice.buyer["country"],
    }
    assert kept.number == invoice.number


async def test_the_payment_email_carries_the_invoice(
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    make_product: MakeProduct,
    place_order: PlaceOrder,
    unique: str,
) -> None:
    from backend.orders.events import OrderPaid
    from backend.settings import get_settings
    from jobs.event_handlers.order_emails import send_payment_received

    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    get_settings.cache_clear()
    try:
        email = f"paid-{unique}@example.com"
        placed = await _paid(place_order, await make_product(price=Decimal("21.00")), email=email)
        async with session_scope() as session:
            order = await session.get(Order, placed.id)
        assert order is not None
        event = OrderPaid.of(order, order.total)
        await send_payment_received(event)
        await send_payment_received(event)  # a retry: one e-mail
    finally:
        monkeypatch.delenv("SMTP_URL")
        get_settings.cache_clear()

    [message] = smtp_server.handler.to(email)
    invoice = await invoices.issue_invoice(placed.number)
    [attached] = list(message.iter_attachments())
    assert attached.get_filename() == f"{invoice.number}.pdf"
    assert attached.get_content_type() == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(attached.get_content())).pages)
    assert f"Invoice {invoice.number}" in text
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert f"Your invoice {invoice.number} is attached" in body.get_content()


async def test_the_refund_email_carries_its_credit_note(
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    make_product: MakeProduct,
    place_order: PlaceOrder,
    unique: str,
) -> None:
    from backend.payments.events import PaymentRefunded
    from backend.settings import get_settings
    from jobs.event_handlers.invoicing import issue_credit_note
    from jobs.event_handlers.order_emails import send_refund_issued

    email = f"refunded-{unique}@example.com"
    placed = await _paid(place_order, await make_product(price=Decimal("30.00")), email=email)
    event = PaymentRefunded(
        aggregate_id=str(placed.id),
        order_number=placed.number,
        email=email,
        customer_name="Ada Buyer",
        amount=Decimal("7.50"),
        currency="USD",
        full_refund=False,
        reason="Return RT-1",
    )
    monkeypatch.setenv("SMTP_URL", smtp_server.url)
    get_settings.cache_clear()
    try:
        await send_refund_issued(event)
        await issue_credit_note(event)  # its own handler, after: the same note
    finally:
        monkeypatch.delenv("SMTP_URL")
        get_settings.cache_clear()

    [message] = smtp_server.handler.to(email)
    [attached] = list(message.iter_attachments())
    [invoice, note] = await documents_of_order(placed.id)
    assert (invoice.kind, note.kind, note.total) == ("invoice", "credit_note", Decimal("7.50"))
    assert attached.get_filename() == f"{note.number}.pdf"


async def test_the_api_lists_an_orders_documents_for_its_owner_and_admins(
    api: httpx.AsyncClient,
    shopper_viewer: Viewer,
    admin_viewer: Viewer,
    make_user: MakeUser,
    make_product: MakeProduct,
) -> None:
    product = await make_product(price=Decimal("19.00"))
    shopper = await bearer(shopper_viewer)
    await api.post("/cart/items", json={"product_id": str(product), "quantity": 1}, headers=shopper)
    placed = await api.post("/orders", json=ADDRESS, headers=with_key(shopper))
    assert placed.status_code == 201, placed.text
    number = placed.json()["number"]
    assert (await api.get(f"/orders/{number}/documents", headers=shopper)).json() == []
    async with session_scope() as session:
        order_id = (await session.exec(select(Order.id).where(Order.number == number))).one()
    await payments.pay_order(
        order_id,
        shopper=tab_that_placed(order_id),
        payment_method=cards.SUCCEEDS,
        attempt_key=uuid.uuid4().hex,
    )
    invoice = await invoices.issue_invoice(number)

    for headers in (shopper, await bearer(admin_viewer)):
        [listed] = (await api.get(f"/orders/{number}/documents", headers=headers)).json()
        assert (listed["number"], listed["kind"], listed["total"]) == (
            invoice.number,
            "invoice",
            str(invoice.total),
        )
        assert f"/documents/{invoice.number}.pdf?token=" in listed["pdf_url"]
    stranger = await make_user()
    other = await bearer(
        (await authentication.sign_in(email=stranger.email, password=stranger.password)).viewer
    )
    assert (await api.get(f"/orders/{number}/documents", headers=other)).status_code == 404
    assert (await api.get(f"/orders/{number}/documents")).status_code == 401
