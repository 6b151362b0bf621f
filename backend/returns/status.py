"""The lifecycle of a return request, one transition table like the order's.

requested → approved | rejected; approved → received (the parcel is back, optionally
restocked); received → refunded (money back through the gateway) or exchanged (every
line was swapped for another variant and nothing is left to give back). Rejected,
refunded and exchanged are final. Any other step is refused with a clear error. Staff screens ask
`allowed_actions` which of their buttons a return's state allows.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from backend.accounts.permissions import Permission
from backend.returns.errors import InvalidReturnTransitionError


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"


RETURN_STATUSES = tuple(s.value for s in ReturnStatus)

RETURN_TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    ReturnStatus.REQUESTED: frozenset({ReturnStatus.APPROVED, ReturnStatus.REJECTED}),
    ReturnStatus.APPROVED: frozenset({ReturnStatus.RECEIVED}),
    ReturnStatus.RECEIVED: frozenset({ReturnStatus.REFUNDED, ReturnStatus.EXCHANGED}),
    ReturnStatus.REJECTED: frozenset(),
    ReturnStatus.REFUNDED: frozenset(),
    ReturnStatus.EXCHANGED: frozenset(),
}


class ReturnAction(StrEnum):
    """What staff do to a return, each one step of the table above."""

    APPROVE = "approve"
    REJECT = "reject"
    RECEIVE = "receive"
    REFUND = "refund"


ACTION_TARGETS: dict[ReturnAction, ReturnStatus] = {
    ReturnAction.APPROVE: ReturnStatus.APPROVED,
    ReturnAction.REJECT: ReturnStatus.REJECTED,
    ReturnAction.RECEIVE: ReturnStatus.RECEIVED,
    ReturnAction.REFUND: ReturnStatus.REFUNDED,
}

# Returns that still count against what was delivered (a rejected one gives it back).
OPEN_OR_DONE = frozenset(RETURN_TRANSITIONS) - {ReturnStatus.REJECTED}

_LABELS = {
    ReturnStatus.REQUESTED: "requested, awaiting review",
    ReturnStatus.APPROVED: "approved, awaiting the parcel",
    ReturnStatus.REJECTED: "rejected",
    ReturnStatus.RECEIVED: "received, refund on its way",
    ReturnStatus.REFUNDED: "refunded",
    ReturnStatus.EXCHANGED: "exchanged",
}


def label(status: str) -> str:
    return _LABELS.get(ReturnStatus(status), status) if status in RETURN_STATUSES else status


def can_move(current: str, target: ReturnStatus) -> bool:
    return current in RETURN_STATUSES and target in RETURN_TRANSITIONS[ReturnStatus(current)]


def allowed_actions(current: str) -> frozenset[ReturnAction]:
    """The staff actions a return in `current` allows (none for an unknown status)."""
    return frozenset(
        action for action, target in ACTION_TARGETS.items() if can_move(current, target)
    )


# Who may take each step (the services check it again).
ACTION_PERMISSIONS: dict[ReturnAction, Permission] = {
    ReturnAction.APPROVE: Permission.ORDERS_REFUND,
    ReturnAction.REJECT: Permission.ORDERS_REFUND,
    ReturnAction.RECEIVE: Permission.ORDERS_FULFIL,
    ReturnAction.REFUND: Permission.ORDERS_REFUND,
}


def staff_actions(current: str, permissions: Collection[Permission]) -> frozenset[ReturnAction]:
    """The steps a return in `current` allows that staff holding `permissions` may take
    (approving a return with exchanges also takes orders: edit, checked on approval)."""
    return frozenset(
        action for action in allowed_actions(current) if ACTION_PERMISSIONS[action] in permissions
    )


def check_move(number: str, current: str, target: ReturnStatus) -> None:
    if not can_move(current, target):
        raise InvalidReturnTransitionError(
            f"Return {number} is {label(current)}; it cannot become {target.value}.",
            current=current,
            target=target.value,
        )
