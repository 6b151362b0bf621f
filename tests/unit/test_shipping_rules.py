"""Shipping rules: the zone an address belongs to and what each method costs a parcel."""

import uuid
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.core.regions import canonical_region
from backend.shipping.rules import (
    Band,
    Destination,
    MethodRule,
    Parcel,
    ZoneRule,
    band_price,
    normalize_postcode,
    zone_for,
)

FURNITURE = uuid.uuid4()
SOFA = uuid.uuid4()
LAMP = uuid.uuid4()

STANDARD = MethodRule(
    "standard", "Standard", "3–5 days", "flat", flat_price=Decimal("4.95"), free_above=Decimal(75)
)
BY_WEIGHT = MethodRule(
    "parcel",
    "Parcel",
    "",
    "weight",
    bands=(Band(Decimal(2), Decimal("5.90")), Band(Decimal(10), Decimal("12.50"))),
)
BY_VALUE = MethodRule(
    "courier",
    "Courier",
    "",
    "value",
    bands=(Band(Decimal(50), Decimal("9.00")), Band(None, Decimal("4.00"))),
)
EXPRESS = MethodRule(
    "express",
    "Express",
    "1–2 days",
    "flat",
    flat_price=Decimal("14.95"),
    excluded_categories=frozenset({FURNITURE}),
)


def _zone(name: str, countries: set[str], **kwargs: object) -> ZoneRule:
    return ZoneRule(uuid.uuid4(), name, frozenset(countries), **kwargs)  # type: ignore[arg-type]


def _parcel(kg: str = "1", value: str = "20", **kwargs: object) -> Parcel:
    return Parcel(Decimal(kg), Decimal(value), **kwargs)  # type: ignore[arg-type]


def test_the_most_specific_zone_wins_and_uncovered_addresses_have_none() -> None:
    europe = _zone("EU", {"DE", "FR"})
    usa = _zone("US", {"US"})
    california = _zone("California", {"US"}, regions=frozenset({"CA"}))
    berlin = _zone("Berlin", {"DE"}, postcode_prefixes=("10", "12"))
    zones = [europe, usa, california, berlin]

    assert zone_for(zones, Destination("FR")) is europe
    assert zone_for(zones, Destination("DE", postcode="10115")) is berlin
    assert zone_for(zones, Destination("DE", postcode="80331")) is europe
    assert zone_for(zones, Destination("US", region=canonical_region("US", "California"))) is (
        california
    )
    assert zone_for(zones, Destination("US", region="NY")) is usa
    assert zone_for(zones, Destination("JP")) is None


def test_a_flat_rate_is_free_from_its_threshold() -> None:
    assert STANDARD.price_for(_parcel(value="74.99")) == Decimal("4.95")
    assert STANDARD.price_for(_parcel(value="75.00")) == Decimal("0.00")


def test_weight_bands_price_by_the_first_band_reached_and_refuse_heavier_parcels() -> None:
    assert BY_WEIGHT.price_for(_parcel(kg="0")) == Decimal("5.90")
    assert BY_WEIGHT.price_for(_parcel(kg="2")) == Decimal("5.90")
    assert BY_WEIGHT.price_for(_parcel(kg="2.001")) == Decimal("12.50")
    assert BY_WEIGHT.price_for(_parcel(kg="10.5")) is None


def test_value_bands_end_in_an_open_band() -> None:
    assert BY_VALUE.price_for(_parcel(value="49.99")) == Decimal("9.00")
    assert BY_VALUE.price_for(_parcel(value="5000")) == Decimal("4.00")


def test_a_method_excluding_a_category_is_not_offered_for_carts_holding_it() -> None:
    zone = _zone("US", {"US"}, methods=(STANDARD, EXPRESS))
    lamp_only = _parcel(product_ids=frozenset({LAMP}))
    with_sofa = _parcel(product_ids=frozenset({LAMP, SOFA}), category_ids=frozenset({FURNITURE}))

    assert [o.code for o in zone.options_for(lamp_only)] == ["standard", "express"]
    assert [o.code for o in zone.options_for(with_sofa)] == ["standard"]


def test_parcel_weight_is_the_sum_of_line_weights_in_kilograms() -> None:
    parcel = Parcel.of([(250, 4), (None, 2), (1500, 1)], value=Decimal(10))
    assert parcel.weight_kg == Decimal("2.5")


def test_postcodes_match_regardless_of_spacing_and_case() -> None:
    london = _zone("London", {"GB"}, postcode_prefixes=(normalize_postcode("sw1"),))
    assert zone_for([london], Destination("GB", postcode=normalize_postcode("sw1a 1aa")))


amounts = st.decimals(0, 1000, places=2)


@given(
    st.lists(st.tuples(st.decimals("0.001", 100, places=3), amounts), min_size=1, max_size=6),
    st.decimals(0, 120, places=3),
)
def test_band_price_is_the_smallest_band_reaching_the_measure(
    bands: list[tuple[Decimal, Decimal]], measure: Decimal
) -> None:
    chosen = band_price([Band(up_to, price) for up_to, price in bands], measure)
    reaching = [(up_to, price) for up_to, price in bands if measure <= up_to]
    if not reaching:
        assert chosen is None
    else:
        assert chosen == min(reaching, key=lambda band: band[0])[1]
