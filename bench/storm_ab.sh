#!/usr/bin/env bash
# The crawler storm alone, two builds in turns on one imported site: a quicker A/B than
# bench/read_path.sh (no search, no breaking news, no second copy of the site), for changes to
# the cache-miss path. Each round starts BEFORE, then AFTER, on the same data folder; each gets
# 5 s of warm-up, then wrk at CONNS connections for DURATION (a random article of the whole site
# a request), and prints req/s, p50/p90/p99 and the server's CPU time a page (user + system from
# /proc, steal excluded: steadier than req/s on a shared machine).
#
#   BEFORE=/path/to/old/zixun AFTER=/path/to/new/zixun SITE=/path/to/site bench/storm_ab.sh [ROUNDS]
#
# SITE is a data folder both builds can open (same schema and search index), e.g. the one
# bench/read_path.sh imports (/var/tmp/zixun-read-path/site). When AFTER adds a migration, BEFORE
# can no longer open the migrated folder: give it a copy made before, SITE_BEFORE=/path/to/copy.
# Needs wrk (Debian package).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
CONNS=${CONNS:-32}
DURATION=${DURATION:-30s}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
. bench/common.sh
ab_builds

lua=$(mktemp --suffix=.lua)
max_id=$(storm_lua "$SITE" "$lua")
echo "site: $SITE, $max_id article ids; wrk -c$CONNS -d$DURATION"
printf '%-6s %-8s %8s %8s %8s %8s %12s\n' round build req/s p50 p90 p99 "CPU a page"
for round in $(seq 1 "$ROUNDS"); do
  for bin in "$BEFORE" "$AFTER"; do
    label=after site=$SITE
    [ "$bin" = "$BEFORE" ] && label=before site=$SITE_BEFORE
    port=$(free_port)
    ZIXUN_LOG=warn "$bin" --data-dir "$site" serve --bind "127.0.0.1:$port" --no-background 2>/dev/null &
    server=$!
    pids+=("$server")
    wait_ready "$port" >/dev/null
    wrk -t2 -c"$CONNS" -d5s -s "$lua" "http://127.0.0.1:$port/" >/dev/null 2>&1
    c0=$(cpu_s "$server")
    out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency --timeout 10s -s "$lua" "http://127.0.0.1:$port/" 2>&1)
    c1=$(cpu_s "$server")
    kill "$server"; wait "$server" 2>/dev/null || true
    echo "$out" | awk -v round="$round" -v label="$label" -v c0="$c0" -v c1="$c1" '
      function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms/, "", v); return v } sub(/s/, "", v); return v * 1000 }
      / requests in / { n = $1 }
      /Requests\/sec/ { r = $2 }
      /^ +50%/ { p50 = ms($2) } /^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
      END { printf "%-6s %-8s %8.0f %6.1fms %6.1fms %6.1fms %10.3fms\n", round, label, r, p50, p90, p99, (c1 - c0) * 1000 / n }'
  done
done
rm -f "$lua"
