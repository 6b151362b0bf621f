"""A second running shop, configured for Stripe: its gateway is localstripe, and the
browser loads localstripe's fake Stripe.js (served here with the one call it lacks,
`createPaymentMethod`, which real Stripe.js has; it posts the card to localstripe)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import localstripe

from backend.settings import get_settings
from devstack.cli import Stack, child_env, start_web, wait_until_serving
from devstack.services import VAR_DIR
from tests.fixtures.log_scan import remember_log_starts
from tests.fixtures.mail import free_port
from tests.fixtures.stripe import WEBHOOK_SECRET

FAKE_STRIPE_JS = Path(localstripe.__file__).parent / "localstripe-v3.js"
CREATE_PAYMENT_METHOD = """
const localstripeStripe = Stripe;
Stripe = (apiKey) => {
  const stripe = localstripeStripe(apiKey);
  stripe.createPaymentMethod = async ({ card }) => {
    const value = card.value.card;
    const body = new URLSearchParams({
      type: "card", "card[number]": value.number,
      "card[exp_month]": value.exp_month, "card[exp_year]": value.exp_year,
      "card[cvc]": value.cvc,
    });
    // Stripe takes the publishable key for this call; localstripe wants a secret key,
    // so the page's fake Stripe.js server forwards it with one.
    const response = await fetch(`${FAKE_STRIPE_JS_ORIGIN}/v1/payment_methods`, {
      method: "POST", body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const result = await response.json().catch(() => ({}));
    return response.ok && !result.error ? { paymentMethod: result } : { error: result.error };
  };
  return stripe;
};
"""


def fake_stripe_js(localstripe_url: str, own_origin: str) -> bytes:
    source = FAKE_STRIPE_JS.read_text(encoding="utf-8")
    source = f"const FAKE_STRIPE_JS_ORIGIN = {json.dumps(own_origin)};\n" + source
    source = source.replace(
        "const LOCALSTRIPE_BASE_API = (function () {",
        f"const LOCALSTRIPE_BASE_API = {json.dumps(localstripe_url)};\n(function () {{",
        1,
    )
    return (source + CREATE_PAYMENT_METHOD).encode()


def serve_fake_stripe_js(localstripe_url: str) -> tuple[ThreadingHTTPServer, str]:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    script = fake_stripe_js(localstripe_url, origin)

    class Handler(BaseHTTPRequestHandler):
        def _cors(self) -> None:
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript")
            self.send_header("Content-Length", str(len(script)))
            self.end_headers()
            self.wfile.write(script)

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = httpx.post(
                f"{localstripe_url}{self.path}",
                content=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": "Bearer sk_test_kestrel",
                },
            )
            self.send_response(answer.status_code)
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"{origin}/v3/"


def running_stripe_shop(localstripe_url: str) -> Iterator[str]:
    port = get_settings().port + 1
    work = VAR_DIR / f"e2e-{port}"
    server, script_url = serve_fake_stripe_js(localstripe_url)
    env = child_env(
        {
            "PORT": str(port),
            "PUBLIC_BASE_URL": f"http://localhost:{port}",
            "REFLEX_WEB_WORKDIR": str(work / "web"),
            "REFLEX_STATES_WORKDIR": str(work / "states"),
            "GRANIAN_WORKERS": "1",
            "STRIPE_SECRET_KEY": "sk_test_kestrel",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_kestrel",
            "STRIPE_API_BASE": localstripe_url,
            "STRIPE_JS_URL": script_url,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "LOG_FORMAT": "json",  # scanned for secrets too
        }
    )
    stack = Stack()
    work.mkdir(parents=True, exist_ok=True)
    remember_log_starts(work / "web.log")
    web = start_web(env, port, log_file=work / "web.log")
    stack.processes.append(web)
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/ping", web, seconds=600)
        wait_until_serving(f"http://127.0.0.1:{port}/", web, seconds=120)
        yield f"http://localhost:{port}"
    finally:
        stack.stop()
        server.shutdown()
