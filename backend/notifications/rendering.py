"""Templates → message text. E-mail: subject + plain text + HTML (autoescaped). SMS: text.

Amounts arrive as Decimals (or their JSON text, "12.50") with a currency, and are
formatted here, at the edge: `{{ total|money(currency) }}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from backend.core.money import format_money
from backend.settings import get_settings

TEMPLATE_DIR = Path(__file__).parent / "templates"

EMAIL_TEMPLATES = (
    "email_verification",
    "password_reset",
    "account_exists",
    "order_confirmation",
    "payment_received",
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
)
SMS_TEMPLATES = ("order_shipped",)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


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
    settings = get_settings()
    return {"shop_name": settings.shop_name, "base_url": settings.public_base_url, **context}


def _block(template_name: str, block: str, context: dict[str, Any]) -> str:
    template = _environment().get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context)))


def render_email(template: str, context: dict[str, Any]) -> RenderedEmail:
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
