#!/usr/bin/env python3
"""Search benchmark: zixun against the peers (whoosh + jieba, SQLite FTS5 trigram), same run,
same queries.

For each engine, in its own child process (so that peak memory is its own):
  - build: zixun = `zixun import` (normalise, analyse, store) then `zixun reindex` (the index
    build the issue asks about); peers = their index build from ../shared/peers/search_peer.py;
  - queries: N known-item queries, two jieba words of a randomly drawn title (the peers' own
    make_queries with the same seed, so every engine gets the same queries), target = the
    article the title came from; p50/p99 latency, zero-hit rate, MRR@10.

Run it with the peers' Python (it has whoosh and jieba): /var/tmp/peers/venv/bin/python.

Usage:
  /var/tmp/peers/venv/bin/python bench/search_bench.py --jsonl ../shared/data/news2018/articles.jsonl [--repeat 10]
        [--engines zixun,whoosh,fts5] [--queries 1000] [--seed 42] [--zixun target/release/zixun]

--repeat K writes the corpus K times with distinct ids (`id-r2`, …; same text and dates), for
scale runs; a hit on any repeat of the target counts as found (ten equal copies of a better match
can still push every copy of the target out of the top 10).
"""
import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "peers"))
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "NEAR"}


def load(path, repeat):
    docs = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    if repeat <= 1:
        return docs
    out = list(docs)
    for k in range(2, repeat + 1):
        for d in docs:
            c = dict(d)
            c["id"] = f"{d['id']}-r{k}"
            out.append(c)
    return out


def make_queries(docs, n, seed):
    """search_peer.make_queries, keeping the document each query was drawn from."""
    try:
        import jieba
    except ImportError:
        sys.exit("jieba is missing: run this with the peers' Python, /var/tmp/peers/venv/bin/python "
                 "(../shared/peers/install.sh creates it)")
    rng = random.Random(seed)
    out, tries = [], 0
    while len(out) < n and tries < n * 50:
        tries += 1
        doc = rng.choice(docs)
        ws = [w for w in jieba.lcut(doc["title"])
              if len(w.strip()) >= 2 and (CJK.search(w) or w.isalnum()) and w.upper() not in OPERATORS]
        ws = list(dict.fromkeys(ws))
        if len(ws) < 2:
            continue
        i, j = sorted(rng.sample(range(len(ws)), 2))
        out.append({"q": f"{ws[i]} {ws[j]}", "words": [ws[i], ws[j]], "target": str(doc["id"])})
    return out


def is_target(ext, target):
    return ext == target or (ext.startswith(target) and ext[len(target):].startswith("-r"))


def score(results, queries):
    rr, zero = 0.0, 0
    for ids, q in zip(results, queries):
        zero += not ids
        for rank, ext in enumerate(ids[:10]):
            if is_target(str(ext), q["target"]):
                rr += 1 / (rank + 1)
                break
    return {"mrr_at_10": rr / len(queries), "zero_hit_pct": 100 * zero / len(queries)}


