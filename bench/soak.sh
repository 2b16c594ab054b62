#!/usr/bin/env bash
# The soak: mixed reads for MINUTES at CONNS connections against one node of news2018 (10,494
# articles), while a writer publishes one article a second through the newsroom API and a feed
# on loopback (a new entry every 30 s) is polled every minute. Every 30 s it prints the round's
# requests, errors (non-2xx/3xx answers and socket errors), p50/p99 latency and the server's
# resident memory.
# The aim: no errors, p99 steady, memory flat within the page-cache budget.
#
#   bench/soak.sh [MINUTES]      (default 10; not in CI)
#
# Reads, drawn at random per request: story pages (90% of the mix is spread over every head
# article: the crawler case), the home page, category pages, search pages and the search API,
# feeds, the hot list. Needs target/release/zixun, wrk (Debian package), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ZIXUN=${ZIXUN:-$PWD/target/release/zixun}
MINUTES=${1:-10}
CONNS=${CONNS:-64}
ROUND=${ROUND:-30}
CORPUS=../shared/data/news2018/articles.jsonl
work=${WORK:-/var/tmp/zixun-soak}
mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
. bench/common.sh

data="$work/data"
if [ ! -s "$data/zixun.db" ]; then
  echo "importing $CORPUS"
  "$ZIXUN" --data-dir "$data" import "$CORPUS" >/dev/null
fi

# The feed: an RSS file on loopback that gains an entry every 30 s.
feed_dir="$work/feed"
mkdir -p "$feed_dir"
write_feed() { # n entries
  python3 - "$feed_dir/rss.xml" "$1" <<'PY'
import sys, datetime
path, n = sys.argv[1], int(sys.argv[2])
now = datetime.datetime.now(datetime.timezone.utc)
items = "".join(
    f"<item><title>浸泡测试快讯第{i}条：城市交通运行平稳</title><link>http://soak.example/{i}.html</link>"
    f"<guid>soak-{i}</guid><pubDate>{(now - datetime.timedelta(seconds=30 * (n - i))).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
    f"<description>第{i}条快讯正文：早高峰期间全市主要道路通行顺畅，公交地铁运行正常。</description></item>"
    for i in range(1, n + 1)
)
open(path, "w", encoding="utf-8").write(
    f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>浸泡测试源</title>'
    f"<link>http://soak.example/</link><description>soak</description>{items}</channel></rss>"
)
PY
}
write_feed 1
feed_port=$(free_port)
python3 -m http.server "$feed_port" --bind 127.0.0.1 --directory "$feed_dir" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$feed_port/rss.xml" >/dev/null && break; sleep 0.1; done
# An earlier run's source (on another port) goes first.
"$ZIXUN" --data-dir "$data" sources remove 浸泡测试源 >/dev/null 2>&1 || true
ZIXUN_ALLOW_PRIVATE_ADDRESSES=true "$ZIXUN" --data-dir "$data" sources add "http://127.0.0.1:$feed_port/rss.xml" \
  --name 浸泡测试源 --interval 1m >/dev/null
# The writer's account and token (the newsroom API).
printf 'soak-writer-password\n' | "$ZIXUN" --data-dir "$data" users add 浸泡编辑 --role editor >/dev/null 2>&1 || true
token=$("$ZIXUN" --data-dir "$data" tokens add --user 浸泡编辑 2>/dev/null)

port=$(free_port)
ZIXUN_LOG=warn ZIXUN_ALLOW_PRIVATE_ADDRESSES=true "$ZIXUN" --data-dir "$data" serve --bind "127.0.0.1:$port" &
server=$!
pids+=($server)
for _ in $(seq 1 3000); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port"
echo "ready: $(rss_mb $server) MB resident"

# The request mix, as paths for wrk's Lua script.
python3 - "$base" "$work/paths.txt" <<'PY'
import json, random, sys, urllib.parse, urllib.request
base, out = sys.argv[1], sys.argv[2]
ids, cats, cursor = [], set(), ""
while True:
    page = json.load(urllib.request.urlopen(f"{base}/api/articles?limit=100&cursor={cursor}"))
    ids += [i["id"] for i in page["items"]]
    cats |= {i["category"] for i in page["items"] if i["category"]}
    cursor = page["next_cursor"]
    if not cursor:
        break
q = lambda s: urllib.parse.quote(s)
words = ["世界杯", "人工智能", "房价", "芯片", "新能源汽车", "高考", "疫苗", "股市", "美国 关税", "华为"]
cats = sorted(cats)
paths = [f"/a/{i}" for i in random.sample(ids, min(len(ids), 9000))]
paths += ["/"] * 200 + [f"/c/{q(c)}" for c in cats] * (200 // max(len(cats), 1)) + [f"/search?q={q(w)}" for w in words] * 20
paths += [f"/api/search?q={q(w)}" for w in words] * 20 + ["/rss.xml", "/atom.xml", "/api/hot"] * 50
random.shuffle(paths)
open(out, "w").write("\n".join(paths) + "\n")
print(f"{len(paths)} paths over {len(ids)} stories")
PY
cat > "$work/soak.lua" <<EOF
local paths = {}
for line in io.lines("$work/paths.txt") do paths[#paths + 1] = line end
math.randomseed(os.time())
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
EOF

# The writer: one article a second through the newsroom API, each a new story, published.
(
  i=0
  while true; do
    i=$((i + 1))
    body=$(printf '{"title":"浸泡测试稿件第%d篇：本地新闻","body":"这是第%d篇浸泡测试稿件的正文，用于在读取压力下检验写入。第%d段。","status":"published"}' \
      "$i" "$i" "$i")
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data "$body" "$base/api/articles")
    [ "$code" = 201 ] || echo "writer: article $i answered $code"
    sleep 1
  done
) &
pids+=($!)
# The feed grows an entry every 30 s.
( n=1; while true; do sleep 30; n=$((n + 1)); write_feed "$n"; done ) &
pids+=($!)

rounds=$((MINUTES * 60 / ROUND))
printf "%6s %9s %8s %8s %8s %8s %7s\n" "t (s)" "requests" "req/s" "errors" "p50" "p99" "RSS MB"
total_err=0
for r in $(seq 1 "$rounds"); do
  out=$(wrk -t2 -c"$CONNS" -d"${ROUND}s" --latency -s "$work/soak.lua" "$base" 2>&1)
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx/ {print $NF}' <<<"$out")
  sock=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' <<<"$out")
  err=$(( ${non2xx:-0} + ${sock:-0} ))
  total_err=$((total_err + err))
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf "%6d %9s %8s %8d %8s %8s %7s\n" $((r * ROUND)) "$reqs" "$rps" "$err" "$p50" "$p99" "$(rss_mb $server)"
done
stories=$(curl -fs "$base/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("indexed_docs"))')
echo "errors in all: $total_err; indexed documents at the end: $stories; the feed source:"
"$ZIXUN" --data-dir "$data" sources list 2>&1 | tail -1
