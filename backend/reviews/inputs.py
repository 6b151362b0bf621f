"""Validated review text: untrusted input, cleaned and held to clear length limits.

Control characters (and the invisible bidirectional overrides that can make text read
differently from what it is) are removed, line ends made plain; the pages render the text
as text, never as HTML.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator

TITLE_MAX = 120
BODY_MIN = 10
BODY_MAX = 4_000
REASON_MIN = 3
REASON_MAX = 500

# Bidirectional embeddings, overrides and isolates (Unicode category Cf, but most of Cf,
# such as the zero-width joiner in emoji, is harmless and kept).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: object, *, multiline: bool) -> str:
    """Normalised text without control characters; newlines kept only if `multiline`
    (at most one blank line in a row), tabs become spaces, ends trimmed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in text:
        if char == "\n":
            kept.append("\n" if multiline else " ")
        elif char == "\t":
            kept.append(" ")
        elif unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            continue
        else:
            kept.append(char)
    cleaned = "".join(kept)
    if multiline:
        cleaned = "\n".join(line.rstrip() for line in cleaned.split("\n"))
        cleaned = _BLANK_LINES.sub("\n\n", cleaned)
    return cleaned.strip()


def _one_line(value: object) -> str:
    return clean_text(value, multiline=False)


def _paragraphs(value: object) -> str:
    return clean_text(value, multiline=True)


def _rating(value: object) -> object:
    # Forms send text ("4"); anything else than a whole number 1-5 gets one message.
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            msg = "Choose a rating from 1 to 5 stars."
            raise ValueError(msg)
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        msg = "Choose a rating from 1 to 5 stars."
        raise ValueError(msg)
    return value


class ReviewInput(BaseModel):
    """What a buyer writes: stars, an optional title, the review itself."""

    model_config = ConfigDict(frozen=True, validate_default=True)

    rating: Annotated[int, BeforeValidator(_rating)]
    title: Annotated[str, BeforeValidator(_one_line)] = ""
    body: Annotated[str, BeforeValidator(_paragraphs)] = ""

    @field_validator("rating")
    @classmethod
    def _rating_in_range(cls, value: int) -> int:
        if not 1 <= value <= 5:
            msg = "Choose a rating from 1 to 5 stars."
            raise ValueError(msg)
        return value

    @field_validator("title")
    @classmethod
    def _title_length(cls, value: str) -> str:
        if len(value) > TITLE_MAX:
            msg = f"Keep the title to {TITLE_MAX} characters (it has {len(value)})."
            raise ValueError(msg)
        return value

    @field_validator("body")
    @classmethod
    def _body_length(cls, value: str) -> str:
        if not value:
            msg = "Write a few words about the product."
            raise ValueError(msg)
        if len(value) < BODY_MIN:
            msg = f"Write at least {BODY_MIN} characters (it has {len(value)})."
            raise ValueError(msg)
        if len(value) > BODY_MAX:
            msg = f"Keep the review to {BODY_MAX:,} characters (it has {len(value):,})."
            raise ValueError(msg)
        return value


class RejectionInput(BaseModel):
    """Why staff did not publish a review: the author reads it."""

    model_config = ConfigDict(frozen=True, validate_default=True)

    reason: Annotated[str, BeforeValidator(_paragraphs)] = ""

    @field_validator("reason")
    @classmethod
    def _reason_length(cls, value: str) -> str:
        if len(value) < REASON_MIN:
            msg = "Give the author a reason (at least a few words)."
            raise ValueError(msg)
        if len(value) > REASON_MAX:
            msg = f"Keep the reason to {REASON_MAX} characters (it has {len(value)})."
            raise ValueError(msg)
        return value
