"""Gift cards as people use them: the merchant issues one to a customer by e-mail, the
customer pays part of an order with it and the rest by card, and the balance page and the
admin's ledger show what is left; a card holding enough pays a whole order with no card."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.giftcards import codes
from tests.e2e.data import PASSWORD, create_account, create_product, issue_gift_card
from tests.e2e.mail import wait_for_mail
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer
from tests.e2e.pages.storefront import wait_until_loaded
from tests.fixtures.mail import SmtpServer


def _code_in(text: str) -> str:
    match = re.search(r"Your gift card code: (\S+)", text)
    assert match is not None, text
    assert codes.looks_like_a_code(match.group(1))
    return match.group(1)


def test_a_card_e_mailed_by_the_shop_pays_part_of_an_order_and_keeps_the_rest(
    page: Page, mailbox: SmtpServer, unique: str
) -> None:
    lamp = create_product(f"gc{unique}", name=f"Desk Lamp {unique}", price="40.00")
    friend = f"friend-{unique}@example.com"
    admin = AdminDashboard(page).open_signed_in(
        create_account("gc" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.expect_signed_in()
    admin.go_to("Gift cards")
    page.get_by_label("Amount").fill("60")
    page.get_by_label("Recipient's e-mail").fill(friend)
    page.get_by_label("Recipient's name").fill("Robin")
    page.get_by_label("From", exact=True).fill("Kestrel Goods")
    page.get_by_label("Message to the recipient").fill("Sorry about the late parcel!")
    page.get_by_role("button", name="Issue gift card").click()
    expect(page.get_by_text(f"it is e-mailed to {friend}")).to_be_visible()
    page.screenshot(path="var/test-results/admin-gift-cards.png", full_page=True)

    message = wait_for_mail(mailbox, friend)
    assert message["Subject"] == "Kestrel Goods sent you $60.00 gift card for Kestrel Goods"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Sorry about the late parcel!" in text
    code = _code_in(text)

    buyer = Buyer(page)
    buyer.add_to_cart(lamp)
    buyer.add_to_cart(lamp)  # 80.00: more than the card holds
    buyer.open_checkout()
    buyer.fill_details(email=friend, **{"Gift card code (optional)": code.lower()})
    last_four = code[-4:]
    expect(page.get_by_text(f"Gift card •••• {last_four}")).to_be_visible()
    expect(page.get_by_text("−$60.00")).to_be_visible()
    page.screenshot(path="var/test-results/checkout-gift-card.png", full_page=True)
    pay = page.get_by_role("button", name=re.compile(r"Place order and pay \$2\d\.\d\d"))
    expect(pay).to_be_visible()  # the rest: 20.00 and the shipping
    buyer.pay("4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    expect(page.get_by_text("Paid by gift card", exact=True)).to_be_visible()
    expect(page.get_by_text("−$60.00")).to_be_visible()

    buyer.shop.open("/gift-cards/balance")
    page.get_by_label("Gift card code").fill(code)
    page.get_by_role("button", name="Check balance").click()
    expect(page.get_by_text("Balance $0.00")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Paid for an order"))).to_contain_text("−$60.00")
    expect(page.get_by_label("Gift card code")).to_have_value("")  # the code is not kept
    page.screenshot(path="var/test-results/gift-card-balance.png", full_page=True)

    admin.open("/admin/gift-cards")
    page.get_by_role("button", name=f"Open gift card •••• {last_four}").click()
    ledger = page.get_by_role("heading", name="Ledger")
    expect(ledger).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Paid for an order"))).to_contain_text("−$60.00")
    page.get_by_label("Adjust by").fill("15")
    page.get_by_label("Reason").fill("Goodwill")
    page.get_by_role("button", name="Adjust balance").click()
    expect(page.get_by_text("the card now holds $15.00")).to_be_visible()


def test_a_card_holding_enough_pays_the_whole_order_without_a_card_payment(
    page: Page, unique: str
) -> None:
    mug = create_product(f"gw{unique}", name=f"Mug {unique}", price="12.00")
    code = issue_gift_card("100")
    buyer = Buyer(page)
    buyer.add_to_cart(mug)
    buyer.open_checkout()
    buyer.fill_details(email=f"whole-{unique}@example.com", **{"Gift card code (optional)": code})
    expect(page.get_by_text("Your gift card pays for the whole order.")).to_be_visible()
    expect(page.get_by_label("Card number")).to_have_count(0)
    page.get_by_role("button", name="Place order", exact=True).click()
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    wait_until_loaded(page)
    expect(page.get_by_text("Paid by gift card", exact=True)).to_be_visible()
    buyer.expect_cart_count(0)


def test_a_gift_card_bought_in_the_shop_is_e_mailed_and_spent(
    page: Page, mailbox: SmtpServer, unique: str
) -> None:
    vase = create_product(f"gb{unique}", name=f"Vase {unique}", price="30.00")
    friend = f"robin-{unique}@example.com"
    buyer = Buyer(page)
    buyer.shop.open("/gift-cards")
    page.get_by_role("radio", name="$50.00").check()
    page.get_by_label("Recipient's e-mail").fill(friend)
    page.get_by_label("Recipient's name").fill("Robin")
    page.get_by_label("Your name").fill("Sam")
    page.get_by_label("Message").fill("Happy birthday!")
    page.screenshot(path="var/test-results/gift-cards-shop.png", full_page=True)
    page.get_by_role("button", name="Add gift card to cart").click()
    expect(page.get_by_text("Added a gift card to your cart.").first).to_be_visible()
    buyer.expect_cart_count(1)

    buyer.shop.open("/cart")
    expect(page.get_by_text("Gift card for Robin")).to_be_visible()
    expect(page.get_by_text(f"E-mailed to {friend} once paid")).to_be_visible()
    page.screenshot(path="var/test-results/cart-gift-card.png", full_page=True)
    buyer.open_checkout()
    expect(page.get_by_text("No shipping: gift cards are e-mailed")).to_be_visible()
    buyer.fill_details(email=f"sam-{unique}@example.com")
    expect(page.get_by_role("button", name="Place order and pay $50.00")).to_be_visible()
    buyer.pay("4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    expect(page.get_by_text("Gift card (Robin / once paid)")).to_be_visible()

    message = wait_for_mail(mailbox, friend)
    assert message["Subject"] == "Sam sent you $50.00 gift card for Kestrel Goods"
    code = _code_in(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]

    buyer.add_to_cart(vase)
    buyer.open_checkout()
    buyer.fill_details(email=friend, **{"Gift card code (optional)": code})
    page.get_by_role("button", name="Place order", exact=True).click()
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    wait_until_loaded(page)
    expect(page.get_by_text("Paid by gift card", exact=True)).to_be_visible()

    buyer.shop.open("/gift-cards/balance")
    page.get_by_label("Gift card code").fill(code)
    page.get_by_role("button", name="Check balance").click()
    expect(
        page.get_by_text(re.compile(r"^Balance \$1\d\.\d\d$"))
    ).to_be_visible()  # 50 − 30 − shipping
