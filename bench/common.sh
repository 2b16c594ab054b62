# Helpers the benchmark scripts share (sourced, not run).
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
# Resident memory as "total/anonymous" MB: the rest is the search index's files mapped by
# searches (clean pages the kernel can take back).
rss_split_mb() { awk '/VmRSS/ {t = $2} /RssAnon/ {a = $2} END {printf "%.0f/%.0f", t / 1024, a / 1024}' "/proc/$1/status"; }
# CPU seconds the process has used, user and system (steal time, a busy host's share, excluded).
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$1/stat"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { # port -> seconds waited for /readyz
  local t0 t1
  t0=$(date +%s.%N)
  for _ in $(seq 1 $((${WAIT_READY_SECS:-600} * 10))); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && break; sleep 0.1; done
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}'
}

make_queries() { # corpus.jsonl out.jsonl n: known-item queries, bench/search_bench.py's generator and seed
  [ -s "$2" ] && return
  "${PY:-/var/tmp/peers/venv/bin/python}" - "$1" "$2" "$3" <<'PY'
import json, sys
sys.path.insert(0, "bench")
import search_bench
docs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for q in search_bench.make_queries(docs, int(sys.argv[3]), 42):
        f.write(json.dumps(q, ensure_ascii=False) + "\n")
PY
}

search_http() { # base queries.jsonl -> "p50 p99 p50-repeat p99-repeat" in ms: /api/search with
  # its highlights, one client on a kept-alive connection, every query then all of them again
  python3 - "$1" "$2" <<'PY'
import http.client, json, sys, time, urllib.parse
base, qfile = sys.argv[1], sys.argv[2]
host = base.split("//")[1]
queries = [json.loads(l)["q"] for l in open(qfile, encoding="utf-8")]
conn = http.client.HTTPConnection(host)
def run():
    lat = []
    for q in queries:
        t = time.perf_counter()
        conn.request("GET", "/api/search?limit=10&q=" + urllib.parse.quote(q))
        r = conn.getresponse(); r.read()
        lat.append((time.perf_counter() - t) * 1000)
        assert r.status == 200, r.status
    lat.sort()
    return lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
first = run(); again = run()
print(f"{first[0]:.2f} {first[1]:.2f} {again[0]:.2f} {again[1]:.2f}")
PY
}

wrk_run() { # script -> "req/s p99-ms"
  wrk -t2 -c"$CONNS" -d"$DURATION" --latency --timeout 10s -s "$1" "$base/" 2>&1 | awk '
    /Requests\/sec/ {r = $2}
    /^ +99%/ {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)} else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p = v}
    END {printf "%.0f %.1f", r, p}'
}

with_rss() { # command... ; prints the command's output, then "total/anonymous" MB every 10 s
  local samples="" sampler
  ( while true; do sleep 10; printf '%s ' "$(rss_split_mb "$server")"; done ) > "$work/rss" &
  sampler=$!
  "$@"
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  samples=$(cat "$work/rss")
  echo " | rss MB (total/anon): $samples"
}

repeated_site() { # repeats binary: $CORPUS repeated (new ids, shifted dates) and imported once
  # into $work/site by binary; sets $big and $data
  big="$work/news2018-x$1.jsonl"
  [ -s "$big" ] || python3 bench/repeat_corpus.py "$CORPUS" "$big" "$1"
  data="$work/site"
  if [ ! -s "$data/zixun.db" ]; then
    echo "importing $(wc -l < "$big") articles"
    /usr/bin/time -f "import: %e s, peak %M KB" "$2" --data-dir "$data" import "$big" >/dev/null
  fi
}

ab_builds() { # the two builds and their sites, for the A/B scripts: BEFORE (required), AFTER (this
  # tree's release build), SITE, SITE_BEFORE (a copy of SITE from before AFTER's migrations, when
  # AFTER adds any: BEFORE cannot open a migrated folder)
  BEFORE=${BEFORE:?set BEFORE to the zixun binary to compare against}
  AFTER=${AFTER:-$PWD/target/release/zixun}
  SITE=${SITE:-/var/tmp/zixun-read-path/site}
  SITE_BEFORE=${SITE_BEFORE:-$SITE}
}

max_article_id() { # data-folder -> the largest article id in its database
  python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT max(id) FROM articles").fetchone()[0])' "$1/zixun.db"
}

storm_lua() { # data-folder out.lua: a wrk script asking for a random article of the site each request
  local max_id
  max_id=$(max_article_id "$1")
  cat > "$2" <<LUA
math.randomseed(os.time())
request = function() return wrk.format("GET", "/a/" .. math.random(1, $max_id)) end
LUA
  echo "$max_id"
}
