"""What the access log, metrics and tracing middleware add to each HTTP request, in
microseconds of CPU, measured in one process around an app that does nothing else.

    .venv/bin/python bench/middleware_cost.py [--requests 30000]

`bench/observability_overhead.py` measures the same cost against a real request under
load; on a 2-core machine its throughput moves by ±5 % from run to run, as much as the
target. Here nothing else runs in the loop, so a change of a few microseconds shows:

- off: the bare app;
- metrics: inside the access log middleware with Prometheus samples in a multiprocess
  folder (as `./shop` runs the web app), access log lines off;
- metrics + traces: and traces as the shop makes them by default (1 new trace in 100
  kept), exported by OTLP to an address nothing listens on (kept spans are dropped by
  the exporter's thread, outside the measured loop's process time only in part).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = ("off", "metrics", "metrics + traces")
SCOPE: dict[str, Any] = {
    "type": "http",
    "method": "GET",
    "path": "/api/v1/products",
    "raw_path": b"/api/v1/products",
    "root_path": "",
    "scheme": "http",
    "query_string": b"limit=20",
    "headers": [(b"host", b"shop"), (b"accept", b"*/*"), (b"user-agent", b"bench")],
    "client": ("127.0.0.1", 40000),
    "server": ("127.0.0.1", 3000),
    "http_version": "1.1",
    "asgi": {"version": "3.0"},
}


def build_app(mode: str) -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    async def products(request: Request) -> PlainTextResponse:
        return PlainTextResponse("[]")

    app: Any = Starlette(routes=[Route("/api/v1/products", products)])
    if mode == "off":
        return app
    from api.access_log import AccessLogMiddleware

    logging.getLogger("shop.access").setLevel(logging.WARNING)
    if mode == "metrics + traces":
        from backend.observability.tracing import setup_tracing

        setup_tracing("shop-web-bench")
    return AccessLogMiddleware(app)


async def per_request_microseconds(app: Any, requests: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        return None

    for _ in range(2_000):  # warm-up: imports, first label children, caches
        await app(dict(SCOPE), receive, send)
    started = time.process_time()
    for _ in range(requests):
        await app(dict(SCOPE), receive, send)
    return (time.process_time() - started) / requests * 1e6


def measure_one(mode: str, requests: int) -> None:
    """In a process of its own: the metrics folder and the tracer are set at import."""
    if mode != "off":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="shop-bench-")
    if mode == "metrics + traces":
        os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9"
    logging.disable(logging.CRITICAL)  # the exporter's complaints about that address
    sys.path.insert(0, str(ROOT))
    print(asyncio.run(per_request_microseconds(build_app(mode), requests)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    knobs = parser.parse_args()
    if knobs.mode:
        measure_one(knobs.mode, knobs.requests)
        return
    figures: dict[str, list[float]] = {mode: [] for mode in MODES}
    for _ in range(knobs.rounds):
        for mode in MODES:
            answer = subprocess.run(
                [sys.executable, __file__, "--mode", mode, "--requests", str(knobs.requests)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            figures[mode].append(float(answer.stdout.strip().splitlines()[-1]))
    best = {mode: min(values) for mode, values in figures.items()}
    print(f"CPU per request, best of {knobs.rounds} × {knobs.requests} requests:")
    for mode in MODES:
        added = best[mode] - best["off"]
        print(f"  {mode:<18} {best[mode]:6.1f} µs   (+{added:.1f} µs over off)")


if __name__ == "__main__":
    main()
