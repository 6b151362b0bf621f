"""The demo data is seeded once: running the seed again adds nothing."""

from backend.catalog import queries as catalog
from backend.demo.seed import seed_demo_data


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
