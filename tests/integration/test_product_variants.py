"""A product's options and variants: the editor's save, the bulk table, and the product
row kept as a summary of its variants (docs/adr/0007-product-variants.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.catalog import queries, variants
from backend.catalog.errors import DuplicateSkuError
from backend.catalog.variant_inputs import OptionInput, variant_matrix
from backend.catalog.variant_queries import (
    get_variant_summaries,
    variant_for_product,
)
from backend.core.errors import InvalidInputError
from tests.fixtures.accounts import catalog_manager
from tests.fixtures.catalog import MakeProduct


def _jacket(sku: str, *, m_price: str = "80.00") -> dict[str, object]:
    sizes = ["S", "M", "L"]
    colours = ["Navy", "Red"]
    rows = []
    for size, colour in variant_matrix(
        [OptionInput(name="Size", values=sizes), OptionInput(name="Colour", values=colours)]
    ):
        rows.append(
            {
                "sku": f"{sku}-{size}-{colour}",
                "price": m_price if size == "M" else "70.00",
                "option_values": [size, colour],
                "stock_quantity": 0 if (size, colour) == ("S", "Red") else 4,
            }
        )
    return {
        "options": [{"name": "Size", "values": sizes}, {"name": "Colour", "values": colours}],
        "variants": rows,
        "default_sku": f"{sku}-M-Navy",
    }


async def test_a_new_product_has_one_default_variant_under_its_own_id(
    make_product: MakeProduct,
) -> None:
    product_id = await make_product(stock_quantity=7)
    record = await queries.get_product(product_id)
    assert record.options == ()
    [variant] = record.variants
    assert variant.id == product_id
    assert variant.is_default
    assert (variant.sku, variant.price, variant.stock_quantity) == (
        record.summary.sku,
        record.summary.price,
        7,
    )
    assert await variant_for_product(product_id) == product_id


async def test_saving_variants_makes_the_product_a_summary_of_them(
    make_product: MakeProduct, unique: str
) -> None:
    product_id = await make_product(price=Decimal("99.00"), stock_quantity=3)
    await variants.save_variants(product_id, _jacket(f"J{unique}"), actor=await catalog_manager())

    record = await queries.get_product(product_id)
    assert [option.name for option in record.options] == ["Size", "Colour"]
    assert [value.value for value in record.options[0].values] == ["S", "M", "L"]
    assert len(record.variants) == 6
    # The lowest active price, the default's SKU, the sum of the stock.
    assert record.summary.price == Decimal("70.00")
    assert record.summary.sku == f"J{unique}-M-Navy"
    assert record.summary.stock_quantity == 5 * 4
    by_title = {variant.title: variant for variant in record.variants}
    assert by_title["M / Navy"].is_default
    assert by_title["M / Navy"].price == Decimal("80.00")

    summaries = await get_variant_summaries([by_title["S / Red"].id])
    sold_out = summaries[by_title["S / Red"].id]
    assert sold_out.display_name.endswith("(S / Red)")
    assert sold_out.stock_quantity == 0
    with pytest.raises(InvalidInputError):
        await variant_for_product(product_id)  # several variants: the shopper chooses


async def test_saving_again_keeps_named_variants_and_their_stock(
    make_product: MakeProduct, unique: str
) -> None:
    product_id = await make_product()
    manager = await catalog_manager()
    await variants.save_variants(product_id, _jacket(f"K{unique}"), actor=manager)
    record = await queries.get_product(product_id)
    kept = next(v for v in record.variants if v.title == "L / Red")
    # Swap the sizes' order and drop S: kept variants keep their ids and stock.
    data = {
        "options": [{"name": "Size", "values": ["L", "M"]}, {"name": "Colour", "values": ["Red"]}],
        "variants": [
            {"id": str(kept.id), "sku": kept.sku, "price": "75.00", "option_values": ["L", "Red"]},
            {"sku": f"K{unique}-M-Red2", "price": "76.00", "option_values": ["M", "Red"]},
        ],
    }
    await variants.save_variants(product_id, data, actor=manager)
    record = await queries.get_product(product_id)
    assert [v.title for v in record.variants] == ["L / Red", "M / Red"]
    assert record.variants[0].id == kept.id
    assert record.variants[0].stock_quantity == 4
    assert record.summary.stock_quantity == 4
    assert record.summary.price == Decimal("75.00")
    assert record.summary.sku == kept.sku  # the first is the default when none is named


async def test_bad_variant_sets_are_refused_with_reasons_and_change_nothing(
    make_product: MakeProduct, unique: str
) -> None:
    taken = await make_product(sku=f"TAKEN-{unique}")
    product_id = await make_product()
    manager = await catalog_manager()
    with pytest.raises(InvalidInputError) as refused:
        await variants.save_variants(
            product_id,
            {
                "options": [{"name": "Size", "values": ["S"]}],
                "variants": [{"sku": f"X{unique}", "price": "1.00"}],
            },
            actor=manager,
        )
    assert "one value for each option" in str(refused.value.field_errors)
    with pytest.raises(InvalidInputError) as refused:
        await variants.save_variants(
            product_id,
            {"variants": [{"sku": f"X{unique}", "price": "10.00", "compare_at_price": "9.00"}]},
            actor=manager,
        )
    assert "compare-at price" in str(refused.value.field_errors)
    with pytest.raises(DuplicateSkuError):
        await variants.save_variants(
            product_id,
            {"variants": [{"sku": f"TAKEN-{unique}", "price": "10.00"}]},
            actor=manager,
        )
    record = await queries.get_product(product_id)
    assert len(record.variants) == 1
    assert record.variants[0].id == product_id
    assert taken != product_id


async def test_bulk_table_prices_one_row_and_the_summary_follows(
    make_product: MakeProduct, unique: str
) -> None:
    product_id = await make_product()
    manager = await catalog_manager()
    await variants.save_variants(product_id, _jacket(f"B{unique}"), actor=manager)
    record = await queries.get_product(product_id)
    cheap = [v for v in record.variants if v.price == Decimal("70.00")]
    changed = await variants.update_variants(
        product_id,
        {v.id: {"price": "60.00", "compare_at_price": "70.00"} for v in cheap},
        actor=manager,
    )
    assert changed == len(cheap)
    record = await queries.get_product(product_id)
    assert record.summary.price == Decimal("60.00")
    assert all(v.compare_at_price == Decimal("70.00") for v in record.variants if v.price == 60)


async def test_a_single_variant_products_price_edit_goes_to_its_variant(
    make_product: MakeProduct,
) -> None:
    from backend.catalog import services

    product_id = await make_product(price=Decimal("10.00"))
    await services.update_product(product_id, {"price": "12.00"}, actor=await catalog_manager())
    record = await queries.get_product(product_id)
    assert record.summary.price == Decimal("12.00")
    assert record.variants[0].price == Decimal("12.00")


async def test_listing_cards_say_from_the_lowest_price_and_list_the_colours(
    make_product: MakeProduct, unique: str, category: object
) -> None:
    from backend.catalog import listing_queries
    from backend.catalog.listing import parse_listing_query
    from backend.catalog.queries import get_category_tree

    product_id = await make_product(name=f"Listed Jacket {unique}")
    await variants.save_variants(product_id, _jacket(f"L{unique}"), actor=await catalog_manager())
    plain = await make_product(name=f"Listed Mug {unique}", price=Decimal("9.00"))
    tree = await get_category_tree()
    slug = next(node.slug for node in tree.nodes if node.id == category)
    listing = await listing_queries.list_products(
        parse_listing_query({"category": slug}, strict=True)
    )
    cards = {item.id: item for item in listing.items}
    jacket = cards[product_id]
    assert (jacket.price, jacket.price_max) == (Decimal("70.00"), Decimal("80.00"))
    assert jacket.card_price_display == "From $70.00"
    assert jacket.colours == ("Navy", "Red")
    assert cards[plain].card_price_display == "$9.00"
    assert cards[plain].colours == ()


async def test_listings_filter_and_count_by_size_with_in_stock_meaning_that_size(
    make_product: MakeProduct, unique: str, category: object
) -> None:
    from backend.catalog import listing_queries
    from backend.catalog.listing import parse_listing_query
    from backend.catalog.queries import get_category_tree
    from backend.inventory import services as inventory

    manager = await catalog_manager()
    jacket = await make_product(name=f"Facet Jacket {unique}")
    await variants.save_variants(jacket, _jacket(f"F{unique}"), actor=manager)
    coat = await make_product(name=f"Facet Coat {unique}")
    await variants.save_variants(
        coat,
        {
            "options": [{"name": "Size", "values": ["M", "L"]}],
            "variants": [
                {"sku": f"FC{unique}-M", "price": "99.00", "option_values": ["M"]},
                {"sku": f"FC{unique}-L", "price": "99.00", "option_values": ["L"]},
            ],
        },
        actor=manager,
    )
    plain = await make_product(name=f"Facet Scarf {unique}")
    slug = next(n.slug for n in (await get_category_tree()).nodes if n.id == category)

    async def listed(**params: str) -> tuple[set[object], dict[str, dict[str, int]]]:
        listing = await listing_queries.list_products(
            parse_listing_query({"category": slug, **params}, strict=True), with_facets=True
        )
        facets = {
            name: {facet.value: facet.count for facet in values}
            for name, values in listing.attributes.items()
        }
        return {item.id for item in listing.items}, facets

    found, facets = await listed()
    assert found == {jacket, coat, plain}
    assert facets["size"] == {"L": 2, "M": 2, "S": 1}
    assert facets["colour"] == {"Navy": 1, "Red": 1}

    found, _ = await listed(size="M")
    assert found == {jacket, coat}
    # The coat's sizes have no stock: "M, in stock only" leaves only the jacket.
    found, facets = await listed(size="M", in_stock="1")
    assert found == {jacket}
    assert facets["size"] == {"L": 1, "M": 1, "S": 1}
    found, _ = await listed(size="S", colour="Red", in_stock="1")
    assert found == set()  # S / Red is sold out; S / Navy is not Red
    found, _ = await listed(size="S", colour="Navy", in_stock="1")
    assert found == {jacket}

    # One size comes back: the listing follows at once (the cache is invalidated).
    coat_m = next(v.id for v in (await queries.get_product(coat)).variants if v.title == "M")
    await inventory.adjust_stock(coat_m, change=2, reason="restock", actor=manager)
    found, _ = await listed(size="M", in_stock="1")
    assert found == {jacket, coat}
