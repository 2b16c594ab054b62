#!/usr/bin/env bash
# One SQLite node, one PostgreSQL node and two PostgreSQL nodes, with nginx serving a static
# copy of an article page, all in the same run, at about 100k articles:
#   - the cache-miss path (a random article of the whole site: the crawler case) and the hit
#     path (one article again and again): req/s and p99, wrk, alternating rounds;
#   - database statements per page miss and per page hit on PostgreSQL (pg_stat_database's
#     committed transactions: every autocommit statement is one; the nodes' background rate,
#     measured idle, is subtracted);
#   - time and resident memory for a new node to turn ready (`/readyz`) from the database;
#   - import and `zixun store copy` throughput.
#
#   bench/nodes_bench.sh [REPEATS]     (default 10: news2018 × 10 ≈ 105k articles)
#
# The corpus is ../shared/data/news2018 repeated REPEATS times with new ids (`-rN`) and dates
# shifted by 31 days per repeat (so that repeats are not copies of one story).
# Needs: target/release/zixun, nginx and wrk (Debian packages), PostgreSQL on 127.0.0.1:5432
# (user postgres, trust auth), python3. Everything on loopback; every wrk run bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
ZIXUN=${ZIXUN:-$PWD/target/release/zixun}
REPEATS=${1:-10}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-32}
DURATION=${DURATION:-10s}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=zixun_nodes_bench
CORPUS=../shared/data/news2018/articles.jsonl
work=${WORK:-/var/tmp/zixun-nodes-bench}
mkdir -p "$work"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
psql_() { psql -qAt "$PG/postgres" -c "$1"; }
. bench/common.sh

# 1. The corpus, repeated with new ids and shifted dates.
big="$work/news2018-x$REPEATS.jsonl"
if [ ! -s "$big" ]; then
  python3 bench/repeat_corpus.py "$CORPUS" "$big" "$REPEATS"
fi
articles=$(wc -l < "$big")
echo "corpus: $articles articles (news2018 x $REPEATS, new ids, dates shifted 31 days a repeat)"

# 2. Import into a SQLite site (kept between runs).
site="$work/sqlite-site"
if [ ! -s "$site/zixun.db" ]; then
  t0=$(date +%s.%N)
  ZIXUN_LOG=warn "$ZIXUN" --data-dir "$site" import "$big" 2>&1 | tail -1
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$articles" 'BEGIN {printf "import into SQLite: %.0f s, %.0f articles/s\n", b - a, n / (b - a)}'
fi

# 3. store copy into a fresh PostgreSQL database (REUSE=1 keeps the last run's database and
# node folders, to measure the serving part again).
if [ -z "${REUSE:-}" ]; then
  psql_ "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  psql_ "CREATE DATABASE $DB"
  t0=$(date +%s.%N)
  ZIXUN_LOG=error "$ZIXUN" --data-dir "$site" store copy --to "$PG/$DB" | tail -3
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v n="$articles" 'BEGIN {printf "store copy: %.0f s, %.0f articles/s (with their terms, views and the rest)\n", b - a, n / (b - a)}'
  rm -rf "$work/pg1" "$work/pg2"
fi

# 4. Nodes: SQLite (its index already built at its first start), then a new PostgreSQL node
# building its replica from the database, then a second one.
start() { # port dir [env] -> pid
  local port=$1 dir=$2; shift 2
  env ZIXUN_LOG=warn ZIXUN_FETCH_FEEDS=false "$@" "$ZIXUN" --data-dir "$dir" serve --bind "127.0.0.1:$port" \
    >"$work/node-$port.log" 2>&1 &
  echo $!
}
zs=$(start 18101 "$site"); pids+=("$zs")
echo "sqlite node ready after $(wait_ready 18101) s, RSS $(rss_mb "$zs") MB"
p1=$(start 18102 "$work/pg1" ZIXUN_DATABASE_URL="$PG/$DB"); pids+=("$p1")
echo "new postgres node ready (index built from the database) after $(wait_ready 18102) s, RSS $(rss_mb "$p1") MB"
p2=$(start 18103 "$work/pg2" ZIXUN_DATABASE_URL="$PG/$DB"); pids+=("$p2")
echo "second postgres node ready after $(wait_ready 18103) s, RSS $(rss_mb "$p2") MB"

# 5. nginx serving a static copy of one article page.
path=/a/1
curl -fs "http://127.0.0.1:18101$path" -o "$work/article.html"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  open_file_cache max=100 inactive=60s;
  default_type text/html;
  server { listen 127.0.0.1:18104; root $work; location / { try_files /article.html =404; } }
}
CONF
nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
sleep 0.5

