"""Which staff actions a return's state allows: read from the one transition table."""

from __future__ import annotations

from backend.returns.status import ReturnAction, allowed_actions


def test_each_state_allows_exactly_its_next_steps() -> None:
    assert allowed_actions("requested") == {ReturnAction.APPROVE, ReturnAction.REJECT}
    assert allowed_actions("approved") == {ReturnAction.RECEIVE}
    assert allowed_actions("received") == {ReturnAction.REFUND}
    assert allowed_actions("rejected") == frozenset()
    assert allowed_actions("refunded") == frozenset()


def test_an_unknown_state_allows_nothing() -> None:
    assert allowed_actions("lost_in_the_post") == frozenset()
