"""Lighthouse on every page type of a built site, served as netlify.toml serves it.

Each page type (home, a day, a paper, a topic, the topics index, a week, a month, the
archive, stats, search with results, feeds, a Markdown page, 404) is loaded from a
local static server that gzips text and sends the headers netlify.toml sets for the
path (Content-Security-Policy, cache lifetimes), then scored by Lighthouse 12
(bench/node_modules, `npm ci --prefix bench`) in Debian's Chromium, in the four
categories. It prints a table and the audits that cost points, and exits 0 either way.
With --reader, the page types that show a returning reader's controls (stars, follow
buttons, "New for you", the reading list, papers new since the last visit) are scored
again with such a reader's state stored in the browser first (bench/lighthouse_reader.mjs).

    .venv/bin/python bench/lighthouse_pages.py SITE_DIR [--runs 1] [--only home paper ...] [--reader | --reader-only]

Build the real corpus first, e.g.:
    SOURCE_DATE_EPOCH=1790000000 .venv/bin/digest build --source /tmp/real --output /tmp/real/site
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import html
import http.server
import json
import re
import sys
import tempfile
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
        "org": first("orgs"), "orgs": "/orgs/" if (site / "orgs").is_dir() else None,
        "saved-search": first("searches"), "saved-searches": "/searches/" if (site / "searches").is_dir() else None,
        "for-you": "/for-you/" if (site / "for-you").is_dir() else None, "saved": "/saved/",
    }
    return {name: path for name, path in paths.items() if path}


READER_PAGES = ("home", "day", "topic", "org", "paper", "saved-search", "saved", "for-you")


def reader_state(site: Path, types: dict[str, str]) -> dict[str, Any]:
    """What reader.js would keep for a reader who starred a topic page's first dozen papers, follows that topic,
    an organization, an author and a search, and last came three days before the newest day."""
    def page(name: str) -> str:
        return (site / types[name].strip("/") / "index.html").read_text(encoding="utf-8") if name in types else ""

    stars = [json.loads(html.unescape(found)) for found in re.findall(r'data-star="([^"]*)"', page("topic"))[:12]]
    follows = [{"kind": kind, "key": html.unescape(key), "name": html.unescape(name)}
               for kind, key, name in re.findall(r'data-follow="(topic|org)" data-key="([^"]*)" data-name="([^"]*)"',
                                                 page("topic") + page("org"))]
    if stars and stars[0].get("a"):
        follows.append({"kind": "author", "key": stars[0]["a"][0], "name": stars[0]["a"][0]})
    follows.append({"kind": "search", "key": "diffusion", "name": "“diffusion”"})
    days = sorted(path.name for path in (site / "snapshots").iterdir() if path.is_dir())
    return {"version": 1, "stars": [{**star, "s": star.get("d")} for star in stars], "follows": follows,
            "visit": {"previous": None, "seen": days[-4] if len(days) > 3 else None, "at": 0}}


def print_table(chosen: dict[str, str], pages: dict[str, Any], runs: int, label: str = "") -> None:
    """A row per page; a median of fewer runs than asked (Lighthouse failed in some) says how many it had."""
    for name, path in chosen.items():
        result: dict[str, Any] = pages[path]
        if "error" in result:
            print(f"| {name}{label} | {path} | error: {result['error']} | | | | |")
            continue
        scores = {category: f"{score:g}" for category, score in result["scores"].items()}
        short = f" ({result['runs']} of {runs} runs)" if result["runs"] < runs else ""
        print(f"| {name}{label}{short} | {path} | {scores['performance']} | {scores['accessibility']} | "
              f"{scores['best-practices']} | {scores['seo']} | {result['cls']:g} |")


def print_failing(chosen: dict[str, str], pages: dict[str, Any], label: str = "") -> None:
    for name, path in chosen.items():
        for audit, detail in pages[path].get("failing", {}).items():
            print(f"{name}{label}: {detail['category']}: {audit} ({detail['title']}) score {detail['score']} "
                  f"{detail['value']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is kept)")
    parser.add_argument("--only", nargs="*", default=None, help="page types to score (default: all)")
    parser.add_argument("--reader", action="store_true",
                        help=f"also score {', '.join(READER_PAGES)} as a returning reader who stars and follows")
    parser.add_argument("--reader-only", action="store_true", help="score them only as such a reader")
    args = parser.parse_args(argv)
    types = page_types(args.site)
    chosen = {name: path for name, path in types.items() if args.only is None or name in args.only}
    as_reader = {name: path for name, path in chosen.items()
                 if (args.reader or args.reader_only) and name in READER_PAGES}
    if args.reader_only:
        chosen = {}
    with serve(args.site) as base, tempfile.TemporaryDirectory() as tmp:
        results = search_bench.run_lighthouse(base, args.runs, list(chosen.values()))
        reader_results: dict[str, Any] = {"pages": {}}
        if as_reader and "skipped" not in results:
            state = Path(tmp) / "reader.json"
            state.write_text(json.dumps(reader_state(args.site, types)), encoding="utf-8")
            reader_results = search_bench.run_lighthouse(base, args.runs, list(as_reader.values()), state)
    if "skipped" in results:
        print(results["skipped"])
        return 0
    print("| page | path | performance | accessibility | best practices | SEO | CLS |")
    print("|---|---|---|---|---|---|---|")
    print_table(chosen, results["pages"], args.runs)
    print_table(as_reader, reader_results["pages"], args.runs, " (reader)")
    print_failing(chosen, results["pages"])
    print_failing(as_reader, reader_results["pages"], " (reader)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
