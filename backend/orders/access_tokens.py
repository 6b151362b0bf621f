"""Order access tokens: how a guest without an account proves, to the REST API, that they
may open an order (`backend.orders.ownership`: the orders a shopper opened without one).

The storefront keeps that proof in the browser tab's server-side state; a client app has
no such state, so it gets a signed token instead: when it places the order as a guest, or
looks the order up by its number and e-mail address. The token names the order and
nothing else, expires (`ORDER_TOKEN_TTL`; the lookup gives a new one), and is signed with
a key of its own, so it is never an access token for an account nor the reverse.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from backend.core.clock import utcnow
from backend.core.keys import InsecureSecretKeyError, derive_key
from backend.settings import get_settings

logger = logging.getLogger(__name__)

ORDER_TOKEN_TTL = timedelta(days=30)
_ALGORITHM = "HS256"
_TOKEN_TYPE = "order-access"  # noqa: S105  (a claim value)
# Longer than any token this module makes; anything longer is not worth decoding.
MAX_ORDER_TOKEN_LENGTH = 1000


def _signing_key() -> OctKey:
    return OctKey.import_key(derive_key("order-access-jwt"))


def _audience() -> str:
    return get_settings().public_base_url + "/orders"


def issue_order_token(order_id: uuid.UUID) -> str:
    """A token that opens `order_id` (and no other order) for `ORDER_TOKEN_TTL`."""
    now = utcnow()
    claims = {
        "iss": get_settings().public_base_url,
        "aud": _audience(),
        "sub": str(order_id),
        "iat": int(now.timestamp()),
        "exp": int((now + ORDER_TOKEN_TTL).timestamp()),
        "typ": _TOKEN_TYPE,
    }
    return jwt.encode({"alg": _ALGORITHM}, claims, _signing_key())


def opened_order(token: str) -> uuid.UUID | None:
    """The order a token opens; None for a token that is forged, expired, made for
    something else, or malformed."""
    if not token or len(token) > MAX_ORDER_TOKEN_LENGTH:
        return None
    try:
        decoded = jwt.decode(token, _signing_key(), algorithms=[_ALGORITHM])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": get_settings().public_base_url},
            aud={"essential": True, "value": _audience()},
            sub={"essential": True},
            exp={"essential": True},
            typ={"essential": True, "value": _TOKEN_TYPE},
        ).validate(decoded.claims)
        return uuid.UUID(decoded.claims["sub"])
    except InsecureSecretKeyError as error:
        logger.error("refused an order token: %s", error)
        return None
    except (JoseError, ValueError, KeyError, TypeError):
        return None
