"""What one product looks like in the index: the schema, price bands, category keys.

Only active products are indexed. Each indexed product carries the stored fields a
result card needs (name, brand, price, stock, image, category), so rendering a page of
results needs no database query.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import NamedTuple

from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from backend.catalog.schemas import SearchDocument
from backend.core.money import quantize
from backend.search.analysis import (
    NAME_PREFIXES,
    PLAIN,
    STEMMED,
    WORD_PREFIXES,
    normalized_phrase,
)


class PriceBand(NamedTuple):
    label: str
    lower: Decimal  # inclusive
    upper: Decimal | None  # exclusive; None: no upper bound


PRICE_BANDS: tuple[PriceBand, ...] = (
    PriceBand("Under $25", Decimal(0), Decimal(25)),
    PriceBand("$25–$50", Decimal(25), Decimal(50)),
    PriceBand("$50–$100", Decimal(50), Decimal(100)),
    PriceBand("$100–$250", Decimal(100), Decimal(250)),
    PriceBand("$250 and over", Decimal(250), None),
)
PRICE_BAND_LABELS = tuple(band.label for band in PRICE_BANDS)


def price_band(price: Decimal) -> str:
    for band in PRICE_BANDS:
        if price >= band.lower and (band.upper is None or price < band.upper):
            return band.label
    return PRICE_BANDS[0].label  # negative prices do not exist (CHECK constraint)


# A shopper's words are looked up in one field holding all of a product's prose: one
# posting list per word instead of one per field, which is what keeps a word matching
# thousands of products fast in pure Python. The name is written NAME_WEIGHT times, so a
# word in the name outweighs the same word in a description (BM25 term frequency).
NAME_WEIGHT = 3
CONTENT_FIELD = "content"
IN_STOCK, OUT_OF_STOCK = "in_stock", "out_of_stock"

SCHEMA = Schema(
    id=ID(unique=True, stored=True),
    slug=ID(stored=True),
    # Searchable text: name (weighted), brand, categories, attributes, description.
    content=TEXT(analyzer=STEMMED, phrase=False),
    # Stemmed words of the name, brand and categories, for suggestions ("chairs").
    name=TEXT(analyzer=STEMMED, phrase=False, stored=True),
    brand=TEXT(analyzer=STEMMED, phrase=False),
    category=TEXT(analyzer=STEMMED, phrase=False),  # the names of the category and its ancestors
    sku=ID(),  # lowercased, matched whole
    name_exact=ID(),  # the normalised name, matched whole: exact names rank first
    spell=TEXT(analyzer=PLAIN, phrase=False),  # vocabulary for typo correction
    autocomplete=TEXT(analyzer=WORD_PREFIXES, phrase=False),  # word prefixes
    name_start=TEXT(analyzer=NAME_PREFIXES, phrase=False),  # prefixes of the whole name
    # Filters, facets and sorting.
    category_slugs=KEYWORD(scorable=False),  # the category and its ancestors
    category_path=ID(sortable=True),  # see `category_key`: the facet of leaf categories
    brand_facet=ID(stored=True, sortable=True),  # the brand exactly as written
    price=NUMERIC(numtype=int, bits=64, signed=False, sortable=True),  # in cents
    # The id again, as a column: a product's live sale price is found per document
    # without reading stored fields (`sale_prices.py`).
    product_id=ID(sortable=True),
    price_band=ID(sortable=True),
    availability=ID(sortable=True),  # "in_stock" or "out_of_stock"
    variant_options=ID(sortable=True),  # see `encode_variants`: option filters and facets
    created_at=DATETIME(sortable=True),  # naive UTC (Whoosh cannot store time zones)
    # Only stored: the rest of a result card.
    price_text=STORED(),  # the Decimal as a string: "19.99"
    compare_at_text=STORED(),  # the cheapest variant's "was" price, "29.99"; absent without
    currency=STORED(),
    stock_quantity=STORED(),
    image_url=STORED(),
    category_name=STORED(),
)

# Category facet keys: "slug\x1fName\x1eslug\x1fName", top-level category first.
PART_SEPARATOR = "\x1e"
_NAME_SEPARATOR = "\x1f"
_SEPARATORS = re.compile("[\x1e\x1f]")


class CategoryStep(NamedTuple):
    slug: str
    name: str


def category_key(slugs: tuple[str, ...], names: tuple[str, ...]) -> str:
    """One string naming a category path, so one sortable column counts every level."""
    return PART_SEPARATOR.join(
        f"{_SEPARATORS.sub(' ', slug)}{_NAME_SEPARATOR}{_SEPARATORS.sub(' ', name)}"
        for slug, name in zip(slugs, names, strict=False)
    )


def category_step_marker(slug: str) -> str:
    """`marker in PART_SEPARATOR + key` exactly when `slug` is a step of the category key."""
    return f"{PART_SEPARATOR}{_SEPARATORS.sub(' ', slug)}{_NAME_SEPARATOR}"


def category_steps(key: str) -> list[CategoryStep]:
    steps = []
    for part in key.split(PART_SEPARATOR) if key else ():
        slug, _, name = part.partition(_NAME_SEPARATOR)
        steps.append(CategoryStep(slug, name))
    return steps


# Active variants' option values in one column value: variants split by \x1e, each "1" or
# "0" (in stock) then \x1c and its "name\x1fvalue" pairs split by \x1d.
_VARIANT, _STOCK, _PAIR, _NAME = "\x1e", "\x1c", "\x1d", "\x1f"
_SEPARATOR_CHARACTERS = re.compile("[\x1c-\x1f]")

VariantOptions = tuple[tuple[bool, tuple[tuple[str, str], ...]], ...]


def encode_variants(variants: VariantOptions) -> str:
    def clean(text: str) -> str:
        return _SEPARATOR_CHARACTERS.sub(" ", text)

    return _VARIANT.join(
        ("1" if in_stock else "0")
        + _STOCK
        + _PAIR.join(f"{clean(name.lower())}{_NAME}{clean(value)}" for name, value in pairs)
        for in_stock, pairs in variants
    )


def decode_variants(encoded: str) -> VariantOptions:
    variants = []
    for part in encoded.split(_VARIANT) if encoded else ():
        stock, _, pairs = part.partition(_STOCK)
        variants.append(
            (
                stock == "1",
                tuple(
                    (name, value)
                    for name, _, value in (pair.partition(_NAME) for pair in pairs.split(_PAIR))
                ),
            )
        )
    return tuple(variants)


def price_in_cents(price: Decimal) -> int:
    return int(quantize(price) * 100)


def naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def index_fields(doc: SearchDocument) -> dict[str, object]:
    """The fields of one active product, ready for `writer.update_document(**fields)`."""
    brand = doc.brand or ""
    category_names = " ".join(doc.category_path)
    attributes = " ".join(
        (
            *(f"{name.replace('_', ' ')} {value}" for name, value in doc.attributes.items()),
            # Colours and sizes are found by their words too ("navy jacket").
            *sorted({value for _, pairs in doc.variants for _, value in pairs}),
        )
    )
    vocabulary = " ".join((doc.name, brand, category_names, attributes))
    fields: dict[str, object] = {
        "id": str(doc.id),
        "slug": doc.slug,
        "content": "\n".join(
            (*([doc.name] * NAME_WEIGHT), brand, category_names, attributes, doc.description)
        ),
        "name": doc.name,
        "brand": brand,
        "category": category_names,
        "sku": doc.sku.lower(),
        "name_exact": normalized_phrase(doc.name),
        "spell": vocabulary,
        "autocomplete": " ".join((doc.name, brand, category_names)),
        "name_start": normalized_phrase(doc.name),
        "category_slugs": " ".join(doc.category_slugs),
        "category_path": category_key(doc.category_slugs, doc.category_path),
        "price": price_in_cents(doc.price),
        "product_id": str(doc.id),
        "price_band": price_band(doc.price),
        "availability": IN_STOCK if doc.stock_quantity > 0 else OUT_OF_STOCK,
        "variant_options": encode_variants(doc.variants),
        "created_at": naive_utc(doc.created_at),
        "price_text": str(quantize(doc.price)),
        "compare_at_text": (
            str(quantize(doc.compare_at_price))
            if doc.compare_at_price is not None and doc.compare_at_price > doc.price
            else ""
        ),
        "currency": doc.currency,
        "stock_quantity": doc.stock_quantity,
        "image_url": doc.image_url,
        "category_name": doc.category_path[-1] if doc.category_path else "",
    }
    if brand:
        fields["brand_facet"] = brand
    # An empty value would index an empty term; leave the field out instead.
    return {name: value for name, value in fields.items() if value != ""}
