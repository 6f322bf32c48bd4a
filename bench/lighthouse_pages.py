"""Lighthouse on every page type of a built site, served as netlify.toml serves it.

Each page type (home, a day, a paper, a topic, the topics index, a week, a month, the
archive, stats, search with results, feeds, a Markdown page, 404) is loaded from a
local static server that gzips text and sends the headers netlify.toml sets for the
path (Content-Security-Policy, cache lifetimes), then scored by Lighthouse 12
(bench/node_modules, `npm ci --prefix bench`) in Debian's Chromium, in the four
categories. It prints a table and the audits that cost points, and exits 0 either way.

    .venv/bin/python bench/lighthouse_pages.py SITE_DIR [--runs 1] [--only home paper ...]

Build the real corpus first, e.g.:
    SOURCE_DATE_EPOCH=1790000000 .venv/bin/digest build --source /tmp/real --output /tmp/real/site
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import http.server
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search_bench  # the shared Lighthouse runner and gzip server

REPO = Path(__file__).resolve().parent.parent


def netlify_headers(path: str) -> list[tuple[str, str]]:
    """The headers netlify.toml's [[headers]] rules give `path` (a later rule's name wins, as one rule per name)."""
    rules = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8")).get("headers", [])
    headers: dict[str, str] = {}
    for rule in rules:
        if fnmatch.fnmatchcase(path, rule["for"]):
            headers.update(rule.get("values", {}))
    return list(headers.items())


class NetlifyHandler(search_bench.GzipHandler):
    """The benchmark's gzip server, plus netlify.toml's headers for each path."""

    def end_headers(self) -> None:
        for name, value in netlify_headers(urlsplit(self.path).path):
            self.send_header(name, value)
        super().end_headers()


@contextmanager
def serve(root: Path) -> Iterator[str]:
    handler = type("Handler", (NetlifyHandler,), {"cache": {}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def page_types(site: Path) -> dict[str, str]:
    """One path of each page type the site has, by name."""
    def first(folder: str, newest: bool = False) -> str | None:
        names = sorted(path.name for path in (site / folder).iterdir() if path.is_dir()) if (site / folder).is_dir() \
            else []
        return f"/{folder}/{(names[-1] if newest else names[0])}/" if names else None

    paths = {
        "home": "/", "day": first("snapshots", newest=True), "paper": first("papers"), "topic": first("topics"),
        "topics": "/topics/", "week": first("weeks", newest=True), "month": first("months", newest=True),
        "archive": "/archive/", "stats": "/stats/", "search": "/search/?q=diffusion", "feeds": "/feeds/",
        "page": "/about/" if (site / "about").is_dir() else None, "404": "/404.html",
    }
    return {name: path for name, path in paths.items() if path}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is kept)")
    parser.add_argument("--only", nargs="*", default=None, help="page types to score (default: all)")
    args = parser.parse_args(argv)
    types = page_types(args.site)
    chosen = {name: path for name, path in types.items() if args.only is None or name in args.only}
    with serve(args.site) as base:
        results = search_bench.run_lighthouse(base, args.runs, list(chosen.values()))
    if "skipped" in results:
        print(results["skipped"])
        return 0
    print("| page | path | performance | accessibility | best practices | SEO | CLS |")
    print("|---|---|---|---|---|---|---|")
    for name, path in chosen.items():
        result: dict[str, Any] = results["pages"][path]
        if "error" in result:
            print(f"| {name} | {path} | error: {result['error']} | | | | |")
            continue
        scores = result["scores"]
        print(f"| {name} | {path} | {scores['performance']} | {scores['accessibility']} | "
              f"{scores['best-practices']} | {scores['seo']} | {result['cls']} |")
    for name, path in chosen.items():
        for audit, detail in results["pages"][path].get("failing", {}).items():
            print(f"{name}: {detail['category']}: {audit} ({detail['title']}) score {detail['score']} "
                  f"{detail['value']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
