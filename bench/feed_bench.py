#!/usr/bin/env python3
"""Entries per second through the whole feed ingest path, against `zixun import` of the same
articles in the same run.

Splits a JSON Lines corpus into N RSS 2.0 feeds (GBK-encoded, as many Chinese outlets still
serve them, with HTML bodies), serves them from a local HTTP server, adds them as sources from
an OPML file, and times `zixun fetch` (HTTP, decoding, parsing, sanitizing, analysis, SimHash
dedup, SQLite) into an empty data folder. Then times `zixun import` of the same articles into
another empty folder. Prints both rates and their ratio.

    python3 bench/feed_bench.py --jsonl ../shared/data/news2018/articles.jsonl --feeds 20 \
        --zixun target/release/zixun
"""
import argparse
import email.utils
import functools
import html
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from xml.sax.saxutils import escape


def rss(name, items):
    out = [f'<?xml version="1.0" encoding="gbk"?>\n<rss version="2.0"><channel><title>{escape(name)}</title>'
           f'<link>https://{name}.example/</link><description>{escape(name)}</description>']
    for i, a in enumerate(items):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in a["body"].split("\n") if p.strip())
        date = email.utils.formatdate(time.time() - 3600 * i, localtime=False)
        out.append(f'<item><title>{escape(a["title"])}</title><link>https://{name}.example/a/{escape(a["id"])}.html</link>'
                   f'<guid isPermaLink="false">{escape(a["id"])}</guid><pubDate>{date}</pubDate>'
                   f'<description>{escape(body)}</description></item>')
    out.append("</channel></rss>")
    return "".join(out).encode("gbk", errors="xmlcharrefreplace")


def timed(cmd, env):
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jsonl", required=True)
    ap.add_argument("--feeds", type=int, default=20)
    ap.add_argument("--limit", type=int, default=0, help="articles to use (0: all)")
    ap.add_argument("--zixun", default="target/release/zixun")
    args = ap.parse_args()
    articles = [json.loads(l) for l in open(args.jsonl, encoding="utf-8") if l.strip()]
    if args.limit:
        articles = articles[: args.limit]
    work = tempfile.mkdtemp(prefix="zixun-feed-bench-")
    site = os.path.join(work, "site")
    os.makedirs(site)
    per = -(-len(articles) // args.feeds)
    outlines = []
    for f in range(args.feeds):
        chunk = articles[f * per:(f + 1) * per]
        if not chunk:
            continue
        with open(os.path.join(site, f"feed{f}.xml"), "wb") as fh:
            fh.write(rss(f"outlet{f}", chunk))
        outlines.append(f)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=site)
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    opml = os.path.join(work, "sources.opml")
    with open(opml, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0"?><opml version="2.0"><head><title>bench</title></head><body>')
        for f in outlines:
            fh.write(f'<outline text="outlet{f}" xmlUrl="http://127.0.0.1:{port}/feed{f}.xml"/>')
        fh.write("</body></opml>")
    env = dict(os.environ, ZIXUN_LOG="warn", ZIXUN_FEED_MAX_BYTES=str(200 * 1024 * 1024))
    feed_dir = os.path.join(work, "feed-data")
    subprocess.run([args.zixun, "--data-dir", feed_dir, "sources", "import", opml], env=env, check=True,
                   capture_output=True)
    feed_secs, p = timed([args.zixun, "--data-dir", feed_dir, "fetch"], env)
    if p.returncode != 0:
        sys.exit(f"zixun fetch failed:\n{p.stdout}\n{p.stderr}")
    stored = sum(int(line.split(" entries: ")[1].split(" new")[0]) for line in p.stdout.splitlines() if " new," in line)
    jsonl = os.path.join(work, "same.jsonl")
    with open(jsonl, "w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    import_secs, p = timed([args.zixun, "--data-dir", os.path.join(work, "import-data"), "import", jsonl], env)
    if p.returncode not in (0, 3):
        sys.exit(f"zixun import failed:\n{p.stderr}")
    feed_bytes = sum(os.path.getsize(os.path.join(site, n)) for n in os.listdir(site))
    print(f"articles: {len(articles)} in {len(outlines)} GBK RSS feeds ({feed_bytes / 1e6:.1f} MB)")
    print(f"zixun fetch : {stored} new entries in {feed_secs:.1f} s = {stored / feed_secs:,.0f} entries/s")
    print(f"zixun import: {len(articles)} lines in {import_secs:.1f} s = {len(articles) / import_secs:,.0f} articles/s")
    print(f"feed path / import path throughput: {(stored / feed_secs) / (len(articles) / import_secs):.2f}")
    server.shutdown()


if __name__ == "__main__":
    main()
