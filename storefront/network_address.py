"""The network address behind a Reflex event, for limits per address (the checkout's).

Interim: the lead replaces the body of `network_address` with the one shared resolver
(branch sec-address) when it lands; its callers stay as they are.

Reflex keeps what the websocket's upgrade request said per connection
(`router.session.client_ip`, the connecting peer; `router.headers`), and an event's own
router data cannot overwrite them. The address is worked out from them by the REST
API's rule (`api.v1.rate_limiting.client_address`): the peer, or, when the peer is one
of TRUSTED_PROXIES (nginx in `./shop cluster`), the nearest X-Forwarded-For hop that is
not a trusted proxy (the hops before it could be forged).
"""

from __future__ import annotations

from reflex.istate.data import RouterData

from api.v1.rate_limiting import client_address


def network_address(router: RouterData) -> str:
    peer = router.session.client_ip or "unknown"
    forwarded = router.headers.raw_headers.get("x-forwarded-for", "")
    headers = [(b"x-forwarded-for", forwarded.encode("latin-1", "replace"))] if forwarded else []
    return client_address({"type": "websocket", "client": (peer, 0), "headers": headers})
