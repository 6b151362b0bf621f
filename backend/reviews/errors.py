"""Business failures of the reviews domain, each with a stable code and a message the
person can act on."""

from __future__ import annotations

from backend.core.errors import DomainError


class ReviewNotAllowedError(DomainError):
    """The viewer may not review this product (not signed in, or has not bought it)."""

    code = "review_not_allowed"


class ReviewExistsError(DomainError):
    """One review per product per buyer: edit the one there is."""

    code = "review_exists"


class ReviewDecisionError(DomainError):
    """A moderation step that does not apply to the review as it is now."""

    code = "review_decision_refused"


class VoteRefusedError(DomainError):
    """A helpful vote that cannot count (own review, not published, not signed in)."""

    code = "vote_refused"
