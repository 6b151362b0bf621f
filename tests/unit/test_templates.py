"""Every message template renders with its event's data, escapes HTML, and reads well."""

from decimal import Decimal

import pytest

from backend.core.money import use_display_locale
from backend.notifications.rendering import (
    EMAIL_TEMPLATES,
    ONE_TIME_LINKS,
    render_email,
    render_email_for_the_record,
    render_sms,
)
from backend.notifications.schemas import REDACTED_TOKEN, OneTimeLink


def link(path: str, token: str) -> OneTimeLink:
    return OneTimeLink(f"http://localhost:3000{path}?token={token}", token)


# The store settings' part of every message's values (`notifications.services._context`).
SHOP = {"shop_name": "Kestrel Goods"}
ORDER = {
    **SHOP,
    "order_number": "KG-1042",
    "customer_name": "Ann <Lee>",
    "email": "ann@example.com",
    "order_url": "http://localhost:3000/orders/KG-1042",
}
RETURN = {
    **ORDER,
    "return_number": "RT-2345-6789",
    "items": [{"name": "Mug", "quantity": 2, "exchange_for": ""}],
}
NO_EXCHANGE = {"exchange_order_number": "", "exchange_to_pay": "0.00", "currency": "USD"}
CONTEXTS: dict[str, dict[str, object]] = {
    "email_verification": {
        "display_name": "Ann",
        "email": "ann@example.com",
        "verify_url": link("/verify-email", "Tok3n-abc"),
        "expires_hours": 48,
    },
    "password_reset": {
        "display_name": "Ann",
        "reset_url": link("/reset-password", "Tok3n-abc"),
        "expires_minutes": 60,
    },
    "account_exists": {
        "display_name": "Ann",
        "sign_in_url": "http://localhost:3000/sign-in",
        "forgot_password_url": "http://localhost:3000/forgot-password",
    },
    "order_confirmation": {
        **ORDER,
        "currency": "USD",
        "lines": [{"name": "Mug", "sku": "MUG-1", "quantity": 2, "line_total": "25.00"}],
        "subtotal": "25.00",  # as the event's JSON has it
        "discount": "5.00",
        "discount_applies": True,
        "shipping": "4.95",
        "tax": "2.00",
        "total": "1226.95",
    },
    "payment_received": {**ORDER, "amount": "26.95", "currency": "USD"},
    "order_shipped": {**ORDER, "carrier": "DHL", "tracking_number": "JD014600003828"},
    "refund_issued": {
        **ORDER,
        "amount": "10.00",
        "currency": "EUR",
        "full_refund": False,
        "reason": "Return RT-1",
    },
    "return_requested": {**RETURN, "reason": "Does not fit"},
    "return_approved": {
        **RETURN,
        **NO_EXCHANGE,
        "note": "Use the prepaid label.",
        "owes": False,
    },
    "return_rejected": {**RETURN, "note": "Worn items cannot be returned."},
    "return_received": {**RETURN, "restocked": True},
    "low_stock": {
        "product_name": "Mug",
        "sku": "MUG-1",
        "quantity": 2,
        "threshold": 5,
        "admin_url": "http://localhost:3000/admin/products",
    },
    "cart_reminder": {
        "greeting_name": "Ann",
        "currency": "USD",
        "lines": [
            {
                "name": "Mug",
                "quantity": 2,
                "unit_price": Decimal("12.50"),
                "line_total": Decimal("25.00"),
            }
        ],
        "subtotal": Decimal("25.00"),
        "restore_url": link("/cart/restore", "Tok3n-abc"),
        "restore_days": 14,
        "unsubscribe_url": link("/cart-reminders/unsubscribe", "Tok3n-def"),
    },
    "stock_notice_confirmation": {
        "email": "ann@example.com",
        "product_name": "Mug <Blue>",
        "confirm_url": link("/stock-notices/confirm", "Tok3n-abc"),
        "cancel_url": link("/stock-notices/cancel", "Tok3n-def"),
        "expires_hours": 48,
    },
    "order_edited": {
        **ORDER,
        "changes": ["Mug <Blue>: 1 → 3", "Ships to Ann Lee, 1 Main St, Springfield"],
        "lines": [{"name": "Mug <Blue>", "sku": "MUG-1", "quantity": 3, "line_total": "36.00"}],
        "currency": "USD",
        "old_total": Decimal("17.00"),
        "total": Decimal("41.00"),
        "to_pay": "24.00",  # as the event's JSON has it
        "to_give_back": "0.00",
        "owes": True,
        "gets_back": False,
    },
    "payment_request": {
        **ORDER,
        "amount": Decimal("118.40"),
        "currency": "USD",
        "pay_url": link("/pay", "Tok3n-abc"),
        "expires_on": "13 December 2026",
    },
    "gift_card": {
        "recipient_name": "Robin",
        "sender_name": "Sam <3",
        "message": "Happy birthday!",
        "amount": Decimal("50"),
        "currency": "USD",
        "code": OneTimeLink("Tok3n-abc", "Tok3n-abc"),  # a code is its own "link"
        "expires_on": "31 December 2027",
        "balance_url": "http://localhost:3000/gift-cards/balance",
    },
    "back_in_stock": {
        "product_name": "Mug <Blue>",
        "price": Decimal("12"),
        "currency": "USD",
        "product_url": "http://localhost:3000/products/mug-blue",
    },
}
CONTEXTS = {template: SHOP | values for template, values in CONTEXTS.items()}
EXPECTED_IN_TEXT = {
    "email_verification": "verify-email?token=Tok3n-abc",
    "password_reset": "reset-password?token=Tok3n-abc",
    "account_exists": "You already have an account with it",
    "order_confirmation": "Total     $1,226.95",
    "payment_received": "$26.95",
    "order_shipped": "JD014600003828",
    "refund_issued": "€10.00 for order KG-1042: Return RT-1.",
    "return_requested": "2 × Mug",
    "return_approved": "Use the prepaid label.",
    "return_rejected": "Why: Worn items cannot be returned.",
    "return_received": "RT-2345-6789",
    "low_stock": "down to 2 in stock",
    "cart_reminder": "2 × Mug  $12.50 each  $25.00",
    "stock_notice_confirmation": "stock-notices/cancel?token=Tok3n-def",
    "gift_card": "Your gift card code: Tok3n-abc",
    "payment_request": "pay?token=Tok3n-abc",
    "order_edited": "$24.00 is left to pay: a separate e-mail brings a link to pay it.",
    "back_in_stock": "Mug <Blue> is back in stock at Kestrel Goods ($12.00)",
}


