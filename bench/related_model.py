#!/usr/bin/env python3
"""A model of 相关内容's candidate search, to choose its sizes before building them in Rust.

Python's jieba stands in for jieba-rs, so its figures are close to, not equal to, zixun's (the
Rust harness, `zixun eval related`, is the one that counts). For a seeded sample of articles it
prints precision@5 (same category) of plain top-5 lists, no dedup or recency, for:

  - full TF-IDF vectors, brute force (the baseline of `zixun eval related`);
  - vectors cut to their K weightiest words, scored over those words only;
  - vectors of V words, posted under their P best, scored against the postings and the best
    3 × 50 re-scored by the exact cosine of the V-word vectors (zixun's design: V=64, P=32);
  - the same with a bonus for the article's category.

Usage (jieba from PyPI):
  python3 bench/related_model.py --jsonl ../shared/data/news2018/articles.jsonl [--sample 2000]
"""

import argparse
import collections
import heapq
import json
import math
import random

import jieba


def keyword_candidate(w):
    """zixun's rule, roughly: 2-20 chars with a letter, not a number with a unit."""
    if not 2 <= len(w) <= 20 or not any(c.isalpha() for c in w):
        return False
    return not (w[0].isdigit() and sum('\u4e00' <= c <= '\u9fff' for c in w) <= 2)


def bags(articles):
    out = []
    for a in articles:
        title = collections.Counter(w.lower() for w in jieba.cut(a['title']) if keyword_candidate(w))
        body = collections.Counter(w.lower() for w in jieba.cut(a['body']) if keyword_candidate(w))
        out.append((title, body))
    return out


def unit(v):
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {w: x / norm for w, x in v.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--jsonl', required=True)
    ap.add_argument('--sample', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()
    jieba.setLogLevel(60)
    articles = [json.loads(line) for line in open(args.jsonl, encoding='utf-8')]
    n = len(articles)
    counted = bags(articles)
    df = collections.Counter()
    for title, body in counted:
        df.update(set(title) | set(body))
    idf = {w: math.log((n + 1) / (d + 1)) for w, d in df.items()}
    category = [a.get('category') for a in articles]
    random.seed(args.seed)
    sample = random.sample(range(n), min(args.sample, n))

    def vector(i, title_weight, keep):
        title, body = counted[i]
        tf = collections.Counter(body)
        for w, c in title.items():
            tf[w] += c * title_weight
        v = {w: c * idf[w] for w, c in tf.items()}
        if keep:
            v = dict(heapq.nlargest(keep, v.items(), key=lambda p: p[1]))
        return unit(v)

    def precision(vectors, posted, rescore, bonus):
        postings = collections.defaultdict(list)
        for i, v in enumerate(vectors):
            best = heapq.nlargest(posted, v.items(), key=lambda p: p[1]) if posted else v.items()
            for w, x in best:
                postings[w].append((i, x))
        same = 0
        for i in sample:
            acc = collections.defaultdict(float)
            for w, x in vectors[i].items():
                for j, y in postings.get(w, ()):
                    acc[j] += x * y
            acc.pop(i, None)
            pool = heapq.nlargest(150 if rescore else 5, acc.items(), key=lambda p: p[1])
            scored = []
            for j, s in pool:
                if rescore:
                    s = sum(x * vectors[j].get(w, 0.0) for w, x in vectors[i].items())
                if bonus and category[j] == category[i]:
                    s *= 1 + bonus
                scored.append((s, j))
            same += sum(category[j] == category[i] for _, j in heapq.nlargest(5, scored))
        return same / (5 * len(sample))

    full = [vector(i, 1, 0) for i in range(n)]
    print(f'full TF-IDF vectors, brute force          {precision(full, 0, False, 0):.4f}', flush=True)
    for keep in (32, 64):
        cut = [vector(i, 3, keep) for i in range(n)]
        print(f'{keep} words, scored over them only          {precision(cut, 0, False, 0):.4f}', flush=True)
    for keep in (64, 96):
        cut = [vector(i, 1, keep) for i in range(n)]
        print(f'{keep} words posted under 32, re-scored     {precision(cut, 32, True, 0):.4f}', flush=True)
    cut = [vector(i, 1, 64) for i in range(n)]
    print(f'64 words posted under 32, re-scored, +0.1 category {precision(cut, 32, True, 0.1):.4f}', flush=True)


if __name__ == '__main__':
    main()