max_id=$(curl -fs "http://127.0.0.1:18101/api/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
cat > "$work/random.lua" <<LUA
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function() return wrk.format("GET", "/a/" .. math.random(1, $max_id)) end
LUA
wrk_run() { # conns url [script] -> "req/s p99ms"
  local out
  if [ -n "${3:-}" ]; then out=$(wrk -t1 -c"$1" -d"$DURATION" --latency -s "$3" "$2"); else out=$(wrk -t1 -c"$1" -d"$DURATION" --latency "$2"); fi
  awk '/^Requests\/sec/ {r=$2} $1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p=v} END {print r, p}' <<<"$out"
}
both() { # script-or-empty -> "sum-req/s max-p99" of two PostgreSQL nodes loaded at once
  local a b
  wrk_run $((CONNS / 2)) "http://127.0.0.1:18102${2:-/}" "$1" > "$work/both-a" &
  wrk_run $((CONNS / 2)) "http://127.0.0.1:18103${2:-/}" "$1" > "$work/both-b"
  wait
  a=$(cat "$work/both-a"); b=$(cat "$work/both-b")
  awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.1f %.2f\n", x[1] + y[1], (x[2] > y[2] ? x[2] : y[2])}'
}
commits() { psql_ "SELECT xact_commit FROM pg_stat_database WHERE datname = '$DB'"; }

# 6. Database statements per page, on one PostgreSQL node (the other idle).
idle0=$(commits); sleep 10; idle1=$(commits)
idle_rate=$(awk -v a="$idle0" -v b="$idle1" 'BEGIN {print (b - a) / 10}')
per_page() { # url-path n -> statements per request
  local c0 c1 t0 t1
  c0=$(commits); t0=$(date +%s.%N)
  python3 - "$1" "$2" <<'PY'
import sys, urllib.request, random
base, n = "http://127.0.0.1:18102", int(sys.argv[2])
for i in range(n):
    p = sys.argv[1].replace("RANDOM", str(random.randint(1, 10**9)))
    urllib.request.urlopen(base + p).read()
PY
  c1=$(commits); t1=$(date +%s.%N)
  awk -v a="$c0" -v b="$c1" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" -v r="$idle_rate" -v n="$2" \
    'BEGIN {v = (b - a - r * s) / n; if (v < 0) v = 0; printf "%.2f", v}'
}
curl -fs "http://127.0.0.1:18102$path" -o /dev/null
echo "statements per page hit (same article 500 times): $(per_page "$path" 500)  (idle background: $idle_rate a second)"
python3 - "$max_id" > "$work/miss-paths" <<'PY'
import random, sys
random.seed(7)
for _ in range(500):
    print(f"/a/{random.randint(1, int(sys.argv[1]))}")
PY
miss_total=0
c0=$(commits); t0=$(date +%s.%N)
while read -r p; do curl -fs "http://127.0.0.1:18102$p" -o /dev/null || true; done < "$work/miss-paths"
c1=$(commits); t1=$(date +%s.%N)
echo "statements per page miss (500 random articles): $(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v r="$idle_rate" 'BEGIN {v = (b - a - r * (t1 - t0)) / 500; printf "%.2f", v}')"

# 7. Throughput: alternating rounds, each wrk run bounded by DURATION.
: > "$work/results.txt"
for i in $(seq 1 "$ROUNDS"); do
  for case in miss hit; do
    if [ "$case" = miss ]; then s="$work/random.lua"; p=/; else s=""; p=$path; fi
    zq=$(wrk_run "$CONNS" "http://127.0.0.1:18101$p" "$s")
    pq=$(wrk_run "$CONNS" "http://127.0.0.1:18102$p" "$s")
    tq=$(both "$s" "$p")
    nq=$(wrk_run "$CONNS" "http://127.0.0.1:18104$path")
    echo "$case $zq $pq $tq $nq" >> "$work/results.txt"
    echo "round $i $case: sqlite $zq | postgres $pq | 2 x postgres $tq | nginx static $nq   (req/s p99-ms)"
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "median of $ROUNDS rounds, $CONNS connections in all, $DURATION each, at $articles articles:"
for case in miss hit; do
  row() { grep "^$case " "$work/results.txt" | cut -d' ' -f"$1" | median; }
  zr=$(row 2); zp=$(row 3); pr=$(row 4); pp=$(row 5); tr=$(row 6); tp=$(row 7); nr=$(row 8); np=$(row 9)
  printf '  %-4s sqlite %8.0f req/s p99 %6.1f ms | postgres %8.0f p99 %6.1f | 2 x postgres %8.0f p99 %6.1f | nginx %8.0f p99 %5.1f\n' \
    "$case" "$zr" "$zp" "$pr" "$pp" "$tr" "$tp" "$nr" "$np"
  awk -v z="$zr" -v p="$pr" -v t="$tr" -v n="$nr" -v c="$case" \
    'BEGIN {printf "       %s: postgres/sqlite %.2f, 2 x postgres/sqlite %.2f, sqlite/nginx %.3f\n", c, p / z, t / z, z / n}'
done