def test_every_template_has_a_sample() -> None:
    assert set(CONTEXTS) == set(EMAIL_TEMPLATES)


@pytest.mark.parametrize("template", EMAIL_TEMPLATES)
def test_email_renders_subject_text_and_html(template: str) -> None:
    email = render_email(template, CONTEXTS[template])
    assert email.subject
    assert "\n" not in email.subject
    assert EXPECTED_IN_TEXT[template] in email.text
    assert email.html.startswith("<!doctype html>")
    assert "Kestrel Goods" in email.html


def test_amounts_are_formatted_in_their_currency_by_the_template() -> None:
    email = render_email("order_confirmation", CONTEXTS["order_confirmation"])
    assert "2 × Mug (MUG-1)  $25.00" in email.text
    assert "Discount  −$5.00" in email.text
    assert '<td align="right">$4.95</td>' in email.html
    refund = render_email("refund_issued", CONTEXTS["refund_issued"])
    assert refund.subject == "Refund of €10.00 for order KG-1042"


def test_an_exchange_names_the_variant_the_order_sending_it_and_the_difference_owed() -> None:
    swapped = {"name": "Fleece (M)", "quantity": 1, "exchange_for": "Fleece (L)"}
    context = {**CONTEXTS["return_approved"], "items": [swapped], "note": ""}
    even = render_email("return_approved", {**context, "exchange_order_number": "KG-2001"})
    assert "1 × Fleece (M), exchanged for Fleece (L)" in even.text
    assert "in exchange as order KG-2001." in even.text
    assert "refund" not in even.text  # nothing is refunded
    dearer = render_email(
        "return_approved",
        {**context, "exchange_order_number": "KG-2001", "exchange_to_pay": "5.00", "owes": True},
    )
    assert "once you have paid the price difference of $5.00" in dearer.text
    assert "price difference of $5.00" in dearer.html
    received = render_email("return_received", {**CONTEXTS["return_received"], "items": [swapped]})
    assert "your exchange is complete" in received.text
    assert "refund" not in received.text.lower()