def pct(xs, p):
    s = sorted(xs)
    return s[max(0, -(-len(s) * p // 100) - 1)]


def dir_size(p):
    if os.path.isfile(p):
        return os.path.getsize(p)
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(p) for f in fs)


def timed(cmd):
    """Runs cmd (wrapped in /usr/bin/time -f "%M %e" by the callers, whose last stderr line is
    the child's own peak RSS in KB); returns (wall seconds, stdout, stderr, exit status)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    return time.perf_counter() - t0, out.decode(), err.decode(), p.returncode


def run_zixun(args, corpus, qfile, work):
    data = os.path.join(work, "zixun-data")
    shutil.rmtree(data, ignore_errors=True)
    res = {"engine": "zixun"}
    for step, cmd in (("import", ["import", corpus]), ("reindex", ["reindex"])):
        full = ["/usr/bin/time", "-f", "%M %e", args.zixun, "--data-dir", data] + cmd
        wall, out, err, rc = timed(full)
        if rc != 0:
            sys.exit(f"zixun {step} failed ({rc}):\n{err[-2000:]}")
        rss_kb, _ = err.strip().splitlines()[-1].split()
        res[f"{step}_s"] = round(wall, 2)
        res[f"{step}_peak_mb"] = round(int(rss_kb) / 1024, 1)
        res[f"{step}_log"] = [l for l in err.splitlines() if l.startswith(("imported", "indexed"))]
    res["index_mb"] = round(dir_size(os.path.join(data, "index")) / 2**20, 1)
    res["store_mb"] = round(sum(dir_size(os.path.join(data, f)) for f in os.listdir(data) if f.startswith("zixun.db")) / 2**20, 1)
    full = ["/usr/bin/time", "-f", "%M %e", args.zixun, "--data-dir", data, "bench", "search", "--queries", qfile]
    wall, out, err, rc = timed(full)
    if rc != 0:
        sys.exit(f"zixun bench failed ({rc}):\n{err[-2000:]}")
    res.update(json.loads(out.strip().splitlines()[-1]))
    res["query_peak_mb"] = round(int(err.strip().splitlines()[-1].split()[0]) / 1024, 1)
    return res


def run_peer(engine, corpus, qfile, work):
    """In this (child) process: build the peer's index and run the queries."""
    sys.path.insert(0, PEERS)
    import logging
    import jieba
    import search_peer as sp
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    docs = [json.loads(l) for l in open(corpus, encoding="utf-8")]
    queries = [json.loads(l) for l in open(qfile, encoding="utf-8")]
    if engine == "whoosh":
        d = os.path.join(work, "whoosh_index")
        ix, secs, cpu = sp.build_whoosh(docs, d)
        fn, _ = sp.whoosh_searcher(ix)
        size = dir_size(d)
        name = "whoosh 2.7 + jieba ChineseAnalyzer"
        ids = lambda hits: [h[0] for h in hits]
    else:
        path = os.path.join(work, "fts5.sqlite")
        con, secs, cpu = sp.build_fts5(docs, path)
        fn = sp.fts5_substr_fn(con)
        size = dir_size(path)
        name = "SQLite FTS5 trigram (MATCH + instr for short words)"
        ids = lambda hits: [docs[h[0]]["id"] for h in hits]
    for q in queries[:20]:
        fn(q["words"])
    lat, results = [], []
    for q in queries:
        t0 = time.perf_counter()
        hits = fn(q["words"])
        lat.append((time.perf_counter() - t0) * 1000)
        results.append(ids(hits))
    out = {"engine": name, "build_s": round(secs, 2), "index_mb": round(size / 2**20, 1),
           "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "mean_ms": sum(lat) / len(lat)}
    out.update(score(results, queries))
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, ensure_ascii=False))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jsonl", required=True)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--engines", default="zixun,whoosh,fts5")
    ap.add_argument("--zixun", default=os.path.join(HERE, "..", "target", "release", "zixun"))
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--peer", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--qfile", help=argparse.SUPPRESS)
    args = ap.parse_args()
    work = args.workdir or tempfile.mkdtemp(prefix="zixun-bench-")
    os.makedirs(work, exist_ok=True)
    if args.peer:
        return run_peer(args.peer, args.corpus, args.qfile, work)

    docs = load(args.jsonl, args.repeat)
    corpus = os.path.join(work, "corpus.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    text_mb = sum(len(d["title"].encode()) + len(d.get("body", "").encode()) for d in docs) / 2**20
    sys.path.insert(0, PEERS)
    queries = make_queries(docs[: len(docs) // max(args.repeat, 1)], args.queries, args.seed)
    qfile = os.path.join(work, "queries.jsonl")
    with open(qfile, "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    print(f"{len(docs)} docs ({text_mb:.1f} MB of title+body text), {len(queries)} queries (seed {args.seed}), "
          f"e.g. {[q['q'] for q in queries[:4]]}", flush=True)

    results = []
    for engine in args.engines.split(","):
        print(f"running {engine} …", flush=True)
        if engine == "zixun":
            r = run_zixun(args, corpus, qfile, work)
            r["build_s"] = r["reindex_s"]
            r["peak_mb"] = max(r["import_peak_mb"], r["reindex_peak_mb"], r["query_peak_mb"])
        else:
            cmd = ["/usr/bin/time", "-f", "%M %e", sys.executable, os.path.abspath(__file__), "--jsonl", args.jsonl,
                   "--peer", engine, "--corpus", corpus, "--qfile", qfile, "--workdir", work]
            wall, out, err, rc = timed(cmd)
            if rc != 0:
                sys.exit(f"{engine} failed:\n{err[-2000:]}")
            r = json.loads(out.strip().splitlines()[-1])
            r["peak_mb"] = round(int(err.strip().splitlines()[-1].split()[0]) / 1024, 1)
        r["build_docs_per_s"] = round(len(docs) / r["build_s"], 1)
        r["build_mb_per_s"] = round(text_mb / r["build_s"], 2)
        results.append(r)
        print(json.dumps(r, ensure_ascii=False), flush=True)

    print(f"\n{'engine':55} {'build s':>8} {'docs/s':>8} {'MB/s':>6} {'index MB':>9} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'0-hit%':>6} {'MRR@10':>7} {'peak MB':>8}")
    for r in results:
        print(f"{r['engine'][:55]:55} {r['build_s']:8.1f} {r['build_docs_per_s']:8.0f} {r['build_mb_per_s']:6.2f} "
              f"{r['index_mb']:9.1f} {r['p50_ms']:7.3f} {r['p99_ms']:7.3f} {r['zero_hit_pct']:6.1f} "
              f"{r['mrr_at_10']:7.3f} {r['peak_mb']:8.1f}")
    z = next((r for r in results if r["engine"] == "zixun" or r["engine"].startswith("zixun")), None)
    if z:
        print("\nratios (peer / zixun; > 1 means zixun is better for time and size, < 1 for MRR):")
        for r in results:
            if r is z:
                continue
            print(f"  {r['engine'][:50]:50} build time ×{r['build_s'] / z['build_s']:.1f}, "
                  f"p50 ×{r['p50_ms'] / z['p50_ms']:.1f}, p99 ×{r['p99_ms'] / z['p99_ms']:.1f}, "
                  f"index size ×{r['index_mb'] / max(z['index_mb'], 0.1):.2f}, MRR {r['mrr_at_10']:.3f} vs {z['mrr_at_10']:.3f}")
        print(f"  zixun import (analysis + store): {z['import_s']} s for {len(docs)} docs = "
              f"{len(docs) / z['import_s']:.0f} articles/s, peak {z['import_peak_mb']} MB")
    with open(os.path.join(work, "results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    print(f"(work folder: {work})")


if __name__ == "__main__":
    main()
