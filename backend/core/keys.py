"""Every key the shop signs with comes from here, derived from SECRET_KEY by purpose.

One key per purpose (API access tokens, cart restore links, unsubscribe links, ...), so a
token made for one purpose never verifies as another, and the raw SECRET_KEY signs nothing.
In production a SECRET_KEY that this repository prints (or a short one) derives no key at
all: settings refuse it at start, and this refuses it again wherever settings came from, so
nothing forged with a published key can ever verify there.
"""

from __future__ import annotations

import hashlib

from backend.settings import get_settings, secret_key_problem


class InsecureSecretKeyError(RuntimeError):
    """Production was asked to sign or verify with a published or short SECRET_KEY."""


def derive_key(purpose: str) -> bytes:
    """The 32-byte key for `purpose` (stable: tokens already issued keep verifying)."""
    settings = get_settings()
    secret = settings.secret_key.get_secret_value()
    if settings.is_production and (problem := secret_key_problem(secret)):
        raise InsecureSecretKeyError(problem)
    return hashlib.sha256(f"{purpose}:".encode() + secret.encode()).digest()
