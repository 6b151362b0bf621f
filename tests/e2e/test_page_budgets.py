"""What each step of a shopper's way through the storefront costs the server, per tab: the
Redis commands the web process sends for it and the bytes of Reflex state the tab then
keeps in Redis (issue #24's budgets, beside the SQL statement budget of
tests/integration/test_catalog_listing.py).

One guest tab (the real websocket, tests/fixtures/hostile_client.py) walks the way the
journey benchmark does: the home page as a first load, then in-app navigations (Reflex's
`on_load_internal`, as a click on a link sends) to a category, a product, the search
results, the cart with the product in it and the checkout. Each step is measured from its
first event until everything it chained has run. The tab's probes (how the client knows
the server is done) cost commands of their own: those of a quiet round of probes after
each step are taken off.

The serving process keeps a tab's state between its events (Reflex's opportunistic lock,
rxconfig.py) and writes it back to Redis 5 s after taking it: a step that meets that moment
pays for the write and for taking the tab again (about 8 commands), which the budgets
allow. Without the lock in memory each event costs four commands (lock, read, write,
unlock) and every page load is over its budget. The tab's state is weighed once written
back, after the whole walk: it only grows as pages are visited.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest

from backend.settings import get_settings
from storefront.pages.cart import CartState
from tests.e2e.data import create_category, create_product, run, wait_until_searchable
from tests.fixtures.hostile_client import ON_LOAD_INTERNAL, HostileBrowser, event_name
from tests.fixtures.redis_commands import RedisCommandLog
from tests.fixtures.waiting import eventually

# Per step: at most this many Redis commands from the web process, and at most this many
# bytes of Reflex state kept for the tab once the step is done (issue #24: ≤ 50 KB).
COMMAND_BUDGETS = {
    "home": 20,
    "category": 15,
    "product": 15,
    "add to cart": 13,
    "search": 12,
    "cart": 12,
    "checkout": 14,
}
STATE_BYTES_BUDGET = 50_000


@dataclass(frozen=True)
class StepCost:
    step: str
    commands: int
    sent: list[str]


@dataclass(frozen=True)
class Walk:
    steps: list[StepCost]
    state_bytes: int  # the tab's Reflex state in Redis at the end


def cart_cookie(base_url: str) -> str:
    """The guest cart cookie the first HTML response hands out, as a browser keeps it."""
    name = get_settings().cart_cookie_name
    response = httpx.get(base_url + "/", timeout=30)
    response.raise_for_status()
    return f"{name}={response.cookies[name]}"


def walk(base_url: str, slugs: dict[str, str], word: str) -> Walk:
    settings = get_settings()
    log = RedisCommandLog(settings.redis_url, urlsplit(base_url).port or 80)
    costs: list[StepCost] = []
    weighed: list[int] = []

    async def scenario() -> None:
        async with HostileBrowser(
            base_url, extra_headers={"Cookie": cart_cookie(base_url)}
        ) as browser:

            async def measure(step: str, act: Callable[[], object]) -> None:
                with log.recording() as recording:
                    await act()  # type: ignore[misc]
                with log.recording() as quiet:
                    await browser.settle()
                costs.append(StepCost(step, len(recording) - len(quiet), recording.commands))

            async def navigate(path: str) -> None:
                await browser.send(ON_LOAD_INTERNAL, {}, path=path)
                await browser.settle()

            async def add_to_cart() -> None:
                variant = browser.merged_state()
                product_state = next(k for k in variant if k.endswith("product_state"))
                chosen = variant[product_state]["variant_rx_state_"]
                await browser.call(
                    event_name(CartState, "add"),
                    {"variant_id": chosen["id"], "quantity": "1"},
                    path=f"/products/{slugs['product']}",
                )

            await measure("home", lambda: browser.hydrate("/"))
            await measure("category", lambda: navigate(f"/categories/{slugs['category']}"))
            await measure("product", lambda: navigate(f"/products/{slugs['product']}"))
            await measure("add to cart", add_to_cart)
            await measure("search", lambda: navigate(f"/search?q={word}"))
            await measure("cart", lambda: navigate("/cart"))
            await measure("checkout", lambda: navigate("/checkout"))
            weighed.append(await eventually(lambda: log.written_back(browser.token), within=20))

    run(scenario)
    return Walk(costs, weighed[0])


@pytest.fixture(scope="module")
def shelf(live_shop: str) -> tuple[dict[str, str], str]:
    unique = uuid.uuid4().hex[:8]
    category_id = create_category(unique, name="Budget shelf")
    word = f"budgetlamp{unique}"
    product = create_product(unique, name=f"Lamp {word}", category_id=category_id, stock=50)
    wait_until_searchable(word)
    return {"category": f"budget-shelf-{unique}", "product": product}, word


def test_each_step_stays_within_its_redis_and_state_budgets(
    live_shop: str, shelf: tuple[dict[str, str], str]
) -> None:
    slugs, word = shelf
    walk(live_shop, slugs, word)  # a first tab fills the shop's caches, as shoppers before
    measured = walk(live_shop, slugs, word)
    report = "\n".join(f"{cost.step:<12} {cost.commands:>4} commands" for cost in measured.steps)
    assert [cost.step for cost in measured.steps] == list(COMMAND_BUDGETS)
    for cost in measured.steps:
        assert cost.commands <= COMMAND_BUDGETS[cost.step], (
            f"{report}\n\n{cost.step}: {cost.commands} Redis commands (budget "
            f"{COMMAND_BUDGETS[cost.step]}):\n" + "\n".join(c[:160] for c in cost.sent)
        )
    assert 0 < measured.state_bytes <= STATE_BYTES_BUDGET
