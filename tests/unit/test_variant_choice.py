"""The product page's option picker: what each value offers, and where a choice lands."""

from __future__ import annotations

import uuid
from decimal import Decimal

from backend.catalog.schemas import OptionValueView, OptionView, VariantView
from ui.variant_choice import choose, chosen_variant, first_choice, option_choices

OPTIONS = (
    OptionView("Colour", (OptionValueView("Navy"), OptionValueView("Red", "/media/red.jpg"))),
    OptionView("Size", (OptionValueView("S"), OptionValueView("M"), OptionValueView("L"))),
)


def _variant(colour: str, size: str, stock: int = 5, *, default: bool = False) -> VariantView:
    return VariantView(
        id=uuid.uuid4(),
        sku=f"J-{colour}-{size}",
        price=Decimal("90.00") if size == "L" else Decimal("80.00"),
        compare_at_price=Decimal("120.00") if size == "L" else None,
        currency="USD",
        stock_quantity=stock,
        low_stock_threshold=2,
        is_active=True,
        is_default=default,
        position=0,
        option_values=(colour, size),
        image_urls=(f"/media/{colour}.jpg",),
    )


# Red comes only in M (sold out) and L; Navy in all three sizes.
NAVY_S, NAVY_M, NAVY_L = (
    _variant("Navy", "S"),
    _variant("Navy", "M", default=True),
    _variant("Navy", "L"),
)
RED_M, RED_L = _variant("Red", "M", 0), _variant("Red", "L", 1)
VARIANTS = (NAVY_S, NAVY_M, NAVY_L, RED_M, RED_L)


def test_a_page_opens_on_the_default_variant_or_the_first_in_stock() -> None:
    assert first_choice(VARIANTS) is NAVY_M
    sold_out_default = (_variant("Red", "M", 0, default=True), RED_L)
    assert first_choice(sold_out_default) is RED_L
    assert first_choice(()) is None


def test_choosing_lands_on_the_exact_combination_or_the_closest_in_stock() -> None:
    assert choose(VARIANTS, NAVY_M, 1, "L") is NAVY_L
    assert choose(VARIANTS, NAVY_M, 0, "Red") is RED_M  # exact, even though sold out
    assert choose(VARIANTS, NAVY_S, 0, "Red") is RED_L  # no Red S: the Red in stock
    assert choose(VARIANTS, RED_L, 1, "S") is NAVY_S  # no Red S: the colour moves
    assert choose(VARIANTS, NAVY_M, 1, "XXL") is NAVY_M  # not a value: nothing moves
    assert choose(VARIANTS, NAVY_M, 7, "L") is NAVY_M


def test_values_say_sold_out_or_not_in_this_combination() -> None:
    colour, size = option_choices(OPTIONS, VARIANTS, RED_L)
    assert (colour.name, colour.selected, colour.has_swatches) == ("Colour", "Red", True)
    assert [v.label for v in colour.choices] == ["Navy", "Red"]
    assert colour.choices[1].swatch.startswith("/media/")
    assert [v.label for v in size.choices] == ["S, not in Red", "M, sold out", "L"]
    assert [(v.sold_out, v.unavailable, v.dimmed) for v in size.choices] == [
        (False, True, True),
        (True, False, True),
        (False, False, False),
    ]
    # The chosen value is never struck through, even when it is sold out.
    _, size_of_red_m = option_choices(OPTIONS, VARIANTS, RED_M)
    assert [v.dimmed for v in size_of_red_m.choices] == [True, False, False]


def test_the_chosen_variant_shows_its_price_stock_and_pictures_first() -> None:
    shown = chosen_variant(RED_L, ["/media/product.jpg", "/media/Red.jpg"])
    assert (shown.price, shown.compare_at_price, shown.stock) == (
        "$90.00",
        "$120.00",
        "Only 1 left",
    )
    assert shown.quantity_choices == ["1"]
    assert len(shown.images) == 2
    assert "Red" in shown.images[0]
    assert not chosen_variant(RED_M, []).in_stock
