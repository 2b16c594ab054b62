#!/usr/bin/env bash
# What the 敏感词 check costs on the write path (issue 12 item 6): `zixun import` of news2018
# (10,494 articles) into a fresh data folder, three ways in one run, and the ratio of each to
# the first:
#   none     no list (the default);
#   unseen   a list of WORDS words (default 2,000) that occur in no article, a third each of
#            block, review and replace: the cost of folding and scanning every field;
#   masking  the same list with 50 of the corpus's frequent words in replace mode: most
#            articles have words masked, so their bodies are rewritten before analysis.
# Each import is run RUNS times (default 3) and the best kept. Uses target/release/zixun (or
# ZIXUN=...). Not in CI.
#
#   bench/words_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ZIXUN=${ZIXUN:-$PWD/target/release/zixun}
WORDS=${WORDS:-2000}
RUNS=${RUNS:-3}
CORPUS=../shared/data/news2018/articles.jsonl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$WORDS" "$CORPUS" <<'PY'
import collections, json, random, sys
work, n, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)
text = open(corpus, encoding="utf-8").read()
modes = ["block", "review", "replace"]
words = []
while len(words) < n:
    # Four characters from the CJK block, checked against the corpus: none occurs.
    w = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(4))
    if w not in text:
        words.append(w)
unseen = [f"{w} {modes[i % 3]}" for i, w in enumerate(words)]
open(f"{work}/unseen.txt", "w", encoding="utf-8").write("\n".join(unseen) + "\n")
# The corpus's frequent two-character words (by documents), masked.
df = collections.Counter()
for line in open(corpus, encoding="utf-8"):
    body = json.loads(line).get("body", "")
    df.update({body[i:i + 2] for i in range(0, min(len(body), 400), 2) if all("\u4e00" <= c <= "\u9fa5" for c in body[i:i + 2])})
common = [w for w, _ in df.most_common(50)]
open(f"{work}/masking.txt", "w", encoding="utf-8").write("\n".join(unseen + [f"{w} replace" for w in common]) + "\n")
PY

best() { # list-file-or-empty -> best wall seconds of RUNS imports
  local best=""
  for _ in $(seq "$RUNS"); do
    local data="$work/data"
    rm -rf "$data"
    local t0 t1
    t0=$(date +%s.%N)
    if [ -n "$1" ]; then
      ZIXUN_SENSITIVE_WORDS="$1" ZIXUN_LOG=error "$ZIXUN" --data-dir "$data" import "$CORPUS" >/dev/null 2>&1 || true
    else
      ZIXUN_LOG=error "$ZIXUN" --data-dir "$data" import "$CORPUS" >/dev/null 2>&1 || true
    fi
    t1=$(date +%s.%N)
    best=$(awk -v a="$t0" -v b="$t1" -v c="$best" 'BEGIN {t = b - a; if (c == "" || t < c) print t; else print c}')
  done
  echo "$best"
}

none=$(best "")
unseen=$(best "$work/unseen.txt")
masking=$(best "$work/masking.txt")
awk -v n="$none" -v u="$unseen" -v m="$masking" -v w="$WORDS" 'BEGIN {
  printf "import of news2018, best of runs:\n"
  printf "  no list                      %6.2f s  1.00\n", n
  printf "  %-28s %6.2f s  %.2f\n", w " unseen words", u, u / n
  printf "  the same + 50 masked words   %6.2f s  %.2f\n", m, m / n
}'