def test_an_order_in_two_parcels_says_so_with_both_tracking_numbers() -> None:
    numbers = "1Z1 (from Riverside), 1Z2 (from Main warehouse)"
    email = render_email(
        "order_shipped", {**CONTEXTS["order_shipped"], "tracking_number": numbers, "parcels": 2}
    )
    assert "is on its way with DHL, in 2 parcels." in email.text
    assert f"Tracking numbers: {numbers}" in email.text


def test_an_amount_without_its_currency_is_an_error() -> None:
    context = {**CONTEXTS["payment_received"]}
    del context["currency"]
    with pytest.raises(Exception, match="currency"):
        render_email("payment_received", context)


def test_every_link_with_a_token_in_a_sample_is_a_declared_one_time_link() -> None:
    for template, context in CONTEXTS.items():
        with_tokens = {key for key, value in context.items() if "Tok3n" in str(value)}
        assert with_tokens == ONE_TIME_LINKS.get(template, frozenset()), template
        assert all(isinstance(context[key], OneTimeLink) for key in with_tokens), template


@pytest.mark.parametrize("template", sorted(ONE_TIME_LINKS))
def test_the_record_of_a_message_keeps_its_text_but_no_token(template: str) -> None:
    sent = render_email(template, CONTEXTS[template])
    kept = render_email_for_the_record(template, CONTEXTS[template])
    assert kept.subject == sent.subject
    for part in (kept.text, kept.html):
        assert "Tok3n" not in part
        assert REDACTED_TOKEN in part
    assert "Tok3n" in sent.text
    assert kept.text == sent.text.replace("Tok3n-abc", REDACTED_TOKEN).replace(
        "Tok3n-def", REDACTED_TOKEN
    )


def test_a_one_time_link_passed_as_plain_text_is_refused() -> None:
    context = {**CONTEXTS["password_reset"], "reset_url": "http://x/reset-password?token=t0k"}
    with pytest.raises(TypeError, match="reset_url"):
        render_email("password_reset", context)
    with pytest.raises(TypeError, match="reset_url"):
        render_email_for_the_record("password_reset", context)


def test_a_one_time_link_a_template_does_not_declare_is_refused() -> None:
    context = {**CONTEXTS["order_shipped"], "order_url": link("/orders/KG-1042", "Tok3n-x")}
    with pytest.raises(TypeError, match="order_url"):
        render_email("order_shipped", context)


def test_html_is_escaped_but_text_is_not() -> None:
    email = render_email("order_shipped", CONTEXTS["order_shipped"])
    assert "Ann &lt;Lee&gt;" in email.html
    assert "Hello Ann <Lee>," in email.text


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    with pytest.raises(Exception, match="tracking_number"):
        render_email("order_shipped", {**ORDER, "carrier": "DHL"})


def test_the_shop_is_named_as_its_settings_say() -> None:
    context = CONTEXTS["order_shipped"] | {"shop_name": "Corner Store"}
    assert render_sms("order_shipped", context).startswith("Corner Store: order KG-1042")
    assert "Corner Store" in render_email("order_shipped", context).html


def test_amounts_follow_the_number_format_in_force() -> None:
    use_display_locale("de_DE")
    try:
        email = render_email("order_confirmation", CONTEXTS["order_confirmation"])
    finally:
        use_display_locale("en_US")
    assert "Total     1.226,95\xa0$" in email.text  # a no-break space before the sign


def test_sms_is_one_short_line() -> None:
    text = render_sms("order_shipped", CONTEXTS["order_shipped"])
    assert text == "Kestrel Goods: order KG-1042 has shipped with DHL, tracking JD014600003828."


def test_an_order_with_tax_included_lists_each_rate_as_included() -> None:
    context = CONTEXTS["order_confirmation"] | {
        "tax": "40.00",
        "tax_rows": [{"label": "incl. VAT 19%", "amount": "40.00"}],
    }
    email = render_email("order_confirmation", context)
    assert "incl. VAT 19%  $40.00" in email.text
    assert "Tax " not in email.text
    assert "incl. VAT 19%</td>" in email.html


def test_an_order_paid_in_part_by_gift_card_says_what_is_left_to_pay() -> None:
    context = {
        **CONTEXTS["order_confirmation"],
        "gift_card": Decimal("50.00"),
        "gift_card_applies": True,
        "to_pay": Decimal("10.00"),
    }
    email = render_email("order_confirmation", context)
    assert "Gift card −$50.00" in email.text
    assert "To pay    $10.00" in email.text
    assert "−$50.00" in email.html
