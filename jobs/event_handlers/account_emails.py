"""E-mails about an account: confirming the address, resetting the password, and
"you already have an account"."""

from __future__ import annotations

import uuid

from backend.accounts import email_links
from backend.accounts.events import (
    EmailVerificationRequested,
    PasswordResetRequested,
    SignUpWithExistingEmailAttempted,
)
from backend.notifications import services as notifications
from jobs.event_handlers.shop_links import one_time_link, shop_url


async def send_email_verification(event: EmailVerificationRequested) -> None:
    async def context() -> dict[str, object]:
        # Issued on each attempt: the kept copy of the message has no usable link to resend.
        token = await email_links.issue_account_token(
            uuid.UUID(event.aggregate_id),
            purpose="verify_email",
            ttl=email_links.EMAIL_VERIFICATION_TTL,
        )
        return {
            "display_name": event.display_name,
            "email": event.email,
            "verify_url": one_time_link("/verify-email", token),
            "expires_hours": int(email_links.EMAIL_VERIFICATION_TTL.total_seconds() // 3600),
        }

    await notifications.send_email(
        template="email_verification",
        to=event.email,
        context=context,
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )


async def send_account_exists_notice(event: SignUpWithExistingEmailAttempted) -> None:
    # No token in it: the reset page sends its own link, to this same address.
    await notifications.send_email(
        template="account_exists",
        to=event.email,
        context={
            "display_name": event.display_name,
            "sign_in_url": shop_url("/sign-in"),
            "forgot_password_url": shop_url("/forgot-password"),
        },
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )


async def send_password_reset(event: PasswordResetRequested) -> None:
    async def context() -> dict[str, object]:
        token = await email_links.issue_account_token(
            uuid.UUID(event.aggregate_id),
            purpose="reset_password",
            ttl=email_links.PASSWORD_RESET_TTL,
        )
        return {
            "display_name": event.display_name,
            "reset_url": one_time_link("/reset-password", token),
            "expires_minutes": int(email_links.PASSWORD_RESET_TTL.total_seconds() // 60),
        }

    await notifications.send_email(
        template="password_reset",
        to=event.email,
        context=context,
        idempotency_key=notifications.email_key(event.event_id, event.email),
        event_id=event.event_id,
    )
