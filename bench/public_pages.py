"""A product page as crawlers and first paints get it, under load: `GET /products/<slug>`
answered with its head and snapshot rendered by the server (api/storefront_html/).

    .venv/bin/python bench/public_pages.py [--size 1000] [--seconds 5] [--rounds 3]
        [--clients 32] [--workers 2] [--keep]

On the API bench's database (shop_bench_api, seeded by the demo generator), under granian
with `--workers` processes, the shop's HTTP app with a compiled page shell: the one the
last `./shop run` or browser test built (`.web` or var/e2e-*/web), else a stand-in of the
same size. Each round drives 32 clients at one product page, then at the sitemap index;
the product's catalog data comes from the Redis cache (the steady state). Prints
requests/s, p50 and p99. The target (issue #19): product page p50 ≤ 20 ms.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import api_products as api_bench

SHELL = "__spa-fallback.html"


def pages_app() -> Any:
    """The shop's HTTP routes (pages, sitemap, API) as a web process serves them."""
    from api.access_log import AccessLogMiddleware
    from api.app import build_http_app

    return AccessLogMiddleware(build_http_app())


def compiled_shell_dir() -> Path:
    """A build folder holding a compiled page shell: a real one when there is one."""
    folder = Path(tempfile.mkdtemp(prefix="shop-bench-shell-")) / "build" / "client"
    folder.mkdir(parents=True)
    candidates = [api_bench.ROOT / ".web", *sorted((api_bench.ROOT / "var").glob("e2e-*/web"))]
    for web in candidates:
        built = web / "build" / "client"
        if (built / SHELL).exists() and (built / "404.html").exists():
            for name in (SHELL, "404.html", "index.html"):
                if (built / name).exists():
                    shutil.copy(built / name, folder / name)
            print(f"page shell: {built / SHELL}")
            return folder.parent.parent
    stand_in = (
        "<!DOCTYPE html><html><head><meta charSet='utf-8'/>"
        + "<link rel='modulepreload' href='/assets/x.js'/>" * 100
        + "</head><body><div id='app'></div><script>start()</script></body></html>"
    )
    for name in (SHELL, "404.html"):
        (folder / name).write_text(stand_in)
    print("page shell: a stand-in (no compiled frontend found)")
    return folder.parent.parent


async def measure(
    env: dict[str, str], clients: int, seconds: float, rounds: int, workers: int
) -> None:
    import aiohttp

    port = api_bench.free_port()
    base = f"http://127.0.0.1:{port}"
    server = api_bench.start_server("pages_app", port, env, workers, module="bench.public_pages")
    drive = api_bench.drive_with_wrk if shutil.which("wrk") else api_bench.drive_with_aiohttp
    try:
        await api_bench.wait_until_serving(f"{base}/robots.txt", server)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base}/api/v1/products?limit=1") as answer,
        ):
            slug = (await answer.json())["items"][0]["slug"]
        urls = {"product page": f"{base}/products/{slug}", "sitemap index": f"{base}/sitemap.xml"}
        for url in urls.values():
            await drive(url, clients=clients, seconds=2)  # warm-up (and the caches)
        samples: dict[str, list[api_bench.Figures]] = {label: [] for label in urls}
        for _ in range(rounds):
            for label, url in urls.items():
                samples[label].append(await drive(url, clients=clients, seconds=seconds))
    finally:
        api_bench.stop_server(server)
    print(f"{clients} clients, {rounds} × {seconds:.0f} s each, {workers} granian workers")
    for label, figures in samples.items():
        load = api_bench.Figures.combine(figures)
        print(
            f"  {label:<14} {load.per_second:7.0f} req/s   p50 {load.p50_ms:6.2f} ms"
            f"   p99 {load.p99_ms:7.2f} ms   non-200: {load.failures}"
        )


def main() -> None:
    arguments = api_bench.load_arguments(__doc__, size=1_000)

    env = {
        **api_bench.server_environment(arguments.size, keep=arguments.keep),
        "REFLEX_WEB_WORKDIR": str(compiled_shell_dir()),
    }
    asyncio.run(
        measure(env, arguments.clients, arguments.seconds, arguments.rounds, arguments.workers)
    )


if __name__ == "__main__":
    main()
