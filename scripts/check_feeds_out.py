#!/usr/bin/env python3
"""Parses zixun's feeds and sitemaps with outside parsers (Python's feedparser and
xml.etree) and checks them against the JSON API of the same running portal.

    python check_feeds_out.py http://127.0.0.1:8080

Every feed must parse without feedparser's bozo flag, hold the newest articles in the API's
order, with the same titles and links; the JSON Feed must be JSON Feed 1.1; the sitemaps must be
well-formed and list every published story. Exit status 1 on any failure, with each one named.
"""
import json
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import feedparser

FEED_ITEMS = 30
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
failures = []


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.read(), r.headers.get("Content-Type", "")


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def api_items(base, category=None):
    q = f"/api/articles?limit={FEED_ITEMS}"
    if category:
        q += "&category=" + urllib.parse.quote(category)
    body, _ = get(base, q)
    return json.loads(body)["items"]


def all_article_urls(base):
    """Every listed article, paging through the API with its cursor."""
    urls, cursor = [], ""
    while True:
        page = json.loads(get(base, f"/api/articles?limit=100&cursor={cursor}")[0])
        urls += [i["url"] for i in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return urls


def check_feed(base, path, expected):
    body, ctype = get(base, path)
    d = feedparser.parse(body)
    where = f"{path}"
    check(not d.bozo, f"{where}: feedparser says bozo: {d.get('bozo_exception')}")
    check(d.feed.get("title"), f"{where}: no feed title")
    check(d.feed.get("link", "").startswith(base), f"{where}: feed link {d.feed.get('link')!r}")
    if not check(len(d.entries) == len(expected), f"{where}: {len(d.entries)} entries, expected {len(expected)}"):
        return
    for e, want in zip(d.entries, expected):
        check(e.get("title") == want["title"], f"{where}: title {e.get('title')!r} != {want['title']!r}")
        check(e.get("link") == want["url"], f"{where}: link {e.get('link')!r} != {want['url']!r}")
        check(e.get("published_parsed") is not None, f"{where}: entry {want['id']} has no date")
        text = (e.get("content") or [{}])[0].get("value", "") or e.get("summary", "")
        check(len(text) > 0, f"{where}: entry {want['id']} has no content")
        if want.get("source"):
            credited = e.get("source", {}).get("title") or e.get("author") or ""
            check(credited, f"{where}: syndicated entry {want['id']} does not credit its outlet")
    print(f"ok  {path}: {d.version}, {len(d.entries)} entries, {ctype}")


def check_json_feed(base, path, expected):
    body, ctype = get(base, path)
    feed = json.loads(body)
    check(feed.get("version") == "https://jsonfeed.org/version/1.1", f"{path}: version {feed.get('version')!r}")
    check(feed.get("feed_url", "").endswith(path), f"{path}: feed_url {feed.get('feed_url')!r}")
    items = feed.get("items", [])
    check([i["url"] for i in items] == [w["url"] for w in expected], f"{path}: items differ from the API's")
    for i in items:
        check(i.get("id") and i.get("content_html") and i.get("date_published"), f"{path}: item {i.get('id')} lacks fields")
    print(f"ok  {path}: {len(items)} items, {ctype}")


def check_sitemaps(base):
    body, _ = get(base, "/sitemap.xml")
    root = ET.fromstring(body)
    if root.tag == SM + "sitemapindex":
        locs = []
        for sm in root.findall(SM + "sitemap"):
            sub, _ = get(base, urllib.parse.urlparse(sm.find(SM + "loc").text).path)
            locs += [u.find(SM + "loc").text for u in ET.fromstring(sub).findall(SM + "url")]
    else:
        locs = [u.find(SM + "loc").text for u in root.findall(SM + "url")]
    article_locs = {l for l in locs if "/a/" in l}
    published = set(all_article_urls(base))
    check(article_locs == published, f"sitemap lists {len(article_locs)} articles, the API {len(published)}; "
          f"missing {sorted(published - article_locs)[:3]}, extra {sorted(article_locs - published)[:3]}")
    check(len(set(locs)) == len(locs), "sitemap lists a URL twice")
    print(f"ok  /sitemap.xml: {len(locs)} URLs")
    body, _ = get(base, "/news-sitemap.xml")
    news = ET.fromstring(body).findall(SM + "url")
    check(all(u.find("{http://www.google.com/schemas/sitemap-news/0.9}news") is not None for u in news), "news sitemap entry without news:news")
    print(f"ok  /news-sitemap.xml: {len(news)} URLs")
    robots, _ = get(base, "/robots.txt")
    check(f"Sitemap: {base}/sitemap.xml" in robots.decode(), "robots.txt does not point at the sitemap")


def main():
    base = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
    everything = api_items(base)
    check(len(everything) > 0, "the portal has no articles to put in feeds")
    for path in ("/rss.xml", "/atom.xml"):
        check_feed(base, path, everything)
    check_json_feed(base, "/feed.json", everything)
    categories = sorted({i["category"] for i in everything if i.get("category")})
    for c in categories[:3]:
        expected = api_items(base, c)
        for kind in ("rss.xml", "atom.xml"):
            check_feed(base, f"/c/{urllib.parse.quote(c)}/{kind}", expected)
        check_json_feed(base, f"/c/{urllib.parse.quote(c)}/feed.json", expected)
    check_sitemaps(base)
    for f in failures:
        print("FAIL", f)
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
