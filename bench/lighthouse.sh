#!/usr/bin/env bash
# Lighthouse performance and accessibility (mobile profile) for the home, a category and a
# product page of a running shop (start it with ./shop run first): the median of
# LIGHTHOUSE_RUNS (3) runs per page, with FCP, LCP, TBT, CLS and the JavaScript and CSS
# transferred. Lighthouse comes from npm into var/bench-tools; it drives Debian's Chromium.
#
#   bench/lighthouse.sh [http://localhost:3000]
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-http://localhost:3000}"
tools=var/bench-tools
export PATH="$PWD/.venv/bin:$PATH"  # the virtualenv's Node.js
if [ ! -x "$tools/node_modules/.bin/lighthouse" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --silent --no-audit --no-fund lighthouse@12 >/dev/null
fi
category=$(curl -s "$base/" | { grep -o 'href="/categories/[^"]*"' || true; } | head -1 | cut -d'"' -f2)
product=$(curl -s "$base/" | { grep -o 'href="/products/[^"]*"' || true; } | head -1 | cut -d'"' -f2)
# The server-rendered first paint links categories and products; else ask the catalog.
if [ -z "$category" ]; then category="/categories/audio"; fi
if [ -z "$product" ]; then
  product=$(.venv/bin/python - <<'PY'
import asyncio
from backend.catalog import queries
from backend.catalog.listing import ListingQuery
print("/products/" + asyncio.run(queries.list_products(ListingQuery(limit=1))).items[0].slug)
PY
)
fi
runs="${LIGHTHOUSE_RUNS:-3}"
reports=$(mktemp -d)
for path in / "$category" "$product"; do
  for run in $(seq "$runs"); do
    CHROME_PATH=/usr/bin/chromium "$tools/node_modules/.bin/lighthouse" "$base$path" \
      --only-categories=performance,accessibility --output=json \
      --output-path="$reports/$(echo "$path" | tr '/' '_')-$run.json" --quiet \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-quic" \
      >/dev/null 2>&1 || true
  done
done
# The median run of each page (runs vary by ±0.05 on a shared machine).
.venv/bin/python - "$reports" / "$category" "$product" <<'PY'
import json, statistics, sys
from pathlib import Path

folder = Path(sys.argv[1])
print(f"{'page':<48} perf  a11y     FCP     LCP     TBT    CLS  JS+CSS KB")
for path in sys.argv[2:]:
    runs = []
    for file in sorted(folder.glob(path.replace("/", "_") + "-*.json")):
        report = json.loads(file.read_text())
        if report["categories"]["performance"]["score"] is None:
            continue
        audits = report["audits"]
        kinds = {item["resourceType"]: item for item in audits["resource-summary"]["details"]["items"]}
        first_load = sum(kinds.get(kind, {}).get("transferSize", 0) for kind in ("script", "stylesheet"))
        runs.append((
            report["categories"]["performance"]["score"],
            report["categories"]["accessibility"]["score"],
            audits["first-contentful-paint"]["numericValue"] / 1000,
            audits["largest-contentful-paint"]["numericValue"] / 1000,
            audits["total-blocking-time"]["numericValue"],
            audits["cumulative-layout-shift"]["numericValue"],
            first_load / 1024,
        ))
    if not runs:
        print(f"{path:<48} no score")
        continue
    median = sorted(runs)[len(runs) // 2]
    perf, a11y, fcp, lcp, tbt, cls, kb = median
    print(f"{path[:48]:<48} {perf:.2f}  {a11y:.2f}  {fcp:5.1f} s {lcp:5.1f} s {tbt:5.0f} ms {cls:6.3f} {kb:8.0f}")
PY
rm -rf "$reports"
