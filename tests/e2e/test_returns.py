"""A shopper returns part of a delivered order; an admin approves it, receives the parcel
and refunds it; the refund shows on the order and every step reaches the shopper by
e-mail."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from backend.accounts.permissions import DefaultGroup
from backend.accounts.roles import RoleName
from tests.e2e.data import (
    PASSWORD,
    create_account,
    create_jacket,
    create_product,
    place_order_for,
    run,
)
from tests.e2e.mail import wait_for_mail
from tests.e2e.pages.admin import AdminDashboard
from tests.e2e.pages.returns import OrderReturns
from tests.e2e.pages.storefront import Storefront, wait_until_loaded
from tests.fixtures.mail import SmtpServer


def deliver(number: str, *, days_ago: int = 0) -> None:
    """Staff ship and deliver the order (through the services: not the flow under test)."""
    from backend.orders import fulfilment
    from backend.orders import queries as order_queries
    from tests.fixtures.accounts import catalog_manager

    async def ship_and_deliver() -> None:
        order = await order_queries.get_order(number)
        staff = await catalog_manager()
        await fulfilment.fulfil_order(order.id, carrier="UPS", tracking_number="1Z", actor=staff)
        await fulfilment.mark_delivered(order.id, actor=staff)
        if days_ago:
            from sqlalchemy import text

            from backend.core.db import session_scope

            async with session_scope() as session:
                await session.exec(  # type: ignore[call-overload]
                    text(
                        "UPDATE order_status_history SET created_at = now() - "
                        "make_interval(days => :days) WHERE order_id = :order"
                    ),
                    params={"days": days_ago, "order": order.id},
                )

    run(ship_and_deliver)


def test_a_returned_item_is_approved_received_and_refunded(
    page: Page, browser: object, unique: str, mailbox: SmtpServer
) -> None:
    email = create_account(f"r{unique}", roles=frozenset({RoleName.USER}))
    name = f"Return Kettle {unique}"
    kettle = create_product(f"k{unique}", name=name, price="45.00")
    number, _ = place_order_for(email, kettle, paid=True, quantity=2)  # 90.00, free shipping
    deliver(number)

    shop = Storefront(page).open_signed_in(email, PASSWORD, f"/orders/{number}")
    returns = OrderReturns(page)
    expect(returns.heading).to_be_visible()
    form = returns.open_form()
    form.submit.click()  # nothing chosen yet
    expect(page.get_by_text("Choose at least one item to return.")).to_be_visible()
    expect(page.get_by_text("Choose a reason.")).to_be_visible()
    form.choose_quantity(name, 1)
    form.choose_reason("Does not fit")
    form.comment.fill("<b>Too big</b> for my stove.")
    page.screenshot(path="var/test-results/return-form.png", full_page=True)
    form.submit.click()

    expect(page).to_have_url(re.compile(rf"/orders/{number}\?return=RT-"))
    return_number = page.url.rsplit("=", 1)[1]
    expect(page.get_by_role("status")).to_contain_text(f"Return {return_number} requested")
    expect(returns.status_of(return_number)).to_have_text("requested, awaiting review")
    expect(returns.card(return_number)).to_contain_text(f"1 × {name}")
    expect(returns.card(return_number)).to_contain_text("<b>Too big</b> for my stove.")  # as text
    expect(page.get_by_label("Order timeline")).to_contain_text("Return requested")
    page.screenshot(path="var/test-results/return-requested-order.png", full_page=True)

    staff = browser.new_page(base_url=page.url.split("/orders")[0])  # type: ignore[attr-defined]
    try:
        admin = AdminDashboard(staff).open_signed_in(
            create_account("ra" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
        )
        admin.go_to("Returns")
        expect(staff.get_by_role("heading", name="Returns", level=1)).to_be_visible()
        row = staff.get_by_role("row").filter(has_text=return_number)
        expect(row).to_contain_text("Does not fit")
        staff.screenshot(path="var/test-results/admin-returns.png", full_page=True)
        row.get_by_role("link", name=number).click()
        expect(staff.get_by_role("heading", name=f"Order {number}")).to_be_visible()

        on_order = OrderReturns(staff)
        staff.get_by_role("button", name="Approve return").click()
        expect(on_order.status_of(return_number)).to_have_text("approved, awaiting the parcel")
        staff.get_by_role("button", name="Mark received").click()
        expect(on_order.status_of(return_number)).to_have_text("received, refund on its way")
        expect(staff.get_by_label("Refund amount")).to_have_value("45.00")
        staff.screenshot(path="var/test-results/admin-order-return.png", full_page=True)
        staff.get_by_role("button", name="Refund return").click()
        expect(on_order.status_of(return_number)).to_have_text("refunded")
        expect(staff.get_by_text("Payment: partially refunded")).to_be_visible()
        expect(staff.get_by_label("Order timeline")).to_contain_text(
            f"Refunded $45.00 (Return {return_number})"
        )
        staff.screenshot(path="var/test-results/admin-order-refunded.png", full_page=True)
    finally:
        staff.close()

    shop.open(f"/orders/{number}")
    expect(returns.status_of(return_number)).to_have_text("refunded")
    expect(returns.card(return_number)).to_contain_text("Refunded $45.00")
    expect(page.get_by_text("−$45.00")).to_be_visible()  # the order's totals: refunded
    page.screenshot(path="var/test-results/return-refunded-order.png", full_page=True)

    # Confirmation, payment, shipped, then one e-mail per return step.
    wait_for_mail(mailbox, email, count=7, within=30)
    subjects = [message["Subject"] for message in mailbox.handler.to(email)]
    assert f"Return {return_number} requested for order {number}" in subjects
    assert f"Return {return_number} approved: please send the items back" in subjects
    assert f"We received your return {return_number}" in subjects
    assert f"Refund of $45.00 for order {number}" in subjects
    assert len(subjects) == 7


def test_after_the_return_window_the_shopper_is_told_why_not(page: Page, unique: str) -> None:
    email = create_account(f"w{unique}", roles=frozenset({RoleName.USER}))
    slug = create_product(f"w{unique}", name=f"Late Lamp {unique}", price="20.00")
    number, _ = place_order_for(email, slug, paid=True)
    deliver(number, days_ago=31)

    shop = Storefront(page).open_signed_in(email, PASSWORD, f"/orders/{number}")
    returns = OrderReturns(page)
    expect(returns.refusal).to_have_text("The 30-day return window of this order has passed.")
    expect(returns.return_items).to_have_count(0)
    shop.open(f"/orders/{number}/return")  # straight to the form: the same answer
    expect(page.get_by_role("status")).to_contain_text("return window of this order has passed")
    expect(page.get_by_role("button", name="Request return")).to_have_count(0)
    page.screenshot(path="var/test-results/return-window-passed.png", full_page=True)


def test_a_shopper_swaps_a_size_and_pays_the_difference_on_the_exchange_order(
    page: Page, browser: object, unique: str, mailbox: SmtpServer
) -> None:
    email = create_account(f"x{unique}", roles=frozenset({RoleName.USER}))
    slug, sizes = create_jacket(f"x{unique}")
    name = f"Storm Jacket x{unique}"
    number, _ = place_order_for(email, slug, paid=True, variant_id=sizes["Navy / M"])
    deliver(number)

    shop = Storefront(page).open_signed_in(email, PASSWORD, f"/orders/{number}")
    returns = OrderReturns(page)
    form = returns.open_form()
    form.choose_quantity(f"{name} (Navy / M)", 1)
    form.choose_exchange(f"{name} (Navy / M)", "Exchange for Navy / L ($90.00)")
    form.choose_reason("Does not fit")
    page.screenshot(path="var/test-results/return-exchange-form.png", full_page=True)
    form.submit.click()

    expect(page).to_have_url(re.compile(rf"/orders/{number}\?return=RT-"))
    return_number = page.url.rsplit("=", 1)[1]
    card = returns.card(return_number)
    expect(card).to_contain_text(f"1 × {name} (Navy / M), exchanged for {name} (Navy / L)")

    staff = browser.new_page(base_url=page.url.split("/orders")[0])  # type: ignore[attr-defined]
    try:
        admin = AdminDashboard(staff).open_signed_in(
            create_account("xa" + unique, roles=frozenset({DefaultGroup.ADMINISTRATORS})), PASSWORD
        )
        admin.expect_signed_in()
        staff.goto(f"/admin/orders/{number}")
        staff.get_by_role("button", name="Approve and send the exchange").click()
        on_order = OrderReturns(staff)
        expect(on_order.status_of(return_number)).to_have_text("approved, awaiting the parcel")
        expect(on_order.card(return_number)).to_contain_text(
            "awaiting payment: the customer owes $10.00"
        )
        staff.screenshot(path="var/test-results/admin-return-exchange.png", full_page=True)
        exchange_number = on_order.card(return_number).get_by_role("link").inner_text()
    finally:
        staff.close()

    shop.open(f"/orders/{number}")
    expect(card).to_contain_text(f"Your exchange is sent as order {exchange_number}")
    expect(card).to_contain_text("Pay the price difference of $10.00 on it")
    page.screenshot(path="var/test-results/return-exchange-order-page.png", full_page=True)
    card.get_by_role("link", name=exchange_number).click()
    expect(page.get_by_role("heading", name=f"Order {exchange_number}")).to_be_visible()
    expect(page.get_by_text("Exchange credit: return " + return_number)).to_be_visible()
    wait_until_loaded(page)
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay $10.00").click()
    expect(page.get_by_text("Payment: paid")).to_be_visible()
    page.screenshot(path="var/test-results/return-exchange-paid.png", full_page=True)

    # Besides the first order's three: requested, approved, the exchange order's
    # confirmation, its payment link, then its payment.
    wait_for_mail(mailbox, email, count=8, within=30)
    subjects = [message["Subject"] for message in mailbox.handler.to(email)]
    assert f"Return {return_number} approved: please send the items back" in subjects
    assert any(s.startswith("Pay for") and s.endswith(exchange_number) for s in subjects)
