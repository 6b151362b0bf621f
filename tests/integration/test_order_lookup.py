"""Finding a guest's order by number and e-mail address (backend.orders.lookup), the one
service behind the shop's "Find your order" page and POST /api/v1/orders/lookup: guessing
the pair is refused after ten misses from one address, whatever the next guess is."""

from __future__ import annotations

import uuid

import httpx
import pytest

from backend.accounts.errors import TooManyAttemptsError
from backend.core.errors import NotFoundError
from backend.orders import lookup
from tests.fixtures.api_client import assert_problem, own_address
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import PlaceOrder


async def test_ten_misses_from_one_address_stop_its_lookups_for_a_while(
    make_product: MakeProduct, place_order: PlaceOrder, unique: str
) -> None:
    email = f"buyer-{unique}@example.com"
    placed = await place_order({await make_product(): 1}, email=email)
    guesser, neighbour = own_address(), own_address()

    assert await lookup.look_up_order(email.upper(), f" {placed.number} ", asker=guesser) == (
        placed.id
    )
    for attempt in range(10):
        with pytest.raises(NotFoundError):
            await lookup.look_up_order(email, f"KG-GUESS-{attempt:04d}", asker=guesser)

    with pytest.raises(TooManyAttemptsError) as refused:
        await lookup.look_up_order(email, placed.number, asker=guesser)  # right, yet refused
    assert "Try again in" in refused.value.message
    assert refused.value.data["retry_after"] > 0
    # Another address is not held back by this one's guesses.
    assert await lookup.look_up_order(email, placed.number, asker=neighbour) == placed.id


async def test_found_lookups_do_not_count(
    make_product: MakeProduct, place_order: PlaceOrder, unique: str
) -> None:
    email = f"buyer-{unique}@example.com"
    placed = await place_order({await make_product(): 1}, email=email)
    asker = own_address()

    for _ in range(15):
        assert await lookup.look_up_order(email, placed.number, asker=asker) == placed.id


async def test_the_api_says_when_to_try_again(
    api: httpx.AsyncClient, make_product: MakeProduct, place_order: PlaceOrder, unique: str
) -> None:
    email = f"buyer-{unique}@example.com"
    placed = await place_order({await make_product(): 1}, email=email)
    for _ in range(10):
        guess = {"number": f"KG-{uuid.uuid4().hex[:4]}", "email": email}
        answer = await api.post("/orders/lookup", json=guess)
        if answer.status_code == 429:
            break  # the API's own per-address request limit came first: also a refusal
        assert_problem(answer, 404)

    refused = await api.post("/orders/lookup", json={"number": placed.number, "email": email})
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
