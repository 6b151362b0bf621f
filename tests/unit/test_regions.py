"""Countries and regions as addresses and browsers name them."""

import pytest

from backend.core.regions import canonical_region, country_from_accept_language, country_name


@pytest.mark.parametrize(
    ("country", "typed", "canonical"),
    [
        ("US", "California", "CA"),
        ("US", " ca ", "CA"),
        ("CA", "Ontario", "ON"),
        ("DE", "Bayern", "BY"),
        ("GB", "somewhere odd", "SOMEWHERE ODD"),
        ("US", "", ""),
        ("US", None, ""),
    ],
)
def test_regions_are_brought_to_their_iso_code(
    country: str, typed: str | None, canonical: str
) -> None:
    assert canonical_region(country, typed) == canonical


@pytest.mark.parametrize(
    ("header", "country"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "DE"),
        ("en-GB", "GB"),
        ("de", None),
        ("", None),
        (None, None),
        ("xx-YY", None),
        ("*", None),
        ("zh-Hant-TW", "TW"),
    ],
)
def test_a_browsers_first_language_may_name_the_shoppers_country(
    header: str | None, country: str | None
) -> None:
    assert country_from_accept_language(header) == country


def test_country_names_are_the_common_ones() -> None:
    assert country_name("GB") == "United Kingdom"
    assert country_name("DE") == "Germany"
    assert country_name("ZZ") == "ZZ"
