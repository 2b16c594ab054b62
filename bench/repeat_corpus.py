#!/usr/bin/env python3
"""A corpus repeated for scale runs: each article N times, with new ids (`id-rK`) and its date
shifted by 31 days per repeat (so that repeats are not copies of one story).

Usage: python3 bench/repeat_corpus.py IN.jsonl OUT.jsonl N
"""
import datetime
import json
import sys

src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l) for l in open(src, encoding="utf-8") if l.strip()]
with open(out, "w", encoding="utf-8") as f:
    for r in range(n):
        for a in rows:
            b = dict(a)
            b["id"] = f"{a['id']}-r{r}"
            if a.get("published_at"):
                t = datetime.datetime.fromisoformat(a["published_at"][:19].replace(" ", "T"))
                b["published_at"] = (t + datetime.timedelta(days=31 * r)).strftime("%Y-%m-%d %H:%M:%S")
            f.write(json.dumps(b, ensure_ascii=False) + "\n")
