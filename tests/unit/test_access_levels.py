"""The access guard's decisions, without a browser: who may drive which State and handler."""

import pytest
import reflex as rx

from admin.pages.order_actions import OrderAdminState
from admin.pages.order_returns import OrderReturnsAdminState
from admin.state import AdminState
from backend.accounts.permissions import DEFAULT_GROUPS, DefaultGroup, Permission
from storefront.pages.home import HomeState
from ui.access import Access, handler_permissions, is_allowed, required_access


class _UndeclaredState(rx.State):
    """A state someone forgot to give an access level."""

    secret: str = ""


class _StaffStateWithoutPermission(AdminState):
    """A staff state someone forgot to give a permission."""

    figures: str = ""

    @rx.event
    def load(self) -> None:
        self.figures = "secret"


def test_a_state_without_a_declared_level_is_refused_for_everyone() -> None:
    assert required_access(_UndeclaredState) is None


def test_a_staff_state_without_a_permission_is_refused_even_to_administrators() -> None:
    needs = handler_permissions(_StaffStateWithoutPermission, "load")
    everything = DEFAULT_GROUPS[DefaultGroup.ADMINISTRATORS].permissions
    assert needs == frozenset()
    assert not is_allowed(Access.STAFF, signed_in=True, permissions=everything, needs=needs)


def test_every_admin_state_names_the_permission_it_needs() -> None:
    import admin.pages.registry  # noqa: F401  (every admin page and its states)

    pending, undeclared = list(AdminState.get_substates()), []
    while pending:
        state_cls = pending.pop()
        pending.extend(state_cls.get_substates())
        if state_cls is not _StaffStateWithoutPermission and not isinstance(
            state_cls.permission, Permission
        ):
            undeclared.append(state_cls.__name__)
    assert undeclared == []


def test_admin_states_need_staff_and_storefront_states_are_public() -> None:
    assert required_access(AdminState) is Access.STAFF
    assert required_access(HomeState) is Access.PUBLIC


def test_order_handlers_need_their_own_permission_beyond_seeing_the_order() -> None:
    assert handler_permissions(OrderAdminState, "load") == {Permission.ORDERS_VIEW}
    assert handler_permissions(OrderAdminState, "fulfil") == {
        Permission.ORDERS_VIEW,
        Permission.ORDERS_FULFIL,
    }
    assert handler_permissions(OrderAdminState, "refund") == {
        Permission.ORDERS_VIEW,
        Permission.ORDERS_REFUND,
    }
    assert Permission.ORDERS_FULFIL in handler_permissions(OrderReturnsAdminState, "receive")
    assert Permission.ORDERS_REFUND in handler_permissions(OrderReturnsAdminState, "approve")


ADMIN = DEFAULT_GROUPS[DefaultGroup.ADMINISTRATORS].permissions
MODERATOR = DEFAULT_GROUPS[DefaultGroup.MODERATORS].permissions
PACKER = DEFAULT_GROUPS[DefaultGroup.FULFILMENT].permissions
SHOPPER: frozenset[Permission] = frozenset()
VIEW = frozenset({Permission.ORDERS_VIEW})
FULFIL = VIEW | {Permission.ORDERS_FULFIL}
REFUND = VIEW | {Permission.ORDERS_REFUND}


@pytest.mark.parametrize(
    ("access", "signed_in", "permissions", "needs", "allowed"),
    [
        (Access.PUBLIC, False, SHOPPER, frozenset(), True),
        (Access.SIGNED_IN, False, SHOPPER, frozenset(), False),
        (Access.SIGNED_IN, True, SHOPPER, frozenset(), True),
        (Access.STAFF, False, SHOPPER, VIEW, False),
        (Access.STAFF, True, SHOPPER, VIEW, False),
        (Access.STAFF, True, PACKER, VIEW, True),
        (Access.STAFF, True, PACKER, FULFIL, True),
        (Access.STAFF, True, PACKER, REFUND, False),
        (Access.STAFF, True, MODERATOR, VIEW, False),
        (Access.STAFF, True, MODERATOR, frozenset({Permission.REVIEWS}), True),
        (Access.STAFF, True, ADMIN, REFUND, True),
        # Permissions without a signed-in session never count (a stale or forged set).
        (Access.STAFF, False, ADMIN, REFUND, False),
    ],
)
def test_permission_matrix(
    access: Access,
    signed_in: bool,
    permissions: frozenset[Permission],
    needs: frozenset[Permission],
    allowed: bool,
) -> None:
    assert is_allowed(access, signed_in=signed_in, permissions=permissions, needs=needs) is allowed
