"""The demo data is seeded once: running the seed again adds nothing. Its collections
reach the home page, each with products."""

from backend.catalog import queries as catalog
from backend.demo.seed import DEMO_COLLECTIONS, seed_demo_data
from backend.merchandising.queries import list_home_collections
from backend.merchandising.storefront_catalog import list_collection_products


async def test_seeding_twice_adds_nothing_the_second_time() -> None:
    await seed_demo_data(images=False)
    before = await catalog.get_catalog_counts()

    report = await seed_demo_data(images=False)

    assert (report.categories_created, report.products_created, report.accounts_created) == (
        0,
        0,
        0,
    )
    assert await catalog.get_catalog_counts() == before
    assert before.products >= 48
    assert before.out_of_stock >= 1
    assert report.collections_created == 0


async def test_the_demo_collections_are_on_the_home_page_with_products() -> None:
    await seed_demo_data(images=False)
    home = [collection.slug for collection in await list_home_collections()]
    demo = [collection["slug"] for collection in DEMO_COLLECTIONS]
    assert [slug for slug in home if slug in demo] == demo
    for slug in demo:
        found = await list_collection_products(slug, {}, strict=True)
        assert found.listing.total > 0, slug
