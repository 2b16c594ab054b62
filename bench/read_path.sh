#!/usr/bin/env bash
# The read path at about 100k articles: two builds of zixun in the same run (BEFORE and AFTER,
# e.g. the last landed commit and this tree) on copies of one imported site, taking turns:
#   1. search over HTTP: QUERIES known-item queries (two jieba words of a news2018 title, the
#      queries bench/search_bench.py makes) through /api/search with its highlights, one
#      client on a kept-alive connection: p50/p99 over the first pass (every query new to the
#      node) and over a second pass of the same queries (repeats);
#   2. a crawler storm: a random article of the whole site per request, wrk at CONNS
#      connections for DURATION: req/s, p99, resident memory every 10 s, and the server's CPU
#      time a page (user + system, steal excluded: steadier than req/s on a shared machine);
#   3. breaking news: a Zipf (s = 1.1) over the 1,000 newest articles plus the home page, wrk
#      at CONNS connections for DURATION while a writer publishes an article a second through
#      the newsroom API: req/s, p99, resident memory.
#
#   BEFORE=/path/to/old/zixun bench/read_path.sh [REPEATS]     (default 10: news2018 × 10)
#
# AFTER defaults to target/release/zixun. The corpus is ../shared/data/news2018 repeated
# REPEATS times with new ids (`-rN`) and dates shifted by 31 days a repeat. Needs wrk
# (Debian package) and the peers' Python with jieba (/var/tmp/peers/venv, see
# ../shared/peers/install.sh) for the queries. Not in CI: about 12 minutes after the import.
set -euo pipefail
cd "$(dirname "$0")/.."
AFTER=${AFTER:-$PWD/target/release/zixun}
BEFORE=${BEFORE:?set BEFORE to the zixun binary to compare against}
REPEATS=${1:-10}
ROUNDS=${ROUNDS:-2}
CONNS=${CONNS:-32}
DURATION=${DURATION:-60s}
QUERIES=${QUERIES:-1000}
PY=${PY:-/var/tmp/peers/venv/bin/python}
CORPUS=../shared/data/news2018/articles.jsonl
work=${WORK:-/var/tmp/zixun-read-path}
mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
. bench/common.sh

# The corpus and the site (kept between runs).
repeated_site "$REPEATS" "$AFTER"

qfile="$work/queries.jsonl"
make_queries "$CORPUS" "$qfile" "$QUERIES"

