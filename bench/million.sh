#!/usr/bin/env bash
# A million articles on one node (issue 14). The corpus is ../shared/data/news2018 repeated
# REPEATS times (default 100: 1,049,400 articles) with new ids (`-rN`) and dates shifted by
# 31 days a repeat, imported once and indexed at the first start; then BEFORE and AFTER serve
# the same data folder in turns, each:
#   - time to /readyz with the search index built, and resident memory at ready;
#   - 相关内容 over HTTP: `/api/articles/{id}/related` for RELATED random ids, one client (every
#     list computed, none cached): p50/p99;
#   - search over HTTP with highlights: QUERIES known-item queries (bench/search_bench.py's):
#     p50/p99, first pass and repeated;
#   - a crawler storm: a random article of the whole site per request, wrk at CONNS connections
#     for DURATION: req/s, p99, resident memory every 10 s.
#
#   BEFORE=/path/to/old/zixun bench/million.sh [REPEATS]
#
# AFTER defaults to target/release/zixun. The import (time, peak memory) and the first start
# (indexing with its progress in the log; time, index size on disk) are done once, by AFTER,
# and kept in WORK for later runs. BEFORE must keep the search index in the same schema as AFTER
# (dc16d50 and earlier store whole bodies, later builds a lead: each would rebuild the other's
# index at every start, minutes at a million; bench/read_path.sh gives each build its own copy
# of the site instead). Needs the peers' Python with jieba for the queries
# (/var/tmp/peers/venv, see ../shared/peers/install.sh). Not in CI: the import takes about an hour on 2 cores,
# the first start 6 to 10 minutes, each run after that about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
AFTER=${AFTER:-$PWD/target/release/zixun}
BEFORE=${BEFORE:?set BEFORE to the zixun binary to compare against}
REPEATS=${1:-100}
QUERIES=${QUERIES:-1000}
RELATED=${RELATED:-1000}
CONNS=${CONNS:-32}
DURATION=${DURATION:-60s}
CORPUS=../shared/data/news2018/articles.jsonl
work=${WORK:-/var/tmp/zixun-1m}
export WAIT_READY_SECS=${WAIT_READY_SECS:-3600}
mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
. bench/common.sh

repeated_site "$REPEATS" "$AFTER"
qfile="$work/queries.jsonl"
make_queries "$CORPUS" "$qfile" "$QUERIES"

start() { # binary -> sets $server, $base; prints the time to ready and the memory then
  local port
  port=$(free_port)
  ZIXUN_LOG=${ZIXUN_LOG:-warn} "$1" --data-dir "$data" serve --bind "127.0.0.1:$port" --no-background \
    2> "$work/serve.log" &
  server=$!
  pids+=("$server")
  base="http://127.0.0.1:$port"
  echo "  ready in $(wait_ready "$port") s, $(rss_split_mb "$server") MB resident (total/anonymous)"
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }

related_http() { # -> "p50 p99" in ms over RELATED random article ids
  python3 - "$base" "$RELATED" "$max_id" <<'PY'
import http.client, json, random, sys, time
base, n, top = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conn = http.client.HTTPConnection(base.split("//")[1])
random.seed(7)
lat = []
for i in random.sample(range(1, top + 1), n):
    t = time.perf_counter()
    conn.request("GET", f"/api/articles/{i}/related?limit=6")
    r = conn.getresponse(); body = r.read()
    lat.append((time.perf_counter() - t) * 1000)
    assert r.status in (200, 404), (i, r.status, body[:200])
lat.sort()
print(f"{lat[len(lat) // 2]:.2f} {lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.2f}")
PY
}
if [ ! -d "$data/index" ] || [ ! -s "$work/indexed" ]; then
  echo "first start (builds the search index; its progress is in $work/serve.log):"
  ZIXUN_LOG=info start "$AFTER"
  echo "  index on disk: $(du -sh "$data/index" | cut -f1)"
  grep -c "catching up" "$work/serve.log" | xargs echo "  progress lines in the log:"
  stop
  date > "$work/indexed"
fi

max_id=$(storm_lua "$data" "$work/storm.lua")
echo "site: $max_id article ids (news2018 x $REPEATS, new ids, dates shifted 31 days a repeat)"
echo "BEFORE=$BEFORE"
echo "AFTER=$AFTER"
for which in before after; do
  if [ "$which" = before ]; then bin=$BEFORE; else bin=$AFTER; fi
  echo "$which:"
  start "$bin"
  echo "  related over HTTP (p50 p99 ms): $(related_http)"
  echo "  search over HTTP (p50 p99, repeat p50 p99, ms): $(search_http "$base" "$qfile")"
  echo "  resident after related and search: $(rss_split_mb "$server") MB (total/anonymous)"
  printf '  crawler storm (req/s p99-ms): '
  with_rss wrk_run "$work/storm.lua"
  stop
done
