"""Search behaviour on a small synthetic index (no database): relevance, typos, prefixes,
facets across segments, and inputs that must never raise."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from backend.catalog.schemas import SearchDocument
from backend.search import storage
from backend.search.queries import search_products, suggest
from backend.search.schemas import SearchQuery, SearchResults, SearchSort
from backend.search.searcher import searchers
from backend.search.writing import GenerationBuilder, apply_changes
from backend.settings import get_settings

START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = {
    "mugs": (("Kitchen", "Mugs"), ("kitchen", "kitchen-mugs")),
    "kettles": (("Kitchen", "Kettles"), ("kitchen", "kitchen-kettles")),
    "headphones": (("Audio", "Headphones"), ("audio", "audio-headphones")),
    "audio": (("Audio",), ("audio",)),
    "lighting": (("Lighting",), ("lighting",)),
}


def product(
    number: int, name: str, category: str, price: str, brand: str | None = None, **extra: object
) -> SearchDocument:
    path, slugs = CATEGORIES[category]
    fields: dict[str, object] = {
        "id": uuid.UUID(int=number),
        "slug": f"p-{number}",
        "name": name,
        "description": "",
        "brand": brand,
        "sku": f"U-{number}",
        "price": Decimal(price),
        "currency": "USD",
        "stock_quantity": 5,
        "is_active": True,
        "category_id": uuid.UUID(int=1000 + len(slugs)),
        "category_path": path,
        "category_slugs": slugs,
        "attributes": {},
        "image_url": None,
        "created_at": START + timedelta(days=number),
    }
    fields.update(extra)
    return SearchDocument(**fields)  # type: ignore[arg-type]


CATALOG = [
    product(1, "Enamel Mug", "mugs", "12.00", "Ferro", attributes={"colour": "black"}),
    product(
        2,
        "Enamel Mug Twin Pack",
        "mugs",
        "30.00",
        "Ferro",
        description="Two enamel mugs: an enamel mug for you, an enamel mug for a friend.",
    ),
    product(3, "Stoneware Mugs Gift Box", "mugs", "55.00", "Hearth", stock_quantity=0),
    product(4, "Gooseneck Kettle", "kettles", "89.00", "Hearth"),
    product(5, "Wireless Headphones", "headphones", "168.99", "Sonora"),
    product(6, "Studio Monitor Headphones", "headphones", "40.82", "Auralis", stock_quantity=0),
    product(7, "Bluetooth Speaker", "audio", "251.99", "Sonora"),
    product(8, "Hidden Mug", "mugs", "9.00", "Ferro", is_active=False),
    product(10, "Lamb Wool Throw", "lighting", "70.00"),
    *(product(20 + n, f"Reading Lamp {n}", "lighting", "30.00") for n in range(5)),
    *(product(100 + n, f"Filler Teapot {n}", "kettles", f"{20 + n}.00") for n in range(12)),
]


def build_index(root: Path, documents: list[SearchDocument]) -> None:
    builder = GenerationBuilder(root)
    builder.add(documents)
    builder.publish()


@pytest.fixture(scope="module")
def index_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("search-index")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEARCH_INDEX_DIR", str(root))
        get_settings.cache_clear()
        build_index(root, CATALOG)
        yield root
        searchers.close()
    get_settings.cache_clear()


@pytest.fixture
def fresh_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An index of its own, for tests that change it."""
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path))
    get_settings.cache_clear()
    build_index(tmp_path, CATALOG)
    yield tmp_path
    searchers.close()
    get_settings.cache_clear()


def search(**query: object) -> SearchResults:
    return asyncio.run(search_products(SearchQuery(**query)))  # type: ignore[arg-type]


def names(results: SearchResults) -> list[str]:
    return [item.name for item in results.items]


@pytest.mark.usefixtures("index_root")
class TestRelevance:
    def test_an_exact_name_ranks_first(self) -> None:
        assert names(search(text="enamel mug"))[0] == "Enamel Mug"
        assert names(search(text="Enamel Mug Twin Pack"))[0] == "Enamel Mug Twin Pack"

    def test_plural_and_singular_find_each_other(self) -> None:
        assert set(names(search(text="mugs"))) == {
            "Enamel Mug",
            "Enamel Mug Twin Pack",
            "Stoneware Mugs Gift Box",
        }
        assert "Stoneware Mugs Gift Box" in names(search(text="mug"))

    def test_a_typo_finds_the_word_and_says_so(self) -> None:
        results = search(text="wireless heaphones")

        assert names(results) == ["Wireless Headphones"]
        assert results.did_you_mean == "wireless headphones"

    def test_a_correct_query_offers_no_correction(self) -> None:
        assert search(text="headphones").did_you_mean is None

    def test_a_rare_word_that_finds_little_offers_a_far_commoner_one(self) -> None:
        results = search(text="lamb")

        assert names(results) == ["Lamb Wool Throw"]  # what was asked for is still shown
        assert results.did_you_mean == "lamp"
        assert search(text="lamp").did_you_mean is None

    def test_the_last_word_is_matched_as_a_beginning_while_typing(self) -> None:
        assert names(search(text="goosen")) == ["Gooseneck Kettle"]
        assert "Wireless Headphones" in names(search(text="wireless head"))

    def test_a_sku_finds_its_product_first(self) -> None:
        assert names(search(text="u-5"))[0] == "Wireless Headphones"
        assert names(search(text="U-4"))[0] == "Gooseneck Kettle"

    def test_brand_category_and_attribute_words_are_searchable(self) -> None:
        assert set(names(search(text="sonora"))) == {"Wireless Headphones", "Bluetooth Speaker"}
        assert "Gooseneck Kettle" in names(search(text="kitchen"))
        assert names(search(text="black mug")) == ["Enamel Mug"]

    def test_inactive_products_are_not_in_the_index(self) -> None:
        assert "Hidden Mug" not in names(search(text="hidden mug"))
        assert all(s.name != "Hidden Mug" for s in asyncio.run(suggest("hidden")))

    def test_every_word_must_match(self) -> None:
        assert search(text="enamel kettle").total == 0


