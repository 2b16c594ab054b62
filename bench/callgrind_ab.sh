#!/usr/bin/env bash
# Instructions a request costs, two builds on their own copies of one site: repeatable where the
# storm's wall time and CPU time are not on a shared machine. Each build is started under
# `valgrind --tool=callgrind --instr-atstart=no`; counting is switched on once it is ready (and,
# for article pages, after 20 warm-up pages), with the view flush and the hot refresh pushed out
# of the window; the kernel's side (reads of the database's pages) is not counted.
#   1. 300 missed article pages (random ids, fixed seed);
#   2. 200 pages of /api/articles?limit=50 (4 categories × 50 pages by next_cursor).
#
#   BEFORE=/path/to/old/zixun SITE_BEFORE=/path/to/its/site AFTER=… SITE=… bench/callgrind_ab.sh
#
# About 3 minutes a build at 105k articles. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
ab_builds
work=$(mktemp -d)
vg=""
cleanup() { [ -n "$vg" ] && kill "$vg" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
max_id=$(max_article_id "$SITE")

counted() { # binary site python-client -> instructions counted while the client ran
  local port out="$work/callgrind.out"
  port=$(free_port)
  rm -f "$out"*
  ZIXUN_VIEW_FLUSH_SECONDS=100000 ZIXUN_HOT_REFRESH_SECONDS=100000 ZIXUN_LOG=warn \
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
    "$1" --data-dir "$2" serve --bind "127.0.0.1:$port" --no-background >/dev/null 2>&1 &
  vg=$!
  WAIT_READY_SECS=900 wait_ready "$port" >/dev/null
  python3 - "$port" "$max_id" warm <<<"$3" >/dev/null
  callgrind_control -i on "$vg" >/dev/null 2>&1
  python3 - "$port" "$max_id" <<<"$3" >/dev/null
  callgrind_control -d "$vg" >/dev/null 2>&1
  kill "$vg"; wait "$vg" 2>/dev/null || true
  vg=""
  awk '/^summary:/ {print $2}' "$out.1"
}

articles='
import http.client, random, sys
c = http.client.HTTPConnection("127.0.0.1:" + sys.argv[1])
warm = len(sys.argv) > 3
random.seed(7 if warm else 11)
for i in random.sample(range(1, int(sys.argv[2]) + 1), 20 if warm else 300):
    c.request("GET", f"/a/{i}"); r = c.getresponse(); r.read()
'
lists='
import http.client, json, sys, urllib.parse
if len(sys.argv) > 3: sys.exit()
c = http.client.HTTPConnection("127.0.0.1:" + sys.argv[1])
for cat in ["科技", "教育", "体育", "娱乐"]:
    cursor = None
    for _ in range(50):
        q = "/api/articles?limit=50&category=" + urllib.parse.quote(cat)
        if cursor: q += "&cursor=" + urllib.parse.quote(cursor)
        c.request("GET", q); d = json.loads(c.getresponse().read())
        cursor = d.get("next_cursor")
        if not cursor: break
'
printf '%-32s %16s %16s %8s\n' "" before after change
for name in articles lists; do
  b=$(counted "$BEFORE" "$SITE_BEFORE" "${!name}")
  a=$(counted "$AFTER" "$SITE" "${!name}")
  label=$([ "$name" = articles ] && echo "300 missed article pages" || echo "200 × /api/articles?limit=50")
  awk -v l="$label" -v b="$b" -v a="$a" 'BEGIN {printf "%-32s %16d %16d %7.1f%%\n", l, b, a, (a - b) * 100 / b}'
done
