"""The merchant runs "20 % off Outerwear this weekend": the category page shows the sale
price with the old one struck through and a badge, the product page names the promotion,
and the cart, checkout and the order show and charge it. Deleted, prices are back and the
order keeps what it got."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from tests.e2e.data import PASSWORD, create_account, create_category, create_product
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.checkout import Buyer


def _new_promotion(page: Page, username: str) -> AdminDashboard:
    """An administrator signed in, with the promotion editor open on a new one."""
    admin = AdminDashboard(page).open_signed_in(
        create_account(username, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
    )
    admin.expect_signed_in()
    admin.go_to("Promotions")
    page.get_by_role("button", name="New promotion").click()
    return admin


def _delete_promotion(page: Page, admin: AdminDashboard, title: str) -> None:
    admin.open("/admin/promotions")
    page.get_by_role("button", name=f"Delete {title}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Promotion deleted")).to_be_visible()


def test_twenty_percent_off_outerwear_this_weekend(page: Page, base_url: str, unique: str) -> None:
    from backend.core.clock import utcnow, wall_clock_text, zone_named

    category = create_category(f"ow{unique}", name=f"Outerwear {unique}")
    coat = create_product(
        f"ow{unique}", name=f"Storm Coat {unique}", price="120.00", category_id=category
    )
    admin = _new_promotion(page, "pr" + unique)
    page.get_by_label("Title").fill(f"20 % off Outerwear {unique}")
    page.get_by_label("Percent off").fill("20")
    page.get_by_role("combobox", name="Covers").click()
    page.get_by_role("option", name="A category").click()
    page.get_by_role("combobox", name="Category").click()
    page.get_by_role("option", name=f"Outerwear {unique}").click()
    weekend_end = wall_clock_text(utcnow() + timedelta(days=2), zone_named("UTC"))
    page.get_by_label("Ends (UTC)").fill(weekend_end)
    page.screenshot(path="var/test-results/admin-promotion-editor.png", full_page=True)
    page.get_by_role("button", name="Save promotion").click()
    row = page.get_by_role("row", name=f"20 % off Outerwear {unique}")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text(f"Category: Outerwear {unique}")
    # What would a cart cost in an hour, and after the weekend?
    for hours, shown in ((1, "$96.00 (was $120.00)"), (72, "$120.00")):
        moment = wall_clock_text(utcnow() + timedelta(hours=hours), zone_named("UTC"))
        page.get_by_label("At (UTC)").fill(moment)
        page.get_by_label("SKUs, one per line, with a quantity").fill(f"E2E-ow{unique} 1")
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("row", name=re.compile(f"Storm Coat {unique}"))).to_contain_text(
            shown
        )

    buyer = Buyer(page)
    buyer.shop.open(f"/categories/outerwear-{unique}-ow{unique}")
    card = page.locator(".product-card", has=buyer.shop.product_link(f"Storm Coat {unique}"))
    expect(card).to_contain_text("$96.00")
    expect(card).to_contain_text("Was $120.00")
    expect(card.get_by_text("−20%", exact=True)).to_be_visible()
    page.screenshot(path="var/test-results/storefront-promotion-category.png")

    buyer.shop.open(f"/products/{coat}")
    expect(page.get_by_test_id("product-price")).to_have_text("$96.00")
    expect(page.get_by_text(f"20 % off Outerwear {unique}")).to_be_visible()
    # Crawlers and link previews read the sale too: the first HTML and its JSON-LD offer.
    first_html = httpx.get(f"{base_url}/products/{coat}").text
    assert "$96.00 (was $120.00)" in first_html
    assert '"price":"96.00"' in first_html

    buyer.add_to_cart(coat)
    buyer.shop.open("/cart")
    expect(page.get_by_test_id("subtotal")).to_have_text("$96.00")
    expect(page.get_by_text(f"20 % off Outerwear {unique}")).to_be_visible()
    page.screenshot(path="var/test-results/cart-promotion.png")
    buyer.open_checkout()
    buyer.fill_details(email=f"promo-{unique}@example.com")
    expect(page.get_by_text(f"20 % off Outerwear {unique}")).to_be_visible()
    buyer.pay("4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    expect(page.get_by_text(f"20 % off Outerwear {unique} (was $120.00)")).to_be_visible()
    order_url = page.url

    _delete_promotion(page, admin, f"20 % off Outerwear {unique}")
    buyer.shop.open(f"/products/{coat}")
    expect(page.get_by_test_id("product-price")).to_have_text("$120.00")
    page.goto(order_url)
    expect(page.get_by_text(f"20 % off Outerwear {unique} (was $120.00)")).to_be_visible()


def test_ten_percent_off_orders_over_an_amount(page: Page, unique: str) -> None:
    # Over $5,000 only, so the shop's other tests never reach it while it is live.
    chair = create_product(f"op{unique}", name=f"Designer Chair {unique}", price="6000.00")
    title = f"10 % off orders over $5,000 {unique}"
    admin = _new_promotion(page, "op" + unique)
    page.get_by_label("Title").fill(title)
    page.get_by_role("combobox", name="Applies to").click()
    page.get_by_role("option", name="The whole order").click()
    page.get_by_label("Percent off").fill("10")
    page.get_by_label("Minimum order").fill("5000")
    page.screenshot(path="var/test-results/admin-order-promotion.png", full_page=True)
    page.get_by_role("button", name="Save promotion").click()
    row = page.get_by_role("row", name=title)
    expect(row).to_contain_text("10 % off orders from $5,000.00")
    expect(row).to_contain_text("The whole order")

    buyer = Buyer(page)
    buyer.add_to_cart(chair)
    buyer.open_checkout()
    buyer.fill_details(email=f"order-promo-{unique}@example.com")
    summary_row = page.get_by_text(title)
    expect(summary_row).to_be_visible()
    expect(page.get_by_text("-$600.00")).to_be_visible()
    page.screenshot(path="var/test-results/checkout-order-promotion.png", full_page=True)
    buyer.pay("4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    expect(page.get_by_text(title)).to_be_visible()
    expect(page.get_by_text("−$600.00")).to_be_visible()

    _delete_promotion(page, admin, title)


def test_buy_two_mugs_get_the_cheaper_one_free(page: Page, unique: str) -> None:
    category = create_category(f"mb{unique}", name=f"Mugs {unique}")
    dear = create_product(
        f"mbd{unique}", name=f"Stoneware Mug {unique}", price="14.00", category_id=category
    )
    cheap = create_product(
        f"mbc{unique}", name=f"Enamel Mug {unique}", price="10.00", category_id=category
    )
    title = f"Mugs: buy 2, get 1 free {unique}"
    admin = _new_promotion(page, "mb" + unique)
    page.get_by_label("Title").fill(title)
    page.get_by_role("combobox", name="Applies to").click()
    page.get_by_role("option", name="Groups of items (multi-buy)").click()
    page.get_by_label("Percent off").fill("100")
    page.get_by_label("Items in a group").fill("2")
    page.get_by_label("Discounted items per group").fill("1")
    page.get_by_role("combobox", name="Covers").click()
    page.get_by_role("option", name="A category").click()
    page.get_by_role("combobox", name="Category").click()
    page.get_by_role("option", name=f"Mugs {unique}").click()
    page.screenshot(path="var/test-results/admin-multibuy-editor.png", full_page=True)
    page.get_by_role("button", name="Save promotion").click()
    row = page.get_by_role("row", name=title)
    expect(row).to_contain_text("Buy 2, get 1 free")
    expect(row).to_contain_text(f"Category: Mugs {unique}")

    buyer = Buyer(page)
    buyer.shop.open(f"/products/{cheap}")
    expect(page.get_by_role("group", name="Offers")).to_contain_text(title)
    page.screenshot(path="var/test-results/product-multibuy.png")
    buyer.add_to_cart(cheap)
    buyer.add_to_cart(dear)
    buyer.shop.open("/cart")
    expect(page.get_by_text(f"{title}: −$10.00")).to_be_visible()  # the cheaper one is free
    expect(page.get_by_test_id("subtotal")).to_have_text("$14.00")
    page.screenshot(path="var/test-results/cart-multibuy.png", full_page=True)
    buyer.open_checkout()
    buyer.fill_details(email=f"multibuy-{unique}@example.com")
    expect(page.get_by_text(title).first).to_be_visible()
    expect(page.get_by_text("-$10.00")).to_be_visible()
    page.screenshot(path="var/test-results/checkout-multibuy.png", full_page=True)
    buyer.pay("4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/orders/KG-"))
    expect(page.get_by_text(f"{title}: −$10.00")).to_be_visible()  # on the line
    expect(page.get_by_text("−$10.00", exact=True)).to_be_visible()  # the totals row
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="var/test-results/order-multibuy-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})

    _delete_promotion(page, admin, title)


def test_a_sale_on_products_chosen_by_sku(page: Page, unique: str) -> None:
    lamp = create_product(f"cp{unique}", name=f"Brass Lamp {unique}", price="80.00")
    title = f"Lamp week {unique}"
    admin = _new_promotion(page, "cp" + unique)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Percent off").fill("25")
    page.get_by_role("combobox", name="Covers").click()
    page.get_by_role("option", name="Chosen products").click()
    skus = page.get_by_label("Products, one SKU per line")
    skus.fill(f"E2E-cp{unique}\nNO-SUCH-{unique}")
    page.get_by_role("button", name="Save promotion").click()
    expect(skus).to_have_accessible_description(f"No product has the SKU NO-SUCH-{unique}")
    skus.fill(f"e2e-cp{unique}")  # SKUs in any case
    page.get_by_role("button", name="Save promotion").click()
    row = page.get_by_role("row", name=title)
    expect(row).to_contain_text("Chosen products")

    Buyer(page).shop.open(f"/products/{lamp}")
    expect(page.get_by_test_id("product-price")).to_have_text("$60.00")
    expect(page.get_by_text(title)).to_be_visible()

    _delete_promotion(page, admin, title)
