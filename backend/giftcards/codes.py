"""Gift card codes: 16 random characters from an alphabet without look-alikes (no 0/O,
1/I/L), about 79 bits, shown as "7Q4M-2XH9-KDPB-W3RT". Typed codes are normalised (case,
spaces and dashes do not matter); only their SHA-256 is stored, so a database leak gives
no usable code, and their entropy makes a plain hash enough (nothing to brute-force)."""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 16
GROUP = 4
# The longest text worth normalising: a code with separators and stray spaces.
MAX_TYPED_LENGTH = 40


def new_code() -> str:
    """A fresh code, grouped for reading: "7Q4M-2XH9-KDPB-W3RT"."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(body[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalize(typed: str) -> str:
    """The code's characters as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in typed[:MAX_TYPED_LENGTH].upper() if ch not in " -\t")


def looks_like_a_code(typed: str) -> bool:
    normalized = normalize(typed)
    return len(normalized) == LENGTH and all(ch in ALPHABET for ch in normalized)


def code_hash(typed: str) -> str:
    return hashlib.sha256(normalize(typed).encode()).hexdigest()


def last_four(code: str) -> str:
    return normalize(code)[-GROUP:]


def masked(last4: str | None) -> str:
    """How pages name a card: "•••• W3RT" ("not sent yet" before it has a code)."""
    return f"•••• {last4}" if last4 else "code not sent yet"