@pytest.mark.usefixtures("index_root")
class TestSuggestions:
    def test_suggestions_complete_the_words_being_typed(self) -> None:
        found = asyncio.run(suggest("ena mu"))

        assert {s.name for s in found} == {"Enamel Mug", "Enamel Mug Twin Pack"}
        assert {s.slug for s in found} == {"p-1", "p-2"}

    def test_names_starting_with_the_typed_text_come_first(self) -> None:
        assert asyncio.run(suggest("studio"))[0].name == "Studio Monitor Headphones"
        assert asyncio.run(suggest("filler tea", limit=3))[0].name.startswith("Filler Teapot")

    def test_a_finished_plural_word_still_suggests(self) -> None:
        assert {s.name for s in asyncio.run(suggest("speakers"))} == {"Bluetooth Speaker"}

    def test_the_limit_is_respected(self) -> None:
        assert len(asyncio.run(suggest("filler", limit=5))) == 5
        assert len(asyncio.run(suggest("filler", limit=0))) == 1


@pytest.mark.usefixtures("index_root")
class TestFiltersSortingAndPages:
    def test_facets_count_what_the_query_matches(self) -> None:
        facets = search(text="mug").facets

        assert facets["category"] == [("kitchen", "Kitchen", 3), ("kitchen-mugs", "Mugs", 3)]
        assert facets["brand"] == [("Ferro", 2), ("Hearth", 1)]
        assert facets["price_band"] == [("Under $25", 1), ("$25–$50", 1), ("$50–$100", 1)]

    def test_a_parent_category_includes_its_subcategories(self) -> None:
        results = search(category_slug="audio")

        assert set(names(results)) == {
            "Wireless Headphones",
            "Studio Monitor Headphones",
            "Bluetooth Speaker",
        }
        assert ("audio-headphones", "Headphones", 2) in results.facets["category"]

    def test_filters_combine_and_facets_follow_them(self) -> None:
        results = search(text="headphones", in_stock_only=True)
        assert names(results) == ["Wireless Headphones"]
        assert results.facets["brand"] == [("Sonora", 1)]

        assert set(names(search(brand="Hearth", price_band="$50–$100"))) == {
            "Stoneware Mugs Gift Box",
            "Gooseneck Kettle",
        }
        assert search(brand="hearth").total == 0  # brands match exactly, as the facet names them

    def test_sorting_by_price_and_date(self) -> None:
        ascending = search(text="mug", sort=SearchSort.PRICE_ASC).items
        assert [item.price for item in ascending] == sorted(item.price for item in ascending)
        descending = search(category_slug="audio", sort="price_desc").items
        assert descending[0].name == "Bluetooth Speaker"
        newest = search(category_slug="kitchen-mugs", sort="newest").items
        assert [item.name for item in newest] == [
            "Stoneware Mugs Gift Box",
            "Enamel Mug Twin Pack",
            "Enamel Mug",
        ]
        assert all(item.score is None for item in newest)

    def test_pages_split_the_results_without_gaps_or_repeats(self) -> None:
        pages = [
            search(text="filler", limit=5, page=number, sort="price_asc") for number in (1, 2, 3)
        ]

        assert [len(page.items) for page in pages] == [5, 5, 2]
        assert {page.total for page in pages} == {12}
        assert {page.page_count for page in pages} == {3}
        seen = [item.slug for page in pages for item in page.items]
        assert len(set(seen)) == 12
        assert search(text="filler", limit=5, page=4).items == []

    def test_result_cards_need_no_database(self) -> None:
        card = search(text="wireless headphones").items[0]

        assert (card.slug, card.brand, card.category_name) == ("p-5", "Sonora", "Headphones")
        assert (card.price, card.price_display, card.stock_display) == (
            Decimal("168.99"),
            "$168.99",
            "Only 5 left",
        )
        assert card.score is not None
        assert card.score > 0


