"""Links that download one document for a while: the page that shows it (to its owner or
to staff, who were checked there) signs its number with an expiry, and the download
route serves the PDF to whoever holds the link, as e-mailed links work. Signed with a key
derived from SECRET_KEY for this purpose alone (JOSE HS256, via joserfc)."""

from __future__ import annotations

from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from backend.core.clock import utcnow
from backend.core.keys import derive_key

LINK_TTL = timedelta(hours=1)
AUDIENCE = "document-download"


class BadDownloadLinkError(Exception):
    """The link is not one the shop signed, is for another document, or has expired."""


def _key() -> OctKey:
    return OctKey.import_key(derive_key("document-download"))


def download_path(number: str, *, ttl: timedelta = LINK_TTL) -> str:
    """ "/documents/INV-2026-00001.pdf?token=…": valid for `ttl`."""
    now = utcnow()
    claims = {
        "sub": number,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    token = jwt.encode({"alg": "HS256"}, claims, _key())
    return f"/documents/{number}.pdf?token={token}"


def verified_number(number: str, token: str) -> str:
    """`number`, if `token` was signed for it and is still valid; raises
    BadDownloadLinkError."""
    try:
        decoded = jwt.decode(token[:2000], _key(), algorithms=["HS256"])
        jwt.JWTClaimsRegistry(
            aud={"essential": True, "value": AUDIENCE},
            sub={"essential": True, "value": number},
            exp={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as error:
        raise BadDownloadLinkError(str(error)) from error
    return number
