"""The checkout page: the details form (contact, address, shipping), the review with totals,
and the payment step (test cards or Stripe's card field) (state: checkout.py)."""

from __future__ import annotations

import reflex as rx

from backend.settings import get_settings
from storefront.components.layout import shop_page
from storefront.pages.checkout import (
    CheckoutState,
)
from ui.forms import form_alert, labelled_input, labelled_select
from ui.order_summary import order_summary


def _field(label: str, name: str, **props: object) -> rx.Component:
    return labelled_input(
        label,
        name,
        CheckoutState.errors.get(name, ""),
        default_value=CheckoutState.form[name],
        **props,
    )


def _details_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_alert(CheckoutState.message),
            rx.heading("Contact", size="4", as_="h2"),
            _field(
                "E-mail",
                "email",
                type="email",
                auto_complete="email",
                on_blur=CheckoutState.remember_email,
            ),
            rx.cond(
                CheckoutState.signed_in,
                rx.text(
                    "If you leave before paying, we may send one reminder about your cart "
                    "(you can turn reminders off on your account page).",
                    size="1",
                    color_scheme="gray",
                ),
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            # Not controlled: it ticks at once; the server hears of it.
                            default_checked=CheckoutState.cart_reminders,
                            on_change=CheckoutState.set_cart_reminders,
                        ),
                        rx.text("E-mail me about this cart", size="2"),
                        rx.text(
                            "· one reminder if I leave before paying",
                            size="1",
                            color_scheme="gray",
                        ),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                ),
            ),
            rx.heading("Shipping address", size="4", as_="h2"),
            rx.cond(
                CheckoutState.saved_addresses.length() > 0,
                rx.select.root(
                    rx.select.trigger(
                        placeholder="Use a saved address",
                        aria_label="Use a saved address",
                        width="100%",
                    ),
                    rx.select.content(
                        rx.foreach(
                            CheckoutState.saved_addresses,
                            lambda a: rx.select.item(a.label, value=a.id),
                        )
                    ),
                    on_change=CheckoutState.use_address,
                ),
            ),
            _field("Full name", "full_name", auto_complete="name"),
            _field("Address", "line1", auto_complete="address-line1"),
            _field("Apartment, suite (optional)", "line2", auto_complete="address-line2"),
            rx.grid(
                _field(
                    "Postal code",
                    "postal_code",
                    auto_complete="postal-code",
                    on_blur=lambda value: CheckoutState.address_typed("postal_code", value),
                ),
                _field("City", "city", auto_complete="address-level2"),
                columns="2",
                spacing="3",
                width="100%",
            ),
            _field(
                "State / region (optional)",
                "region",
                auto_complete="address-level1",
                on_blur=lambda value: CheckoutState.address_typed("region", value),
            ),
            labelled_select(
                "Country",
                "country",
                CheckoutState.countries,
                value=CheckoutState.form["country"],
                error=CheckoutState.errors.get("country", ""),
                on_change=CheckoutState.choose_country,
            ),
            _field("Phone (optional)", "phone", auto_complete="tel", type="tel"),
            rx.heading("Shipping method", size="4", as_="h2"),
            rx.cond(
                CheckoutState.errors.get("shipping_method", "") != "",
                rx.text(
                    CheckoutState.errors.get("shipping_method", ""),
                    color_scheme="tomato",
                    size="2",
                ),
            ),
            rx.radio_group.root(
                rx.vstack(
                    rx.foreach(
                        CheckoutState.shipping_choices,
                        lambda choice: rx.el.label(
                            rx.hstack(
                                rx.radio_group.item(value=choice[0]),
                                rx.text(choice[1]),
                                spacing="2",
                            ),
                        ),
                    ),
                ),
                name="shipping_method",
                # Controlled: the choices change with the country, and so may the choice.
                value=CheckoutState.form["shipping_method"],
                on_change=CheckoutState.choose_method,
            ),
            _field("Discount code (optional)", "discount_code", auto_complete="off"),
            _field(
                "Gift card code (optional)",
                "gift_card_code",
                auto_complete="off",
                placeholder="XXXX-XXXX-XXXX-XXXX",
            ),
            rx.button("Continue to review", type="submit", size="3", width="100%"),
            spacing="3",
            width="100%",
        ),
        key=CheckoutState.form_version.to_string(),
        on_submit=CheckoutState.review,
        reset_on_submit=False,
        width="100%",
        max_width="560px",
    )


