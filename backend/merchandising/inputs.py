"""Validated input for collection writes (the admin editor's save and the API's POST and
PUT): one message per field; the database repeats the essential rules."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from slugify import slugify

from backend.catalog.inputs import SLUG, ImageUrl
from backend.core.validation import NO_NUL, text_input_schema
from backend.merchandising.rules import MAX_RULES, CollectionRule, Match

MAX_PRODUCTS = 500
MAX_HOME_POSITION = 1000
SLUG_LENGTH = 120

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), NO_NUL
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000), NO_NUL]


def collection_slug(title: str) -> str:
    return slugify(title, max_length=SLUG_LENGTH) or "collection"


class CollectionInput(BaseModel):
    """A whole collection as the merchant saves it. A manual one lists its products in
    their order (`product_ids`); a rule-based one its `rules`, met all or any."""

    model_config = ConfigDict(frozen=True)

    title: Title
    slug: Annotated[str, text_input_schema(SLUG_LENGTH, pattern=SLUG.pattern)] | None = (
        None  # from the title when not given
    )
    description: Description = ""
    image_url: ImageUrl | None = None
    kind: Literal["manual", "rules"]
    rules: list[CollectionRule] = Field(default_factory=list, max_length=MAX_RULES)
    match: Match = "all"
    product_ids: list[uuid.UUID] = Field(default_factory=list, max_length=MAX_PRODUCTS)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    home_position: int | None = Field(default=None, ge=0, le=MAX_HOME_POSITION)

    @field_validator("slug")
    @classmethod
    def _slug_form(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().lower()
        if not SLUG.match(value) or len(value) > SLUG_LENGTH:
            msg = "Use lowercase letters, digits and single dashes, e.g. summer-sale."
            raise ValueError(msg)
        return value

    @field_validator("image_url", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _with_time_zone(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            msg = "Give the time with its time zone, e.g. 2026-11-27T00:00:00+01:00."
            raise ValueError(msg)
        return value

    @field_validator("product_ids")
    @classmethod
    def _each_once(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            msg = "A product can be in a collection once."
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            msg = "The end must come after the start."
            raise ValueError(msg)
        if self.kind == "rules" and not self.rules:
            msg = "Give a rule-based collection at least one rule."
            raise ValueError(msg)
        if self.kind == "manual" and self.rules:
            msg = "A manual collection has no rules: pick its products instead."
            raise ValueError(msg)
        if self.kind == "rules" and self.product_ids:
            msg = "A rule-based collection's products come from its rules."
            raise ValueError(msg)
        return self

    @property
    def final_slug(self) -> str:
        return self.slug or collection_slug(self.title)
