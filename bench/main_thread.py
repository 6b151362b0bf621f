"""A page's main-thread work as a phone does it: Chromium with its CPU slowed 4x (as
Lighthouse's mobile profile assumes), the page loaded N times, and per load the long tasks
(over 50 ms) after the first contentful paint: their blocking time (the part over 50 ms,
summed, as Lighthouse's TBT counts it), the longest one, and the time the browser spent on
script, style and layout. Observed rather than simulated, so it varies less than
Lighthouse's estimate: the figure for comparing two builds of a page (issue #19).

    .venv/bin/python bench/main_thread.py [--runs 5] URL [URL ...]

Needs a running shop (`./shop run`) and the Chromium the bootstrap installed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics

from playwright.async_api import Browser, async_playwright

CPU_SLOWDOWN = 4
SETTLE_MS = 7000  # after `load`: the app's code, its websocket and first data
LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const task of list.getEntries()) window.__longTasks.push([task.startTime, task.duration]);
}).observe({type: "longtask", buffered: true});
"""


@dataclasses.dataclass(frozen=True)
class Load:
    blocking_ms: float
    longest_ms: float
    script_ms: float
    style_and_layout_ms: float


async def load_once(browser: Browser, url: str) -> Load:
    context = await browser.new_context(viewport={"width": 412, "height": 823})
    page = await context.new_page()
    await page.add_init_script(LONG_TASKS)
    devtools = await context.new_cdp_session(page)
    await devtools.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    await devtools.send("Performance.enable")
    await page.goto(url, wait_until="load")
    await page.wait_for_timeout(SETTLE_MS)
    first_paint = await page.evaluate(
        "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0"
    )
    tasks = [
        duration
        for start, duration in await page.evaluate("window.__longTasks")
        if start >= first_paint
    ]
    metrics = {
        metric["name"]: metric["value"]
        for metric in (await devtools.send("Performance.getMetrics"))["metrics"]
    }
    await context.close()
    return Load(
        blocking_ms=sum(duration - 50 for duration in tasks),
        longest_ms=max(tasks, default=0.0),
        script_ms=metrics["ScriptDuration"] * 1000,
        style_and_layout_ms=(metrics["RecalcStyleDuration"] + metrics["LayoutDuration"]) * 1000,
    )


async def measure(urls: list[str], runs: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        print(f"{'page':<60} {'blocking':>9} {'longest':>8} {'script':>7} {'style+layout':>13}")
        for url in urls:
            loads = [await load_once(browser, url) for _ in range(runs)]
            median = {
                field.name: statistics.median(getattr(load, field.name) for load in loads)
                for field in dataclasses.fields(Load)
            }
            print(
                f"{url[-60:]:<60} {median['blocking_ms']:7.0f} ms {median['longest_ms']:5.0f} ms"
                f" {median['script_ms']:4.0f} ms {median['style_and_layout_ms']:10.0f} ms"
                f"   (blocking per run: {', '.join(f'{load.blocking_ms:.0f}' for load in loads)})"
            )
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(measure(arguments.urls, arguments.runs))


if __name__ == "__main__":
    main()
