"""The store settings table: one row (id 1)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Integer, String, Text, text
from sqlmodel import Field, SQLModel

from backend.core.tables import updated_at_column


class ShopSettings(SQLModel, table=True):
    __tablename__ = "shop_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("btrim(shop_name) <> ''", name="shop_name_given"),
        CheckConstraint("money_locale ~ '^[a-z]{2}_[A-Z]{2}$'", name="money_locale_form"),
        CheckConstraint("time_zone ~ '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$'", name="time_zone_form"),
        CheckConstraint("order_number_prefix ~ '^[A-Z0-9]{1,6}$'", name="prefix_form"),
        CheckConstraint(
            "order_payment_timeout_minutes BETWEEN 1 AND 10080", name="payment_timeout_range"
        ),
        CheckConstraint("return_window_days BETWEEN 0 AND 365", name="return_window_range"),
        CheckConstraint(
            "cart_reminder_after_minutes BETWEEN 1 AND 43200", name="reminder_delay_range"
        ),
    )

    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True))
    # In the header, page titles and e-mails.
    shop_name: str = Field(
        default="Kestrel Goods",
        sa_column=Column(String(60), nullable=False, server_default=text("'Kestrel Goods'")),
    )
    # How amounts are written ("en_US": $1,234.50; "de_DE": 1.234,50 €).
    money_locale: str = Field(
        default="en_US",
        sa_column=Column(String(10), nullable=False, server_default=text("'en_US'")),
    )
    # The IANA zone the merchant's times are typed and read in ("Europe/Berlin").
    time_zone: str = Field(
        default="UTC",
        sa_column=Column(String(60), nullable=False, server_default=text("'UTC'")),
    )
    legal_name: str = Field(
        default="", sa_column=Column(String(200), nullable=False, server_default=text("''"))
    )
    legal_address: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default=text("''"))
    )
    vat_number: str = Field(
        default="", sa_column=Column(String(40), nullable=False, server_default=text("''"))
    )
    # E-mails' From: "Kestrel Goods <shop@example.com>".
    sender: str = Field(sa_column=Column(String(320), nullable=False))
    support_email: str = Field(
        default="", sa_column=Column(String(255), nullable=False, server_default=text("''"))
    )
    order_number_prefix: str = Field(
        default="KG", sa_column=Column(String(6), nullable=False, server_default=text("'KG'"))
    )
    order_payment_timeout_minutes: int = Field(
        default=30, sa_column=Column(Integer, nullable=False, server_default=text("30"))
    )
    return_window_days: int = Field(
        default=30, sa_column=Column(Integer, nullable=False, server_default=text("30"))
    )
    cart_reminder_after_minutes: int = Field(
        default=240, sa_column=Column(Integer, nullable=False, server_default=text("240"))
    )
    updated_at: datetime = updated_at_column()
