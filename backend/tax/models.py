"""Tables of the tax domain: tax classes, rates per country/region and class, and the
shop's tax configuration (a single row)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from backend.core.tables import created_at_column, updated_at_column, uuid_primary_key

STANDARD_CLASS = "standard"


class TaxClass(SQLModel, table=True):
    """What kind of goods for tax: "standard", "reduced", "zero". A product names one."""

    __tablename__ = "tax_classes"
    __table_args__ = (CheckConstraint("code ~ '^[a-z][a-z0-9_-]*$'", name="code_form"),)

    code: str = Field(sa_column=Column(String(20), primary_key=True))
    name: str = Field(sa_column=Column(String(60), nullable=False, unique=True))
    position: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )


class TaxRate(SQLModel, table=True):
    """The percent charged on goods of a class shipped to a country, or to one region of
    it (a US state, a Canadian province); "" is the whole country. A class without a
    rate of its own in a country is taxed at the country's standard rate."""

    __tablename__ = "tax_rates"
    __table_args__ = (
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country_code"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_in_range"),
        CheckConstraint("region = upper(btrim(region))", name="region_canonical"),
        UniqueConstraint("country", "region", "tax_class", name="tax_rates_place_class_key"),
    )

    id: uuid.UUID = uuid_primary_key()
    country: str = Field(sa_column=Column(String(2), nullable=False))
    region: str = Field(
        default="", sa_column=Column(String(60), nullable=False, server_default=text("''"))
    )
    tax_class: str = Field(
        default=STANDARD_CLASS,
        sa_column=Column(
            String(20),
            ForeignKey("tax_classes.code", ondelete="CASCADE"),
            nullable=False,
            server_default=text("'standard'"),
        ),
    )
    # What receipts call it: "VAT", "GST", "Sales tax".
    name: str = Field(
        default="Tax", sa_column=Column(String(40), nullable=False, server_default=text("'Tax'"))
    )
    percent: Decimal = Field(sa_column=Column(Numeric(6, 3), nullable=False))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class TaxConfiguration(SQLModel, table=True):
    """The shop's one tax configuration (the row with id 1)."""

    __tablename__ = "tax_configuration"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True))
    # EU/UK style: catalog prices are what the shopper pays, tax included. US style: tax
    # is added at checkout.
    prices_include_tax: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, server_default=text("false")),
    )
    updated_at: datetime = updated_at_column()
