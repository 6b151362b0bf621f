import pytest

from backend.catalog.schemas import stock_label
from backend.core.pagination import Page, clamp_page


@pytest.mark.parametrize(
    ("quantity", "label"),
    [
        (0, "Out of stock"),
        (1, "Only 1 left"),
        (5, "Only 5 left"),
        (6, "In stock"),
        (500, "In stock"),
    ],
)
def test_shoppers_read_availability_not_numbers(quantity: int, label: str) -> None:
    assert stock_label(quantity) == label


@pytest.mark.parametrize(
    ("page", "limit", "expected"),
    [(0, 20, (1, 20)), (-3, 20, (1, 20)), (2, 1000, (2, 100)), (1, 0, (1, 1))],
)
def test_page_and_limit_are_clamped(page: int, limit: int, expected: tuple[int, int]) -> None:
    assert clamp_page(page, limit) == expected


def test_page_count_rounds_up_and_is_never_zero() -> None:
    assert Page(items=[], total=0, page=1, limit=20).page_count == 1
    assert Page(items=[], total=41, page=1, limit=20).page_count == 3
    assert Page(items=[], total=41, page=3, limit=20).has_next is False
