#!/usr/bin/env bash
# Cached article page: zixun against nginx serving the very same HTML as a static file, in the
# same run. wrk, 2 threads, 64 connections, 10 s, alternating A B A B A B; medians and the ratio.
#
#   bench/http_bench.sh [DATA_DIR]      (default: a fresh data folder with the demo content)
#
# Needs: target/release/zixun (cargo build --release), nginx and wrk (Debian packages).
set -euo pipefail
cd "$(dirname "$0")/.."
ZIXUN=${ZIXUN:-target/release/zixun}
ZPORT=${ZPORT:-18090}
NPORT=${NPORT:-18091}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10s}
work=$(mktemp -d /tmp/zixun-http-bench.XXXXXX)
chmod 755 "$work"   # nginx workers read the page as another user
data=${1:-$work/data}
cleanup() {
  [ -n "${zpid:-}" ] && kill "$zpid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT

ZIXUN_LOG=warn "$ZIXUN" --data-dir "$data" serve --demo --bind "127.0.0.1:$ZPORT" &
zpid=$!
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$ZPORT/healthz" >/dev/null && break; sleep 0.2; done
path=/a/1
curl -fs "http://127.0.0.1:$ZPORT$path" -o "$work/article.html"
echo "page: $path, $(wc -c < "$work/article.html") bytes (identity), served by both"

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
  server { listen 127.0.0.1:$NPORT; root $work; location = $path { try_files /article.html =404; } }
}
CONF
nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
sleep 0.5
curl -fs "http://127.0.0.1:$NPORT$path" -o /dev/null

run() { # name url -> "req/s p99ms"
  local out rps p99
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "$2")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
  echo "$rps $p99"
}
wrk -t2 -c"$CONNS" -d3s "http://127.0.0.1:$ZPORT$path" >/dev/null
wrk -t2 -c"$CONNS" -d3s "http://127.0.0.1:$NPORT$path" >/dev/null
: > "$work/z.txt"; : > "$work/n.txt"
for i in $(seq 1 "$ROUNDS"); do
  z=$(run zixun "http://127.0.0.1:$ZPORT$path"); echo "$z" >> "$work/z.txt"
  n=$(run nginx "http://127.0.0.1:$NPORT$path"); echo "$n" >> "$work/n.txt"
  echo "round $i: zixun $z | nginx $n   (req/s p99-ms)"
done
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
zr=$(cut -d' ' -f1 "$work/z.txt" | median); zp=$(cut -d' ' -f2 "$work/z.txt" | median)
nr=$(cut -d' ' -f1 "$work/n.txt" | median); np=$(cut -d' ' -f2 "$work/n.txt" | median)
echo
echo "median of $ROUNDS rounds, $CONNS connections, $DURATION each:"
printf '  zixun  %10.0f req/s  p99 %7.2f ms\n' "$zr" "$zp"
printf '  nginx  %10.0f req/s  p99 %7.2f ms\n' "$nr" "$np"
awk -v z="$zr" -v n="$nr" -v zp="$zp" -v np="$np" 'BEGIN {printf "  ratio zixun/nginx: throughput %.2f, p99 %.2f\n", z/n, zp/np}'
