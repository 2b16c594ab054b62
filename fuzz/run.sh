#!/usr/bin/env bash
# Runs every cargo fuzz target for a bounded time from the seeds in fuzz/seeds/<target>/,
# failing on a crash (a panic), a hang (one input over 10 s) or running out of memory.
# Usage: fuzz/run.sh [seconds per target, default 60] [target ...]
# Stable Rust: no sanitizer (`-s none`); what is sought is panics, hangs and blow-ups.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-60}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  mapfile -t TARGETS < <(cargo fuzz list)
fi
cargo fuzz build -s none -O
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for t in "${TARGETS[@]}"; do
  mkdir -p "$WORK/$t"
  cp -r "seeds/$t/." "$WORK/$t/"
  echo "== $t: ${SECONDS_EACH} s"
  cargo fuzz run -s none -O "$t" "$WORK/$t" -- \
    -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -print_final_stats=1 2>&1 \
    | grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|#[0-9]+ *DONE)|cov:|panicked|ERROR|Test unit written|SUMMARY" \
    | grep -vE "^#[0-9]+ *(NEW|REDUCE|pulse)" | tail -8
  # cargo fuzz exits non-zero on a crash; pipefail carries it here.
done
