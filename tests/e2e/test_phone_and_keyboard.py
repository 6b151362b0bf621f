"""The pages a shopper buys through, as a phone (390 px wide) and a keyboard get them.

A phone sees every page without sideways scrolling, the "Test mode" strip included; a
keyboard-only shopper reaches every checkout field, the "E-mail me about this cart" box
and the continue button with Tab alone, in reading order, and ticks the box with Space.
Screenshots go to var/test-results/.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.data import create_product
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import wait_until_loaded

PHONE = {"width": 390, "height": 844}


def page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_a_phone_buys_without_scrolling_sideways(page: Page, unique: str) -> None:
    page.set_viewport_size(PHONE)
    slug = create_product(f"ph{unique}", name=f"Pocket Lamp {unique}", price="24.00")
    buyer = Buyer(page)
    widths = {}
    page.goto("/")
    wait_until_loaded(page)
    expect(page.get_by_role("note", name="Test mode")).to_be_visible()
    # Each test's product has a category of its own: "1 product", never "1 products".
    expect(page.get_by_text("1 product", exact=True).first).to_be_visible()
    expect(page.get_by_text("1 products", exact=True)).to_have_count(0)
    widths["home"] = page_width(page)
    page.screenshot(path="var/test-results/phone-home.png")

    buyer.add_to_cart(slug)
    widths["product"] = page_width(page)
    page.screenshot(path="var/test-results/phone-product.png")

    buyer.open_checkout()
    expect(page.get_by_role("note", name="Test mode")).to_be_visible()
    widths["checkout"] = page_width(page)
    page.screenshot(path="var/test-results/phone-checkout.png", full_page=True)

    buyer.fill_details(email=f"phone-{unique}@example.com")
    widths["review"] = page_width(page)
    page.screenshot(path="var/test-results/phone-review.png", full_page=True)

    assert widths == dict.fromkeys(widths, PHONE["width"])


def test_a_keyboard_reaches_every_checkout_field_in_order(page: Page, unique: str) -> None:
    slug = create_product(f"kb{unique}", name=f"Key Tray {unique}", price="11.00")
    buyer = Buyer(page)
    buyer.add_to_cart(slug)
    buyer.open_checkout()

    email = page.get_by_label("E-mail", exact=True)
    email.focus()
    reached: list[str] = []
    for _ in range(30):  # the form has about a dozen stops; stop at its button
        name = page.evaluate(
            """() => {
                const el = document.activeElement;
                const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
                return (el.getAttribute('aria-label') || label || el.innerText || el.name || '')
                    .trim().split('\\n')[0];
            }"""
        )
        reached.append(name)
        if name == "Continue to review":
            break
        page.keyboard.press("Tab")

    box = page.get_by_role("checkbox", name="E-mail me about this cart")
    expected_order = ["E-mail", "E-mail me about this cart", "Full name", "Address", "City"]
    positions = [
        next((i for i, seen in enumerate(reached) if seen.startswith(label)), -1)
        for label in expected_order
    ]
    assert -1 not in positions, reached
    assert positions == sorted(positions), reached
    assert reached[-1] == "Continue to review", reached

    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.screenshot(path="var/test-results/keyboard-checkout.png", full_page=True)
