#!/usr/bin/env python3
"""The demo's pages as a browser and the HTML checker see them (issue 13), run by .ci/run.

Usage: check_pages.py BASE_URL NODE_TOOLS_DIR

- The Nu HTML Checker (npm's vnu-jar) on the home page, an article with a cover image, a
  category, a search page and the article's 繁體 view: any error fails.
- Lighthouse (npm) in Debian's chromium on the first four, mobile and desktop: a score below
  95 in accessibility, best practices or SEO fails. The search page is kept from crawlers by
  robots.txt on purpose, so there every SEO audit but `is-crawlable` must pass instead.
Scores, Largest Contentful Paint and page weight are printed for each page.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

MIN_SCORE = 0.95
GATED = ("accessibility", "best-practices", "seo")


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def pages(base):
    """Paths to check: the newest article that has a cover, and the lists around it."""
    listing = json.loads(fetch(f"{base}/api/articles?limit=50"))
    items = listing.get("items", listing) if isinstance(listing, dict) else listing
    with_cover = [a for a in items if a.get("cover") and a.get("category")]
    if not with_cover:
        sys.exit("check_pages: the demo has no article with a cover image and a category")
    article = with_cover[0]
    category = urllib.parse.quote(article["category"])
    word = urllib.parse.quote(article["keywords"][0] if article.get("keywords") else article["title"][:2])
    return [
        ("home", "/"),
        ("article", f"/a/{article['id']}"),
        ("category", f"/c/{category}"),
        ("search", f"/search?q={word}"),
    ], f"/zh-hant/a/{article['id']}"


def nu_check(base, paths, tools):
    jar = os.path.join(tools, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
    with tempfile.TemporaryDirectory() as d:
        files = []
        for i, path in enumerate(paths):
            f = os.path.join(d, f"page{i}.html")
            with open(f, "wb") as out:
                out.write(fetch(base + path))
            files.append(f)
        r = subprocess.run(["java", "-jar", jar, "--errors-only", "--format", "text", *files],
                           capture_output=True, text=True)
        report = (r.stdout + r.stderr).strip()
        for i, path in enumerate(paths):
            report = report.replace(f"file:{files[i]}", path)
        if r.returncode != 0:
            print(report)
            return False
    print(f"Nu HTML Checker: no errors in {len(paths)} pages")
    return True


def lighthouse(base, name, path, preset, tools):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [
            os.path.join(tools, "node_modules", ".bin", "lighthouse"), base + path, "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--only-categories=performance,accessibility,best-practices,seo",
            "--output=json", f"--output-path={out.name}",
        ]
        if preset == "desktop":
            cmd.append("--preset=desktop")
        env = dict(os.environ, CHROME_PATH=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=180)
        if r.returncode != 0:
            print(f"lighthouse failed on {path} ({preset}):\n{r.stderr[-2000:]}")
            return False
        report = json.load(open(out.name))
    cats = report["categories"]
    scores = {k: round(v["score"] * 100) for k, v in cats.items() if v["score"] is not None}
    audits = report["audits"]
    print(f"{name:9} {preset:8} {scores}  LCP {audits['largest-contentful-paint']['displayValue']}, "
          f"{audits['total-byte-weight']['displayValue']}")
    ok = True
    for cat in GATED:
        failing = [a["id"] for a in cats[cat]["auditRefs"]
                   if a.get("weight", 0) > 0 and audits[a["id"]].get("score") is not None
                   and audits[a["id"]]["score"] < 1]
        if name == "search" and cat == "seo":
            failing = [a for a in failing if a != "is-crawlable"]
            if failing:
                print(f"  FAIL {cat}: {failing}")
                ok = False
        elif (cats[cat]["score"] or 0) < MIN_SCORE:
            print(f"  FAIL {cat} below {round(MIN_SCORE * 100)}: {failing}")
            ok = False
    return ok


def main():
    base, tools = sys.argv[1].rstrip("/"), sys.argv[2]
    checked, hant = pages(base)
    ok = nu_check(base, [p for _, p in checked] + [hant], tools)
    for name, path in checked:
        for preset in ("mobile", "desktop"):
            ok = lighthouse(base, name, path, preset, tools) and ok
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
