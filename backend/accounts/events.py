"""Events of the accounts domain."""

from __future__ import annotations

from backend.events.base import DomainEvent


class UserRegistered(DomainEvent):
    event_type = "UserRegistered"

    email: str
    username: str


class EmailVerificationRequested(DomainEvent):
    """A verification link must be sent. The token is made by the sender, never stored here."""

    event_type = "EmailVerificationRequested"

    email: str
    display_name: str


class PasswordResetRequested(DomainEvent):
    event_type = "PasswordResetRequested"

    email: str
    display_name: str


class SignUpWithExistingEmailAttempted(DomainEvent):
    """Someone signed up with an address that has an account: its owner is told so by
    e-mail (the sign-up form answers as for a new address, revealing nothing)."""

    event_type = "SignUpWithExistingEmailAttempted"

    email: str
    display_name: str
