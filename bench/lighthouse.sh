#!/usr/bin/env bash
# Lighthouse performance scores (mobile profile) for the home, a category and a product
# page of a running shop (start it with ./shop run first). Lighthouse comes from npm into
# var/bench-tools; it drives Debian's Chromium.
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
# The pages render their lists on the client: ask the running app for real paths.
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
for path in / "$category" "$product"; do
  out=$(mktemp)
  CHROME_PATH=/usr/bin/chromium "$tools/node_modules/.bin/lighthouse" "$base$path" \
    --only-categories=performance --output=json --output-path="$out" --quiet \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-quic" \
    >/dev/null 2>&1 || true
  .venv/bin/python - "$out" "$path" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
audits = report["audits"]
score = report["categories"]["performance"]["score"]
if score is None:
    print(f"{sys.argv[2]:<60} no score: {report.get('runtimeError', {}).get('message', '?')}")
    sys.exit(0)
print(f"{sys.argv[2]:<60} performance {score:.2f}   FCP {audits['first-contentful-paint']['displayValue']:>7}"
      f"   LCP {audits['largest-contentful-paint']['displayValue']:>7}   TBT {audits['total-blocking-time']['displayValue']:>7}"
      f"   CLS {audits['cumulative-layout-shift']['displayValue']}")
PY
  rm -f "$out"
done
