"""Templates → message text. E-mail: subject + plain text + HTML (autoescaped). SMS: text.

Amounts arrive as Decimals (or their JSON text, "12.50") with a currency, and are
formatted here, at the edge: `{{ total|money(currency) }}`.

Some messages carry one-time links (reset a password, confirm an address, ...): whoever has
the link has the power it grants. Their senders pass each such link as a `OneTimeLink`, and
`ONE_TIME_LINKS` names them per template, so the renderer can make two copies: the one
that is delivered, and a redacted one for the record staff can read (the same text, each
link with its token replaced by REDACTED_TOKEN).
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backend.core.money import format_money
from backend.notifications.schemas import OneTimeLink, RenderedEmail
from backend.settings import get_settings

TEMPLATE_DIR = Path(__file__).parent / "templates"

EMAIL_TEMPLATES = (
    "email_verification",
    "password_reset",
    "account_exists",
    "order_confirmation",
    "payment_received",
    "payment_request",
    "order_edited",
    "order_shipped",
    "refund_issued",
    "low_stock",
    "cart_reminder",
    "stock_notice_confirmation",
    "back_in_stock",
    "return_requested",
    "return_approved",
    "return_rejected",
    "return_received",
    "gift_card",
)
SMS_TEMPLATES = ("order_shipped",)

# Template → the context values that are one-time links (each must be a OneTimeLink).
ONE_TIME_LINKS: dict[str, frozenset[str]] = {
    "email_verification": frozenset({"verify_url"}),
    "password_reset": frozenset({"reset_url"}),
    "payment_request": frozenset({"pay_url"}),
    "stock_notice_confirmation": frozenset({"confirm_url", "cancel_url"}),
    "cart_reminder": frozenset({"restore_url", "unsubscribe_url"}),
    # A gift card's code is a credential like a link's token: passed as a OneTimeLink
    # whose "link" is the code itself, so staff's copy shows it removed.
    "gift_card": frozenset({"code"}),
}


def carries_one_time_links(template: str) -> bool:
    return template in ONE_TIME_LINKS


def _checked_links(template: str, context: dict[str, Any]) -> list[OneTimeLink]:
    """The context's one-time links; refuses a declared link passed as a plain string (it
    could not be redacted) and a link the template does not declare."""
    declared = ONE_TIME_LINKS.get(template, frozenset())
    links = {key: value for key, value in context.items() if isinstance(value, OneTimeLink)}
    plain = sorted(key for key in declared if not isinstance(context.get(key), OneTimeLink))
    undeclared = sorted(set(links) - declared)
    if plain or undeclared:
        msg = (
            f"template {template!r}: one-time links must be OneTimeLink values declared in "
            f"ONE_TIME_LINKS (plain: {plain}, undeclared: {undeclared})"
        )
        raise TypeError(msg)
    return list(links.values())


def redacted_context(context: dict[str, Any]) -> dict[str, Any]:
    """The context with every one-time link replaced by its redacted form."""
    return {
        key: value.redacted if isinstance(value, OneTimeLink) else value
        for key, value in context.items()
    }


def _money(amount: Decimal | str, currency: str) -> str:
    return format_money(Decimal(amount), currency)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,  # a missing value is a bug, not an empty gap in an e-mail
        keep_trailing_newline=True,
    )
    environment.filters["money"] = _money
    return environment


def _common_context(context: dict[str, Any]) -> dict[str, Any]:
    """The shop's address; its name (`shop_name`) and legal footer come with the message's
    values, from the store settings in force (`services._context`)."""
    return {"base_url": get_settings().public_base_url, **context}


def _block(template_name: str, block: str, context: dict[str, Any]) -> str:
    template = _environment().get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context)))


def render_email(template: str, context: dict[str, Any]) -> RenderedEmail:
    """The e-mail as it is delivered: one-time links in full."""
    _checked_links(template, context)
    return _render_email(template, context)


def render_email_for_the_record(template: str, context: dict[str, Any]) -> RenderedEmail:
    """The e-mail as staff may read it once it went out: the same text, with no usable
    one-time link. Refuses to return a copy in which a token still appears."""
    links = _checked_links(template, context)
    rendered = _render_email(template, redacted_context(context))
    for link in links:
        if any(link.token in part for part in (rendered.subject, rendered.text, rendered.html)):
            msg = f"template {template!r} shows a one-time token outside its link"
            raise ValueError(msg)
    return rendered


def _render_email(template: str, context: dict[str, Any]) -> RenderedEmail:
    if template not in EMAIL_TEMPLATES:
        msg = f"no e-mail template named {template!r}"
        raise LookupError(msg)
    full = _common_context(context)
    subject = " ".join(_block(f"email/{template}.txt", "subject", full).split())
    return RenderedEmail(
        subject=subject,
        text=_block(f"email/{template}.txt", "body", full).strip() + "\n",
        html=_environment().get_template(f"email/{template}.html").render(full),
    )


def render_sms(template: str, context: dict[str, Any]) -> str:
    if template not in SMS_TEMPLATES:
        msg = f"no SMS template named {template!r}"
        raise LookupError(msg)
    return (
        _environment().get_template(f"sms/{template}.txt").render(_common_context(context)).strip()
    )
