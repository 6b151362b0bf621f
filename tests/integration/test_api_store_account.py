"""The shopper's own account through /api/v1/me: profile, password, address book, their
data (download, erasure) and the cart-reminder setting, as the account page has them."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlmodel import select

from backend.accounts import addresses, authentication, browser_sessions
from backend.accounts.models import Address, User
from backend.accounts.schemas import Viewer
from backend.cart import owners as cart_owners
from backend.cart import services as carts
from backend.core.db import session_scope
from backend.core.errors import InvalidInputError
from backend.orders import services as orders
from tests.fixtures.accounts import PASSWORD, Credentials, MakeUser
from tests.fixtures.api_client import assert_problem, bearer, with_key
from tests.fixtures.catalog import MakeProduct
from tests.fixtures.checkout import checkout_details, tab_that_placed

NEW_PASSWORD = "heron lantern cobalt"

ADDRESS = {
    "full_name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "gb",
}


async def signed_in(make_user: MakeUser) -> tuple[Credentials, dict[str, str]]:
    credentials = await make_user()
    viewer = (
        await authentication.sign_in(email=credentials.email, password=credentials.password)
    ).viewer
    return credentials, await bearer(viewer)


# --- who may call ------------------------------------------------------------------------


async def test_every_account_route_needs_a_token(api: httpx.AsyncClient) -> None:
    some_id = uuid.uuid4()
    calls = [
        ("GET", "/me/profile", None),
        ("PATCH", "/me/profile", {"first_name": "X"}),
        ("POST", "/me/password", {"current_password": "a", "new_password": "b"}),
        ("GET", "/me/addresses", None),
        ("POST", "/me/addresses", ADDRESS),
        ("GET", f"/me/addresses/{some_id}", None),
        ("PUT", f"/me/addresses/{some_id}", ADDRESS),
        ("DELETE", f"/me/addresses/{some_id}", None),
        ("PUT", f"/me/addresses/{some_id}/default", None),
        ("GET", "/me/data-export", None),
        ("POST", "/me/erasure", {"password": "x"}),
        ("GET", "/me/cart-reminders", None),
        ("PUT", "/me/cart-reminders", {"wanted": False}),
        ("GET", f"/me/stock-notices/{some_id}", None),
        ("DELETE", f"/me/stock-notices/{some_id}", None),
    ]
    for method, path, body in calls:
        response = await api.request(method, path, json=body)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        # Bad input from a stranger is still a 401: nothing is said about what is accepted.
        bad = await api.request(method, path, json={"first_name": 5, "wanted": "yes"})
        assert_problem(bad, 401)


# --- profile -----------------------------------------------------------------------------


async def test_a_shopper_reads_and_renames_their_profile(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    credentials, headers = await signed_in(make_user)

    profile = (await api.get("/me/profile", headers=headers)).json()
    assert profile["username"] == credentials.username
    assert profile["email"] == credentials.email
    assert profile["first_name"] == "Test"
    assert profile["email_verified"] is True

    renamed = await api.patch(
        "/me/profile", json={"first_name": "  Ada "}, headers=with_key(headers)
    )
    assert renamed.status_code == 200, renamed.text
    # The last name was not sent: it stays.
    assert (renamed.json()["first_name"], renamed.json()["last_name"]) == (
        "Ada",
        credentials.username,
    )
    cleared = await api.patch("/me/profile", json={"last_name": None}, headers=headers)
    assert (cleared.json()["first_name"], cleared.json()["last_name"]) == ("Ada", "")

    again = (await api.get("/me/profile", headers=headers)).json()
    assert (again["first_name"], again["last_name"]) == ("Ada", "")
    me = (await api.get("/users/me", headers=headers)).json()  # the older route agrees
    assert (me["firstName"], me["lastName"]) == ("Ada", None)


async def test_a_bad_name_is_refused_naming_the_field_and_nothing_changes(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    credentials, headers = await signed_in(make_user)
    tab = await api.patch(
        "/me/profile", json={"first_name": "Ada", "last_name": "Love\tlace"}, headers=headers
    )
    assert "last_name" in assert_problem(tab, 400)["errors"]
    too_long = await api.patch("/me/profile", json={"first_name": "A" * 101}, headers=headers)
    assert "first_name" in assert_problem(too_long, 400)["errors"]
    wrong_type = await api.patch("/me/profile", json={"first_name": 7}, headers=headers)
    assert "first_name" in assert_problem(wrong_type, 400)["errors"]

    profile = (await api.get("/me/profile", headers=headers)).json()
    assert (profile["first_name"], profile["last_name"]) == ("Test", credentials.username)


# --- password ----------------------------------------------------------------------------


async def test_changing_the_password_needs_the_current_one_and_ends_every_sign_in(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    credentials = await make_user()
    browser = await authentication.sign_in(email=credentials.email, password=PASSWORD)
    headers = await bearer(browser.viewer)
    tokens = await api.post(
        "/auth/token",
        data={"grant_type": "password", "username": credentials.email, "password": PASSWORD},
    )
    refresh_token = tokens.json()["refresh_token"]

    wrong = await api.post(
        "/me/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers,
    )
    body = assert_problem(wrong, 400)
    assert set(body["errors"]) == {"current_password"}
    weak = await api.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": "short"},
        headers=headers,
    )
    assert set(assert_problem(weak, 400)["errors"]) == {"new_password"}
    # Refused twice: the old password still signs in, the browser is still signed in.
    await authentication.sign_in(email=credentials.email, password=PASSWORD)
    assert await browser_sessions.resolve_session(browser.session_token) is not None

    changed = await api.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=with_key(headers),
    )
    assert changed.status_code == 204, changed.text

    assert await browser_sessions.resolve_session(browser.session_token) is None
    spent = await api.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )
    assert_problem(spent, 400)
    old = await api.post(
        "/auth/token",
        data={"grant_type": "password", "username": credentials.email, "password": PASSWORD},
    )
    assert_problem(old, 400)
    new = await api.post(
        "/auth/token",
        data={"grant_type": "password", "username": credentials.email, "password": NEW_PASSWORD},
    )
    assert new.status_code == 200, new.text


# --- addresses ---------------------------------------------------------------------------


async def test_the_address_book_round_trip(api: httpx.AsyncClient, make_user: MakeUser) -> None:
    _, headers = await signed_in(make_user)
    assert (await api.get("/me/addresses", headers=headers)).json() == []

    first = await api.post("/me/addresses", json=ADDRESS, headers=with_key(headers))
    assert first.status_code == 201, first.text
    home = first.json()
    assert home["country"] == "GB"  # stored upper case
    assert home["is_default"] is True  # the first address is the default
    assert (home["line2"], home["region"], home["phone"]) == ("", "", "")
    assert first.headers["Location"] == f"/api/v1/me/addresses/{home['id']}"
    read = await api.get(f"/me/addresses/{home['id']}", headers=headers)
    assert read.json() == home

    work = (
        await api.post(
            "/me/addresses",
            json={**ADDRESS, "full_name": "Ada at work", "phone": "+44 20 7946 0000"},
            headers=headers,
        )
    ).json()
    assert work["is_default"] is False

    made_default = await api.put(f"/me/addresses/{work['id']}/default", headers=headers)
    assert made_default.status_code == 200
    assert [(a["id"], a["is_default"]) for a in made_default.json()] == [
        (work["id"], True),
        (home["id"], False),
    ]

    edited = await api.put(
        f"/me/addresses/{home['id']}",
        json={**ADDRESS, "line2": "Flat 3", "city": "Bath"},
        headers=headers,
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["line2"], edited.json()["city"]) == ("Flat 3", "Bath")

    deleted = await api.delete(f"/me/addresses/{work['id']}", headers=headers)
    assert deleted.status_code == 204
    book = (await api.get("/me/addresses", headers=headers)).json()
    # The default went: the one left is the default now.
    assert [(a["id"], a["city"], a["is_default"]) for a in book] == [(home["id"], "Bath", True)]


async def test_another_shoppers_address_is_not_found(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await signed_in(make_user)
    _, stranger = await signed_in(make_user)
    theirs = (await api.post("/me/addresses", json=ADDRESS, headers=owner)).json()
    path = f"/me/addresses/{theirs['id']}"

    assert_problem(await api.get(path, headers=stranger), 404)
    assert_problem(await api.put(path, json={**ADDRESS, "city": "Bath"}, headers=stranger), 404)
    assert_problem(await api.delete(path, headers=stranger), 404)
    assert_problem(await api.put(path + "/default", headers=stranger), 404)
    assert_problem(await api.get(f"/me/addresses/{uuid.uuid4()}", headers=owner), 404)
    assert_problem(await api.get("/me/addresses/not-an-id", headers=owner), 400)

    # Untouched, and the stranger's book is still empty.
    assert (await api.get(path, headers=owner)).json() == theirs
    assert (await api.get("/me/addresses", headers=stranger)).json() == []


async def test_bad_addresses_are_refused_field_by_field_and_nothing_is_saved(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await signed_in(make_user)
    user_id = (await api.get("/me/profile", headers=headers)).json()["user_id"]
    refused = await api.post(
        "/me/addresses",
        json={**ADDRESS, "postal_code": "!", "country": "Britain", "phone": "call me"},
        headers=headers,
    )
    assert {"postal_code", "country", "phone"} <= set(assert_problem(refused, 400)["errors"])
    # 31 characters fit the phone pattern but not the address book: refused, not a 500.
    long_phone = await api.post(
        "/me/addresses", json={**ADDRESS, "phone": "+1" + "2" * 28 + "3"}, headers=headers
    )
    assert set(assert_problem(long_phone, 400)["errors"]) == {"phone"}
    with pytest.raises(InvalidInputError) as refused_by_the_service:  # the account page's way
        await addresses.add_address(uuid.UUID(user_id), {**ADDRESS, "phone": "+1" + "2" * 28 + "3"})
    assert set(refused_by_the_service.value.field_errors) == {"phone"}
    blank = await api.post("/me/addresses", json={**ADDRESS, "full_name": "   "}, headers=headers)
    assert "full_name" in assert_problem(blank, 400)["errors"]
    missing = await api.post("/me/addresses", json={"full_name": "Ada"}, headers=headers)
    assert {"line1", "city", "postal_code", "country"} <= set(
        assert_problem(missing, 400)["errors"]
    )
    assert (await api.get("/me/addresses", headers=headers)).json() == []

    saved = (await api.post("/me/addresses", json=ADDRESS, headers=headers)).json()
    bad_edit = await api.put(
        f"/me/addresses/{saved['id']}", json={**ADDRESS, "city": ""}, headers=headers
    )
    assert "city" in assert_problem(bad_edit, 400)["errors"]
    assert (await api.get(f"/me/addresses/{saved['id']}", headers=headers)).json() == saved


async def test_a_full_address_book_takes_no_more(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    credentials, headers = await signed_in(make_user)
    async with session_scope() as session:
        user = (await session.exec(select(User).where(User.email == credentials.email))).one()
        for number in range(20):
            session.add(
                Address(
                    user_id=user.id,
                    full_name=f"Ada {number}",
                    line1="1 Road",
                    city="Bath",
                    postal_code="BA1 1AA",
                    country="GB",
                    is_default=number == 0,
                )
            )
    refused = await api.post("/me/addresses", json=ADDRESS, headers=headers)
    assert "at most 20" in assert_problem(refused, 400)["detail"]
    assert len((await api.get("/me/addresses", headers=headers)).json()) == 20


# --- the shopper's data ------------------------------------------------------------------


async def test_a_shopper_downloads_their_data(api: httpx.AsyncClient, make_user: MakeUser) -> None:
    credentials, headers = await signed_in(make_user)
    await api.post("/me/addresses", json=ADDRESS, headers=headers)

    response = await api.get("/me/data-export", headers=headers)

    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    document = response.json()
    assert document["account"]["email"] == credentials.email
    assert document["account"]["username"] == credentials.username
    assert [a["full_name"] for a in document["addresses"]] == ["Ada Lovelace"]
    assert document["cart_reminders"] == {"opted_out": False}


async def test_erasure_needs_the_password_and_waits_for_open_orders(
    api: httpx.AsyncClient, make_user: MakeUser, make_product: MakeProduct
) -> None:
    credentials = await make_user()
    viewer: Viewer = (
        await authentication.sign_in(email=credentials.email, password=PASSWORD)
    ).viewer
    headers = await bearer(viewer)

    wrong = await api.post("/me/erasure", json={"password": "not it"}, headers=headers)
    assert set(assert_problem(wrong, 400)["errors"]) == {"password"}

    owner = cart_owners.user_owner(viewer.user_id)
    await carts.add_item(owner, await make_product(), 1)
    placed = await orders.place_order(
        cart_owner=owner,
        details=checkout_details(email=viewer.email),
        checkout_key=uuid.uuid4().hex,
        user_id=viewer.user_id,
    )
    open_order = await api.post("/me/erasure", json={"password": PASSWORD}, headers=headers)
    assert placed.number in assert_problem(open_order, 409)["detail"]
    # Nothing erased: the account still answers.
    assert (await api.get("/me/profile", headers=headers)).json()["email"] == credentials.email

    await orders.cancel_unpaid_order(placed.id, shopper=tab_that_placed(placed.id))
    erased = await api.post("/me/erasure", json={"password": PASSWORD}, headers=with_key(headers))
    assert erased.status_code == 200, erased.text
    assert erased.json() == {"user_id": str(viewer.user_id), "orders_anonymised": 1}

    assert_problem(await api.get("/me/profile", headers=headers), 401)
    gone = await api.post(
        "/auth/token",
        data={"grant_type": "password", "username": credentials.email, "password": PASSWORD},
    )
    assert_problem(gone, 400)


# --- cart reminders ----------------------------------------------------------------------


async def test_a_shopper_turns_cart_reminders_off_and_on(
    api: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await signed_in(make_user)
    assert (await api.get("/me/cart-reminders", headers=headers)).json() == {"wanted": True}

    off = await api.put("/me/cart-reminders", json={"wanted": False}, headers=with_key(headers))
    assert off.json() == {"wanted": False}
    assert (await api.get("/me/cart-reminders", headers=headers)).json() == {"wanted": False}
    export = (await api.get("/me/data-export", headers=headers)).json()
    assert export["cart_reminders"] == {"opted_out": True}

    # Only a real boolean: "yes" or 1 is refused and the setting stays.
    for bad in ("yes", 1, None):
        refused = await api.put("/me/cart-reminders", json={"wanted": bad}, headers=headers)
        assert "wanted" in assert_problem(refused, 400)["errors"]
    assert (await api.get("/me/cart-reminders", headers=headers)).json() == {"wanted": False}

    on = await api.put("/me/cart-reminders", json={"wanted": True}, headers=headers)
    assert on.json() == {"wanted": True}
    assert (await api.get("/me/cart-reminders", headers=headers)).json() == {"wanted": True}
