"""The idempotency keys payments are stored and sent with: one operation, one key."""

from __future__ import annotations

from hashlib import sha256

MAX_ATTEMPT_KEY_LENGTH = 64
STORED_KEY_PART_LENGTH = 40


def stored_key_part(key: str) -> str:
    """A caller's key as stored: long ones by their digest, so "refund:<order id>:<key>"
    always fits the 100-character column (and equal keys stay equal)."""
    return key if len(key) <= STORED_KEY_PART_LENGTH else sha256(key.encode()).hexdigest()[:40]
