"""Filters and facet counts for a set of matching documents, from column values cached
per segment.

Whoosh's own grouping looks each matching document up in a column, one Python call per
document and facet; a query matching thousands of products then spends most of its time
there. Here each segment's facet columns are read once (segments never change; a refresh
adds new ones), and filtering or counting is a lookup in a list per matching document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh.searching import Searcher

from backend.search.documents import (
    IN_STOCK,
    PART_SEPARATOR,
    PRICE_BANDS,
    category_step_marker,
    category_steps,
    decode_variants,
)
from backend.search.schemas import (
    BrandFacet,
    CategoryFacet,
    OptionFacet,
    PriceBandFacet,
    SearchFacets,
)

# Per-document values read from columns: the facets, and availability (a filter).
COLUMN_FIELDS = (
    "category_path",
    "brand_facet",
    "price_band",
    "availability",
    "variant_options",
    "product_id",
)

_Columns = dict[str, list[Any]]
# Each document's variants decoded once per segment (not once per query and document).
DECODED_VARIANTS = "variant_options_decoded"


@dataclass(frozen=True)
class Filters:
    """Exact values a result must have (empty: any)."""

    category_slug: str = ""  # the category or any of its ancestors
    brand: str = ""
    price_band: str = ""
    availability: str = ""
    # (option name lower-cased, value): one variant must have them all.
    options: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return any(
            (self.category_slug, self.brand, self.price_band, self.availability, self.options)
        )


class FacetColumns:
    """Use under the searcher lock (`searchers.use()`), with the searcher it yielded."""

    def __init__(self) -> None:
        self._segments: dict[str, _Columns] = {}
        self._searcher: Searcher | None = None
        self._columns: _Columns = {}

    def columns(self, searcher: Searcher) -> _Columns:
        """Each facet field's value for every document number of `searcher`."""
        if searcher is not self._searcher:
            segments: dict[str, _Columns] = {}
            columns: _Columns = {field: [] for field in (*COLUMN_FIELDS, DECODED_VARIANTS)}
            for leaf, _offset in searcher.leaf_searchers():  # in document-number order
                reader = leaf.reader()
                if reader.segment() is None:
                    continue  # an index without documents
                segment_id = reader.segment().segment_id()
                values = self._segments.get(segment_id) or _segment_values(reader)
                segments[segment_id] = values
                for field in (*COLUMN_FIELDS, DECODED_VARIANTS):
                    columns.setdefault(field, []).extend(values[field])
            self._segments = segments  # segments merged away are forgotten
            self._searcher = searcher
            self._columns = columns
        return self._columns

    def keep(self, searcher: Searcher, docnums: Iterable[int], filters: Filters) -> list[int]:
        """The documents among `docnums` that pass every filter."""
        columns = self.columns(searcher)
        kept = list(docnums)
        if filters.category_slug:
            paths = columns["category_path"]
            step = category_step_marker(filters.category_slug)
            kept = [d for d in kept if step in PART_SEPARATOR + paths[d]]
        for field, wanted in (
            ("brand_facet", filters.brand),
            ("price_band", filters.price_band),
            ("availability", filters.availability),
        ):
            if wanted:
                values = columns[field]
                kept = [d for d in kept if values[d] == wanted]
        if filters.options:
            decoded = columns[DECODED_VARIANTS]
            wanted_pairs = {(name, value.lower()) for name, value in filters.options}
            in_stock = filters.availability == IN_STOCK
            kept = [
                d
                for d in kept
                if decoded[d]
                and any(
                    wanted_pairs <= {(name, value.lower()) for name, value in pairs}
                    for stocked, pairs in decoded[d]
                    if stocked or not in_stock
                )
            ]
        return kept

    def count(
        self,
        searcher: Searcher,
        docnums: Iterable[int],
        *,
        in_stock_only: bool = False,
        bands: Sequence[str] | None = None,
    ) -> SearchFacets:
        """`bands`: each document's price band when it is not the indexed one (a sale)."""
        columns = self.columns(searcher)
        paths, brands, indexed_bands, decoded = (
            columns[field]
            for field in ("category_path", "brand_facet", "price_band", DECODED_VARIANTS)
        )
        bands = indexed_bands if bands is None else bands
        docnums = list(docnums)
        options: Counter[tuple[str, str]] = Counter()
        for d in docnums:
            if decoded[d]:
                options.update(
                    {
                        pair
                        for stocked, pairs in decoded[d]
                        if stocked or not in_stock_only
                        for pair in pairs
                    }
                )
        return facet_counts(
            Counter(paths[d] for d in docnums),
            Counter(brands[d] for d in docnums),
            Counter(bands[d] for d in docnums),
            options,
        )


def _segment_values(reader: Any) -> _Columns:
    # A field the index does not have yet (built by an older version, until the worker's
    # rebuild at start): empty for every document.
    values: _Columns = {
        field: (
            [str(value or "") for value in reader.column_reader(field)]
            if reader.has_column(field)
            else [""] * reader.doc_count_all()
        )
        for field in COLUMN_FIELDS
    }
    values[DECODED_VARIANTS] = [
        decode_variants(encoded) if encoded else () for encoded in values["variant_options"]
    ]
    return values


def facet_counts(
    paths: Counter[str],
    brands: Counter[str],
    bands: Counter[str],
    options: Counter[tuple[str, str]] | None = None,
) -> SearchFacets:
    """Facets from counts per category path, brand and price band. A product counts for
    its category and every ancestor."""
    categories: Counter[str] = Counter()
    names: dict[str, str] = {}
    for key, count in paths.items():
        for step in category_steps(key):
            categories[step.slug] += count
            names[step.slug] = step.name
    return {
        "category": sorted(
            (CategoryFacet(slug, names[slug], n) for slug, n in categories.items()),
            key=lambda facet: (-facet.product_count, facet.name.lower(), facet.slug),
        ),
        "brand": sorted(
            (BrandFacet(name, n) for name, n in brands.items() if name),
            key=lambda facet: (-facet.product_count, facet.name.lower()),
        ),
        "price_band": [
            PriceBandFacet(band.label, bands[band.label])
            for band in PRICE_BANDS
            if bands[band.label]
        ],
        "options": sorted(
            (OptionFacet(name, value, n) for (name, value), n in (options or {}).items()),
            key=lambda facet: (facet.name, -facet.product_count, facet.value.lower()),
        ),
    }
