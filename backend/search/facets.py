"""Facet counts for a set of matching documents, from column values cached per segment.

Whoosh's own grouping looks each matching document up in a column, one Python call per
document and facet; a query matching thousands of products then spends most of its time
there. Here each segment's facet columns are read once (segments never change; a refresh
adds new ones), and counting is a lookup in a list per matching document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from whoosh.searching import Searcher

from backend.search.documents import PRICE_BANDS, category_steps
from backend.search.schemas import BrandFacet, CategoryFacet, PriceBandFacet, SearchFacets

FACET_FIELDS = ("category_path", "brand_facet", "price_band")

_Columns = dict[str, list[str]]


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
            columns: _Columns = {field: [] for field in FACET_FIELDS}
            for leaf, _offset in searcher.leaf_searchers():  # in document-number order
                reader = leaf.reader()
                if reader.segment() is None:
                    continue  # an index without documents
                segment_id = reader.segment().segment_id()
                values = self._segments.get(segment_id) or {
                    field: [str(value or "") for value in reader.column_reader(field)]
                    for field in FACET_FIELDS
                }
                segments[segment_id] = values
                for field in FACET_FIELDS:
                    columns[field].extend(values[field])
            self._segments = segments  # segments merged away are forgotten
            self._searcher = searcher
            self._columns = columns
        return self._columns

    def count(self, searcher: Searcher, docnums: Iterable[int]) -> SearchFacets:
        columns = self.columns(searcher)
        paths, brands, bands = (columns[field] for field in FACET_FIELDS)
        docnums = list(docnums)
        return facet_counts(
            Counter(paths[d] for d in docnums),
            Counter(brands[d] for d in docnums),
            Counter(bands[d] for d in docnums),
        )


def facet_counts(paths: Counter[str], brands: Counter[str], bands: Counter[str]) -> SearchFacets:
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
    }
