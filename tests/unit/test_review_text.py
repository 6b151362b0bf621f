"""Review text is cleaned before it is stored; ratings read the same everywhere."""

from decimal import Decimal

import pytest

from backend.catalog.ratings import shown_average, stars_text
from backend.reviews.inputs import clean_text
from backend.reviews.services import public_author_name


@pytest.mark.parametrize(
    ("raw", "multiline", "cleaned"),
    [
        ("  Great\x00 mug\x07  ", False, "Great mug"),
        ("Title\non two lines", False, "Title on two lines"),
        ("a\r\nb\rc", True, "a\nb\nc"),
        ("one\n\n\n\n\ntwo", True, "one\n\ntwo"),
        ("tab\there", True, "tab here"),
        # Bidirectional overrides can make text read as something else: gone.
        ("evil\u202egnp.exe", False, "evilgnp.exe"),
        # Emoji joiners and accents are ordinary text and stay (accents composed).
        ("cafe\u0301 👩\u200d🍳", False, "café 👩\u200d🍳"),
        ("<script>alert(1)</script>", True, "<script>alert(1)</script>"),  # shown as text
        (None, True, ""),
    ],
)
def test_clean_text(raw: object, multiline: bool, cleaned: str) -> None:
    assert clean_text(raw, multiline=multiline) == cleaned


@pytest.mark.parametrize(
    ("total", "count", "shown"),
    [(0, 0, ""), (13, 3, "4.3"), (9, 2, "4.5"), (29, 7, "4.1"), (5, 1, "5.0"), (89, 20, "4.5")],
)
def test_the_average_is_rounded_once_half_up_to_one_decimal(
    total: int, count: int, shown: str
) -> None:
    assert shown_average(total, count) == shown


def test_stars_never_show_more_than_earned() -> None:
    assert stars_text(5) == "★★★★★"
    assert stars_text(Decimal("4.5")) == "★★★★☆"
    assert stars_text(Decimal("4.6")) == "★★★★★"
    assert stars_text(1) == "★☆☆☆☆"


def test_reviews_are_signed_with_a_first_name_and_an_initial() -> None:
    assert public_author_name("Ada Lovelace") == "Ada L."
    assert public_author_name("Ada King Lovelace") == "Ada L."
    assert public_author_name("ada_99") == "ada_99"
    assert public_author_name("  ") == "A customer"
