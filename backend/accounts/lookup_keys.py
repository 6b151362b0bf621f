"""How account rows are looked up: e-mails case-insensitively, tokens by their hash
(only the hash is stored)."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def email_key(email: str) -> str:
    return email.strip().lower()
