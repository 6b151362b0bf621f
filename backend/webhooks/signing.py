"""Signatures on outgoing deliveries, in the style of Stripe's.

Header: `Kestrel-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, where the HMAC is
keyed with the endpoint's secret over `"<t>.<raw request body>"`. The timestamp is
signed too, so a captured request cannot be replayed later than the receiver's
tolerance.

`verify_signature` needs only the standard library: receivers may copy it as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Kestrel-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(
    secret: str, body: bytes, *, timestamp: int | None = None, also_with: tuple[str, ...] = ()
) -> str:
    """The `Kestrel-Signature` header value for this body: one `v1=` entry for `secret`,
    then one per secret in `also_with` (a rotated-out secret still in its grace period)."""
    at = int(time.time()) if timestamp is None else timestamp
    entries = [f"{SCHEME}={compute_signature(key, at, body)}" for key in (secret, *also_with)]
    return ",".join([f"t={at}", *entries])


def verify_signature(
    body: bytes,
    header: str,
    secret: str,
    *,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True if `header` is a valid signature of the raw `body` with `secret`, made within
    `tolerance_seconds` of now. Verify the bytes as received, before parsing the JSON.

    Several `v1=` entries are accepted (any one may match), so a sender can sign with an
    old and a new secret while they are being rotated.
    """
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False  # too old (a replay) or from the future
    expected = hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)
