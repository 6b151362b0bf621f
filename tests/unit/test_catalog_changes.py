"""Partial changes may leave fields out or clear the optional ones, never empty a
required one."""

import pytest

from backend.catalog.inputs import CategoryUpdate, ProductUpdate
from backend.core.errors import InvalidInputError
from backend.core.validation import parse_input


def test_a_product_change_cannot_empty_a_required_field() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_input(ProductUpdate, {"name": None, "sku": None, "price": None, "is_active": None})
    assert refused.value.field_errors == {
        "name": "This field cannot be empty.",
        "sku": "This field cannot be empty.",
        "price": "Enter a price, such as 12.50.",
        "is_active": "This field cannot be empty.",
    }


def test_optional_product_fields_can_be_cleared_and_others_left_out() -> None:
    change = parse_input(ProductUpdate, {"brand": None, "description": None, "price": "3.50"})
    assert set(change.model_dump(exclude_unset=True)) == {"brand", "description", "price"}


def test_a_category_keeps_its_name_but_may_move_to_the_top() -> None:
    with pytest.raises(InvalidInputError):
        parse_input(CategoryUpdate, {"name": None})
    assert parse_input(CategoryUpdate, {"parent_id": None}).model_dump(exclude_unset=True) == {
        "parent_id": None
    }
