#!/usr/bin/env bash
# Regenerates docs/article-page.png: the demo portal's article page in headless Chromium.
# Needs target/release/zixun, Debian's chromium and a CJK font (fonts-wqy-microhei).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18100}
data=$(mktemp -d)
ZIXUN_LOG=warn target/release/zixun --data-dir "$data" serve --demo --bind "127.0.0.1:$port" &
pid=$!
trap 'kill $pid; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
# The demo's AI-chip launch story, which has related coverage from several sources.
id=$(curl -fs "http://127.0.0.1:$port/api/search?q=衡山X2&sort=newest&limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --hide-scrollbars \
  --window-size=1280,1400 --screenshot=docs/article-page.png "http://127.0.0.1:$port/a/$id" 2>/dev/null
echo "docs/article-page.png: /a/$id"
