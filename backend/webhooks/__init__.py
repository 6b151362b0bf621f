"""Outbound webhooks for integrators.

Admins register endpoints (an URL, the event types it wants, a secret shown once). The
event handler `deliver_to_webhooks` turns each subscribed event into one row per
(event, endpoint) in `webhook_deliveries`; a worker cron sends due rows, signed
(`signing.py`), and retries failures with backoff, each endpoint on its own, so a
failing receiver never holds up the others. Every attempt is logged with its response.
"""
