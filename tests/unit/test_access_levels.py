"""The access guard's decisions, without a browser: who may drive which State."""

import pytest
import reflex as rx

from admin.state import AdminState
from backend.accounts.roles import RoleName
from storefront.pages.home import HomeState
from ui.access import Access, is_allowed, required_access


class _UndeclaredState(rx.State):
    """A state someone forgot to give an access level."""

    secret: str = ""


def test_a_state_without_a_declared_level_is_refused_for_everyone() -> None:
    assert required_access(_UndeclaredState) is None


def test_admin_states_need_staff_and_storefront_states_are_public() -> None:
    assert required_access(AdminState) is Access.STAFF
    assert required_access(HomeState) is Access.PUBLIC


ADMIN = frozenset({RoleName.ADMIN, RoleName.USER})
MODERATOR = frozenset({RoleName.MODERATOR, RoleName.USER})
SHOPPER = frozenset({RoleName.USER})


@pytest.mark.parametrize(
    ("access", "signed_in", "roles", "allowed"),
    [
        (Access.PUBLIC, False, frozenset(), True),
        (Access.SIGNED_IN, False, frozenset(), False),
        (Access.SIGNED_IN, True, SHOPPER, True),
        (Access.STAFF, False, frozenset(), False),
        (Access.STAFF, True, SHOPPER, False),
        (Access.STAFF, True, MODERATOR, True),
        (Access.STAFF, True, ADMIN, True),
        (Access.ADMIN, True, MODERATOR, False),
        (Access.ADMIN, True, ADMIN, True),
        # Roles without a signed-in session never count (a stale or forged role set).
        (Access.ADMIN, False, ADMIN, False),
    ],
)
def test_permission_matrix(
    access: Access, signed_in: bool, roles: frozenset[RoleName], allowed: bool
) -> None:
    assert is_allowed(access, signed_in=signed_in, roles=roles) is allowed
