"""Taking a person's data out of stored JSON and text: any string holding one of their
identifying values (e-mail, name, phone, street) is replaced whole by ERASED."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

ERASED = "[erased]"
ERASED_EMAIL = "erased@invalid"  # stands where a column must hold an address
MIN_NEEDLE_LENGTH = 3  # shorter values ("Al") would erase unrelated text


def needles_of(values: Collection[str | None]) -> frozenset[str]:
    """The identifying values worth looking for, lower-cased."""
    return frozenset(
        value.strip().lower()
        for value in values
        if value and len(value.strip()) >= MIN_NEEDLE_LENGTH
    )


def holds_any(text: str, needles: Collection[str]) -> bool:
    lowered = text.lower()
    return any(needle in lowered for needle in needles)


def redact(value: Any, needles: Collection[str]) -> Any:
    """`value` (JSON: dicts, lists, strings, numbers) with every string holding a needle
    replaced by ERASED; keys are kept."""
    if isinstance(value, str):
        return ERASED if holds_any(value, needles) else value
    if isinstance(value, dict):
        return {key: redact(item, needles) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item, needles) for item in value]
    return value