# Each build serves its own copy of the site: the two builds' search indexes may differ in
# schema (one would rebuild the other's at every start), and the writer's articles differ.
site_of() { if [ "$1" = "$BEFORE" ]; then echo "$work/site-before"; else echo "$data"; fi; }
writer_token() { # binary site -> a newsroom token for the writer (its user made once)
  printf 'read-path-writer-password\n' | "$1" --data-dir "$2" users add 读取基准编辑 --role editor >/dev/null 2>&1 || true
  "$1" --data-dir "$2" tokens add --user 读取基准编辑 2>/dev/null
}
if [ ! -s "$work/site-before/zixun.db" ]; then
  mkdir -p "$work/site-before"
  for f in "$data"/*; do [ "$(basename "$f")" = index ] || cp -r "$f" "$work/site-before/"; done
fi
token_after=$(writer_token "$AFTER" "$data")
# A BEFORE older than the database's schema cannot open the copy: it imports its own.
if ! token_before=$(writer_token "$BEFORE" "$work/site-before"); then
  echo "BEFORE cannot open a copy of the site (an older schema): importing it with BEFORE"
  rm -rf "$work/site-before" && mkdir -p "$work/site-before"
  /usr/bin/time -f "import: %e s, peak %M KB" "$BEFORE" --data-dir "$work/site-before" import "$big" >/dev/null
  token_before=$(writer_token "$BEFORE" "$work/site-before")
fi

start() { # binary -> sets $server, $base
  local port
  port=$(free_port)
  ZIXUN_LOG=warn "$1" --data-dir "$(site_of "$1")" serve --bind "127.0.0.1:$port" --no-background &
  server=$!
  pids+=("$server")
  base="http://127.0.0.1:$port"
  echo "  ready in $(wait_ready "$port") s, $(rss_mb "$server") MB resident"
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; }

max_id=$(storm_lua "$data" "$work/storm.lua")
newest_paths() {
  python3 - "$base" "$work/zipf.txt" <<'PY'
import json, random, sys, urllib.request
base, out = sys.argv[1], sys.argv[2]
ids, cursor = [], ""
while len(ids) < 1000:
    page = json.load(urllib.request.urlopen(f"{base}/api/articles?limit=100&cursor={cursor}"))
    ids += [i["id"] for i in page["items"]]
    cursor = page["next_cursor"]
    if not cursor:
        break
random.seed(11)
weights = [1 / (r + 1) ** 1.1 for r in range(len(ids))]
paths = [f"/a/{i}" for i in random.choices(ids, weights, k=19000)] + ["/"] * 1000
random.shuffle(paths)
open(out, "w").write("\n".join(paths) + "\n")
PY
}
cat > "$work/zipf.lua" <<EOF
local paths = {}
for line in io.lines("$work/zipf.txt") do paths[#paths + 1] = line end
math.randomseed(os.time())
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
EOF
writer() {
  local i=0 body code
  while true; do
    i=$((i + 1))
    body=$(printf '{"title":"突发新闻第%d条：%s 现场最新消息","body":"记者从现场获悉，第%d条突发新闻的最新进展如下。相关部门已经到场处置。编号%s。","status":"published"}' \
      "$i" "$RANDOM" "$i" "$RANDOM$RANDOM")
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data "$body" "$base/api/articles")
    [ "$code" = 201 ] || echo "writer: article $i answered $code" >&2
    sleep 1
  done
}

echo "site: $max_id article ids (news2018 x $REPEATS, new ids, dates shifted 31 days a repeat)"
echo "BEFORE=$BEFORE"
echo "AFTER=$AFTER"
for bin in "$BEFORE" "$AFTER"; do
  echo "first start of $bin (its index built or checked, not counted):"
  start "$bin"
  stop
done
: > "$work/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order="before after"; else order="after before"; fi
  for which in $order; do
    if [ "$which" = before ]; then bin=$BEFORE token=$token_before; else bin=$AFTER token=$token_after; fi
    echo "round $round, $which:"
    start "$bin"
    s=$(search_http "$base" "$qfile")
    echo "  search over HTTP (p50 p99, repeat p50 p99, ms): $s"
    printf '  crawler storm (req/s p99-ms): '
    cpu0=$(cpu_s "$server")
    storm=$(with_rss wrk_run "$work/storm.lua")
    # The server's CPU per page: steadier than req/s on a shared machine.
    cpu_ms=$(awk -v a="$cpu0" -v b="$(cpu_s "$server")" -v r="${storm%% *}" -v d="${DURATION%s}" \
      'BEGIN {printf "%.3f", (b - a) * 1000 / (r * d)}')
    echo "$storm | server CPU $cpu_ms ms a page"
    newest_paths
    writer & wpid=$!
    pids+=("$wpid")
    printf '  breaking news + writer (req/s p99-ms): '
    news=$(with_rss wrk_run "$work/zipf.lua")
    echo "$news"
    kill "$wpid" 2>/dev/null || true
    wait "$wpid" 2>/dev/null || true
    echo "$which $s $(echo "$storm" | cut -d' ' -f1,2) $(echo "$news" | cut -d' ' -f1,2) $cpu_ms" >> "$work/results.txt"
    stop
  done
done
echo
echo "medians over $ROUNDS rounds: search p50 p99 repeat-p50 repeat-p99 (ms) | storm req/s p99 CPU-ms-a-page | news req/s p99"
for which in before after; do
  row() { grep "^$which " "$work/results.txt" | cut -d' ' -f"$1" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  echo "  $which: $(row 2) $(row 3) $(row 4) $(row 5) | $(row 6) $(row 7) $(row 10) | $(row 8) $(row 9)"
done
