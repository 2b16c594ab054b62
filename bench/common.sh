# Helpers the benchmark scripts share (sourced, not run).
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { # port -> seconds waited for /readyz
  local t0 t1
  t0=$(date +%s.%N)
  for _ in $(seq 1 6000); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && break; sleep 0.1; done
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}'
}
