"""How a product becomes an index document: price bands, category keys, searchable text."""

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from backend.catalog.schemas import SearchDocument
from backend.search.analysis import normalized_phrase, query_words, stem
from backend.search.documents import (
    NAME_WEIGHT,
    PRICE_BAND_LABELS,
    category_key,
    category_steps,
    index_fields,
    naive_utc,
    price_band,
)


def document(**overrides: object) -> SearchDocument:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "slug": "enamel-mug-m-1",
        "name": "Enamel Mug",
        "description": "Keeps drinks warm.",
        "brand": "Ferro",
        "sku": "M-1",
        "price": Decimal("12.5"),
        "currency": "USD",
        "stock_quantity": 3,
        "is_active": True,
        "category_id": uuid.uuid4(),
        "category_path": ("Kitchen", "Mugs"),
        "category_slugs": ("kitchen", "kitchen-mugs"),
        "attributes": {"colour": "black", "lid_material": "oak"},
        "image_url": "/media/mug.jpg",
        "created_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    }
    fields.update(overrides)
    return SearchDocument(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("price", "label"),
    [
        ("0", "Under $25"),
        ("24.99", "Under $25"),
        ("25", "$25–$50"),
        ("49.99", "$25–$50"),
        ("50", "$50–$100"),
        ("100", "$100–$250"),
        ("249.99", "$100–$250"),
        ("250", "$250 and over"),
        ("99999999.99", "$250 and over"),
    ],
)
def test_every_price_falls_in_exactly_one_band(price: str, label: str) -> None:
    assert price_band(Decimal(price)) == label
    assert label in PRICE_BAND_LABELS


def test_a_category_key_keeps_the_whole_path_with_names() -> None:
    key = category_key(("kitchen", "kitchen-mugs"), ("Kitchen & Dining", "Mugs"))

    assert [(s.slug, s.name) for s in category_steps(key)] == [
        ("kitchen", "Kitchen & Dining"),
        ("kitchen-mugs", "Mugs"),
    ]
    assert category_steps("") == []


def test_separator_characters_in_names_cannot_break_a_category_key() -> None:
    key = category_key(("a",), ("Odd\x1eName\x1f",))

    assert [(s.slug, s.name) for s in category_steps(key)] == [("a", "Odd Name ")]


def test_a_document_carries_everything_a_result_card_shows() -> None:
    fields = index_fields(document())

    assert fields["price_text"] == "12.50"
    assert fields["price"] == 1250
    assert fields["price_band"] == "Under $25"
    assert fields["availability"] == "in_stock"
    assert fields["brand_facet"] == "Ferro"
    assert fields["category_name"] == "Mugs"
    assert fields["category_slugs"] == "kitchen kitchen-mugs"
    assert fields["sku"] == "m-1"
    assert fields["name_exact"] == "enamel mug"


def test_all_prose_is_searchable_in_one_field_with_the_name_weighted() -> None:
    content = str(index_fields(document())["content"]).split("\n")

    assert content.count("Enamel Mug") == NAME_WEIGHT
    assert "Ferro" in content
    assert "Kitchen Mugs" in content
    assert "colour black lid material oak" in content
    assert "Keeps drinks warm." in content


def test_a_product_without_brand_image_or_stock_leaves_those_fields_out() -> None:
    fields = index_fields(document(brand=None, image_url=None, stock_quantity=0))

    assert "brand_facet" not in fields
    assert "brand" not in fields
    assert fields["image_url"] is None
    assert fields["availability"] == "out_of_stock"


def test_times_are_stored_as_naive_utc() -> None:
    cet = timezone(timedelta(hours=1))
    assert naive_utc(datetime(2026, 1, 1, 12, tzinfo=cet)) == datetime(2026, 1, 1, 11)  # noqa: DTZ001


def test_queries_and_names_are_normalised_the_same_way() -> None:
    assert normalized_phrase("  The Café–Mug!! ") == "the cafe mug"
    assert query_words("Mugs, MUGS & mugs") == ["mugs", "mugs", "mugs"]
    assert stem("mugs") == stem("mug") == "mug"
    assert stem("the") is None


def test_a_huge_query_is_cut_to_a_few_words() -> None:
    assert len(query_words("word " * 5000)) == 10
    assert query_words("x" * 10_000) == ["x" * 200]
