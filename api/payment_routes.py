"""Payment provider notifications: `POST /payments/webhooks/stripe`.

The signature is checked before anything else (a forged or stale notification gets a
400 and changes nothing); each event id is processed once (`payments.apply_gateway_event`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.payments import services as payments
from backend.payments.stripe_gateway import InvalidWebhookError, parse_webhook

router = APIRouter(prefix="/payments/webhooks", tags=["payments"])
MAX_WEBHOOK_BYTES = 512 * 1024


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


@router.post("/stripe")
async def stripe_webhook(request: Request) -> JSONResponse:
    payload = await request.body()
    if len(payload) > MAX_WEBHOOK_BYTES:
        return _problem(413, "Payload too large", "Webhook bodies are small; this is not one.")
    try:
        event = parse_webhook(payload, request.headers.get("stripe-signature", ""))
    except InvalidWebhookError:
        return _problem(400, "Invalid signature", "The Stripe-Signature header does not verify.")
    if event is None:
        return JSONResponse({"received": True, "processed": False})
    first_time = await payments.apply_gateway_event(event, gateway="stripe")
    return JSONResponse({"received": True, "processed": first_time})