GARBAGE = [
    "",
    "   ",
    "!!!",
    "?*~^",
    '"unbalanced',
    "'",
    "((((",
    "AND OR NOT",
    "the",
    "name:mug",
    "price:[0 TO 10]",
    "mug~2",
    "mug*",
    "\x00\x01",
    "\ud800 lone surrogate",
    "日本語のマグカップ",
    "🙂🙂🙂",
    "ｍｕｇ",
    "a" * 10_000,
    "mug " * 3000,
    "-" * 500,
]


@pytest.mark.usefixtures("index_root")
class TestBadInput:
    @pytest.mark.parametrize("text", GARBAGE)
    def test_garbage_text_never_raises(self, text: str) -> None:
        results = search(text=text)
        assert results.total >= 0
        assert isinstance(asyncio.run(suggest(text)), list)

    @pytest.mark.parametrize(
        "query",
        [
            {"page": 0, "limit": 0},
            {"page": -5, "limit": 10**9},
            {"page": 10**12},
            {"page": "2", "limit": "x"},
            {"sort": "bogus"},
            {"sort": None},
            {"category_slug": "\ud800"},
            {"brand": "x" * 10_000},
            {"price_band": "Under $25\x00"},
            {"category_slug": 42, "brand": object()},
            {"in_stock_only": "yes"},
        ],
    )
    def test_out_of_range_or_odd_values_are_tolerated(self, query: dict[str, object]) -> None:
        results = search(text="mug", **query)
        assert 1 <= results.limit <= 100
        assert results.page >= 1

    def test_suggest_with_odd_limits_never_raises(self) -> None:
        assert asyncio.run(suggest("mug", limit=-3)) != []
        assert len(asyncio.run(suggest("filler", limit=10**6))) <= 20

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=st.text(max_size=300))
    def test_any_text_at_all_never_raises(self, text: str) -> None:
        search(text=text)
        asyncio.run(suggest(text))


def test_without_an_index_searches_find_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(tmp_path / "none-yet"))
    get_settings.cache_clear()
    try:
        assert search(text="mug").total == 0
        assert asyncio.run(suggest("mug")) == []
    finally:
        get_settings.cache_clear()


def test_changes_in_new_segments_are_searched_and_counted(fresh_index: Path) -> None:
    assert search(text="mug").total == 3  # the searcher is now cached
    index = storage.open_current(fresh_index)
    assert index is not None
    renamed = product(4, "Enamel Mug Kettle", "kettles", "89.00", "Hearth")
    new = product(9, "Travel Mug", "mugs", "19.00", "Ferro")
    gone = product(3, "Stoneware Mugs Gift Box", "mugs", "55.00", is_active=False)
    apply_changes(index, [renamed.id, new.id, gone.id], [renamed, new, gone])
    apply_changes(index, [uuid.UUID(int=2)], [])  # deleted from the catalog

    results = search(text="mug")

    assert set(names(results)) == {"Enamel Mug", "Enamel Mug Kettle", "Travel Mug"}
    assert results.facets["brand"] == [("Ferro", 2), ("Hearth", 1)]
    assert results.facets["category"] == [
        ("kitchen", "Kitchen", 3),
        ("kitchen-mugs", "Mugs", 2),
        ("kitchen-kettles", "Kettles", 1),
    ]
    assert search(text="gooseneck").total == 0


def test_a_new_generation_replaces_the_old_one_for_readers(fresh_index: Path) -> None:
    first = storage.current_generation(fresh_index)
    assert search(text="gooseneck").total == 1

    build_index(fresh_index, [product(50, "Copper Kettle", "kettles", "70.00")])
    second = storage.current_generation(fresh_index)
    build_index(fresh_index, [product(51, "Iron Kettle", "kettles", "60.00")])

    assert names(search(text="kettle")) == ["Iron Kettle"]
    assert search(text="gooseneck").total == 0
    generations = sorted(p.name for p in fresh_index.iterdir() if p.name.startswith("gen-"))
    assert first is not None
    assert second is not None
    assert first.name not in generations  # older than the previous one: removed
    assert second.name in generations  # the previous one: kept for readers still on it


def test_an_index_built_with_other_fields_is_recognised(fresh_index: Path) -> None:
    current = storage.current_generation(fresh_index)
    assert current is not None
    assert storage.matches_schema(current)

    old = fresh_index / "gen-older-layout"
    old.mkdir()
    whoosh_index.create_in(str(old), Schema(id=ID(unique=True), name=TEXT()))

    assert not storage.matches_schema(old)
    assert not storage.matches_schema(fresh_index / "gen-missing")


def test_a_searcher_whose_readers_were_closed_is_replaced(fresh_index: Path) -> None:
    assert search(text="mug").total == 3
    with searchers.use() as searcher:
        assert searcher is not None
        searcher.reader().close()  # what a refresh after a merge can leave behind
    build_index(fresh_index, CATALOG)  # a change the next search must pick up

    assert search(text="mug").total == 3
