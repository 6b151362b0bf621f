"""A shopper pays and downloads the invoice from the order page: a PDF whose text names
the invoice number, the product and the total; staff find the same link on the order."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import HYDRATION_TIMEOUT_MS, wait_until_loaded

INVOICE_LINK = re.compile(r"Invoice INV-\d{4}-\d{5} \(PDF\)")


def _invoice_link_after_reloads(page: Page) -> None:
    """The worker writes the invoice just after the payment: reload until it is listed."""
    link = page.get_by_role("link", name=INVOICE_LINK)
    for _ in range(20):
        if link.count():
            return
        page.wait_for_timeout(500)
        page.reload()
        wait_until_loaded(page)
    expect(link).to_be_visible(timeout=HYDRATION_TIMEOUT_MS)


def test_the_invoice_is_downloaded_from_the_order_page(
    page: Page, unique: str, tmp_path: Path
) -> None:
    from tests.e2e.data import create_product

    lamp = create_product(f"iv{unique}", name=f"Reading Lamp {unique}", price="64.00")
    buyer = Buyer(page)
    buyer.add_to_cart(lamp)
    buyer.open_checkout()
    buyer.fill_details(email=f"invoice-{unique}@example.com")
    buyer.pay("4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    number = page.url.rstrip("/").rpartition("/")[2].partition("?")[0]
    total = page.get_by_test_id("order-total").inner_text()

    _invoice_link_after_reloads(page)
    page.screenshot(path="var/test-results/order-invoice.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name=INVOICE_LINK).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    assert re.fullmatch(r"INV-\d{4}-\d{5}\.pdf", saved.name)
    text = "\n".join(page_.extract_text() for page_ in PdfReader(saved).pages)
    assert f"Invoice {saved.stem}" in text
    assert f"Reading Lamp {unique}" in text
    assert number in text
    assert total in text
