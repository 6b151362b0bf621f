"""The staff products table reads its filters leniently: anything unknown means "all"."""

import uuid

from backend.catalog.staff_table import StaffProductQuery, StaffSort, StatusFilter, StockFilter


def test_known_values_are_kept() -> None:
    category = uuid.uuid4()
    query = StaffProductQuery.from_strings(
        text="  mug ", category_id=str(category), status="hidden", stock="low", sort="price_high"
    )
    assert query == StaffProductQuery(
        text="mug",
        category_id=category,
        status=StatusFilter.HIDDEN,
        stock=StockFilter.LOW,
        sort=StaffSort.PRICE_HIGH,
    )


def test_unknown_or_hostile_values_mean_all() -> None:
    query = StaffProductQuery.from_strings(
        text="x" * 500, category_id="not-a-uuid", status="deleted", stock="", sort="; DROP"
    )
    assert query == StaffProductQuery(text="x" * 100)
