"""The search page's address: sizes and colours ride along as ?size=M&colour=Navy."""

from __future__ import annotations

from backend.search.schemas import OptionFacet, SearchResults
from storefront.pages.search import _facet_groups, parse_search_query, search_url


def test_other_parameters_are_option_filters_and_round_trip() -> None:
    query = parse_search_query({"q": "jacket", "Size": "M", "colour": "Navy", "page": "2"})
    assert query.options == (("size", "M"), ("colour", "Navy"))
    assert search_url(query) == "/search?q=jacket&page=2&size=M&colour=Navy"
    many = {f"o{n}": "x" for n in range(6)}
    assert len(parse_search_query(many).options) == 3  # bounded
    assert parse_search_query({"size": " "}).options == ()


def test_option_facets_toggle_their_value_in_the_address() -> None:
    query = parse_search_query({"q": "jacket", "size": "M"})
    results = SearchResults(
        items=[],
        total=0,
        page=1,
        limit=24,
        facets={
            "category": [],
            "brand": [],
            "price_band": [],
            "options": [OptionFacet("size", "M", 3), OptionFacet("size", "L", 1)],
        },
    )
    [group] = _facet_groups(query, results)
    assert group.title == "Size"
    m, large = group.options
    assert (m.label, m.count, m.active) == ("M", 3, True)
    assert m.url == "/search?q=jacket"  # choosing it again removes it
    assert large.url == "/search?q=jacket&size=L"
