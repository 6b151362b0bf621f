"""Who a cart's reminder goes to: the signed-in shopper's address, or the address a guest
typed at checkout and asked to be e-mailed at ("E-mail me about this cart"), kept with
the guest's cart. Anyone can type any address, so without that tick nothing is kept."""

from __future__ import annotations

import uuid

from backend.accounts import queries as accounts
from backend.accounts.inputs import normalize_email
from backend.cart import activity as cart_activity
from backend.cart.schemas import CartOwner
from backend.cart_recovery.schemas import Recipient
from backend.core.errors import NotFoundError

MAX_EMAIL_LENGTH = 254


async def remember_checkout_email(
    owner: CartOwner | None, raw_email: str, *, opted_in: bool
) -> bool:
    """Keep a guest's checkout e-mail with their cart, so an abandoned cart can be reminded,
    only if the guest ticked "E-mail me about this cart"; without the tick any address
    kept before is forgotten. Signed-in carts use the account's address; a malformed
    address is not kept (the form shows its own error when submitted). True when kept."""
    if owner is None or not owner.is_guest:
        return False
    if not opted_in:
        await cart_activity.forget_contact_email(owner)
        return False
    text = str(raw_email or "").strip()
    if not text or len(text) > MAX_EMAIL_LENGTH:
        return False
    try:
        email = normalize_email(text)
    except ValueError:
        return False
    await cart_activity.set_contact_email(owner, email)
    return True


async def recipient_for(owner: CartOwner) -> Recipient | None:
    """The address to remind, or None (a guest who typed none, an account not active)."""
    if owner.is_guest:
        email = await cart_activity.contact_email(owner)
        return Recipient(email=email, user_id=None, greeting_name="") if email else None
    try:
        user = await accounts.get_user(uuid.UUID(owner.key.removeprefix("user:")))
    except (NotFoundError, ValueError):
        return None
    if user.status != "active":
        return None
    return Recipient(email=user.email, user_id=user.user_id, greeting_name=user.first_name or "")