def _review() -> rx.Component:
    return rx.vstack(
        form_alert(CheckoutState.message),
        rx.heading("Review your order", size="5", as_="h2"),
        order_summary(CheckoutState.lines, CheckoutState.totals, CheckoutState.total),
        rx.foreach(
            CheckoutState.gift_card_rows,
            lambda row: rx.hstack(rx.text(row[0]), rx.spacer(), rx.text(row[1]), width="100%"),
        ),
        rx.heading("Ship to", size="4", as_="h3"),
        rx.vstack(rx.foreach(CheckoutState.address_lines, rx.text), spacing="0"),
        rx.button(
            "Change details", variant="soft", color_scheme="gray", on_click=CheckoutState.edit
        ),
        rx.heading("Payment", size="4", as_="h3"),
        rx.cond(
            CheckoutState.paid_by_gift_card,
            _gift_card_payment(),
            _stripe_payment() if get_settings().stripe_enabled else _test_payment(),
        ),
        spacing="3",
        width="100%",
        max_width="560px",
    )


def _pay_button(**props: object) -> rx.Component:
    return rx.button(
        rx.cond(CheckoutState.paying, "Paying…", "Place order and pay " + CheckoutState.amount_due),
        size="3",
        width="100%",
        disabled=CheckoutState.paying,
        **props,
    )


def _gift_card_payment() -> rx.Component:
    """The gift card pays the whole total: nothing to pay by card."""
    return rx.form(
        rx.vstack(
            rx.text("Your gift card pays for the whole order.", size="2"),
            rx.button(
                rx.cond(CheckoutState.paying, "Placing…", "Place order"),
                type="submit",
                size="3",
                width="100%",
                disabled=CheckoutState.paying,
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=CheckoutState.pay,
        reset_on_submit=False,
        width="100%",
    )


def _test_payment() -> rx.Component:
    """The built-in test gateway: a card number field (test numbers only)."""
    test_mode = get_settings().test_payments
    return rx.vstack(
        rx.form(
            rx.vstack(
                labelled_input(
                    "Card number",
                    "card_number",
                    hint="Test payments: nothing is charged." if test_mode else "",
                    auto_complete="cc-number",
                    input_mode="numeric",
                    placeholder="4242 4242 4242 4242" if test_mode else "",
                ),
                _pay_button(type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=CheckoutState.pay,
            reset_on_submit=False,
            width="100%",
        ),
        rx.cond(
            CheckoutState.test_cards.length() > 0,
            rx.box(
                rx.text("Test cards:", size="1", weight="medium"),
                rx.foreach(
                    CheckoutState.test_cards,
                    lambda card: rx.text(card[0], " ", card[1], size="1", color_scheme="gray"),
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )


def _stripe_payment() -> rx.Component:
    """Stripe: Stripe.js draws the card field; card details never reach this server."""
    return rx.vstack(
        rx.box(
            id="card-element",
            padding="12px",
            border=f"1px solid {rx.color('gray', 7)}",
            border_radius="var(--radius-3)",
            width="100%",
            aria_label="Card details",
        ),
        _pay_button(on_click=CheckoutState.pay_with_stripe),
        spacing="3",
        width="100%",
    )


def checkout_page() -> rx.Component:
    return shop_page(
        rx.vstack(
            rx.heading("Checkout", size="7", as_="h1"),
            rx.cond(CheckoutState.step == "review", _review(), _details_form()),
            spacing="4",
            width="100%",
        )
    )
