"""What the reader's own controls (templates/static/reader.js) need from a page: follows, stars, the window of
"New for you". The pages stay the same for every reader; these are data attributes the script reads.

A star keeps what /saved/ shows and exports (title, page, authors, arXiv id, dates), so /saved/ needs no index.
"New for you" runs the followed topics, authors and searches through the search page's engine and shards and keeps
the papers numbered from `window_start` on: search numbers the papers in catalog order, which is the order they
were first seen, so the newest days are a range of numbers and their documents the last few chunks. Search does
not index organizations: a small file (`urls.NEW_FOR_YOU_DATA`) lists the numbers of each organization's papers
in the window, so following one costs a few hundred bytes rather than its feed (45 KB gzipped on the real corpus).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from digest import urls
from digest.catalog import Catalog, Paper
from digest.organizations import Organizations
from digest.plan.spec import PageSpec

NEW_FOR_YOU_DAYS = 7  # "New for you" shows papers first seen in the newest week of the feed


def star_data(paper: Paper, path: str) -> str:
    """The paper as a star stores it, as compact JSON for a data attribute (the template escapes it)."""
    data: dict[str, object] = {"t": paper.title, "u": path, "d": paper.first_seen.isoformat()}
    if paper.authors:
        data["a"] = list(paper.authors)
    if paper.arxiv_id:
        data["x"] = paper.arxiv_id
    if paper.published:
        data["p"] = paper.published.isoformat()
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def new_for_you_window(catalog: Catalog, days: int = NEW_FOR_YOU_DAYS) -> tuple[int, date] | None:
    """(the search number of the first paper in the window, the window's first day), or None without papers."""
    if not catalog.papers:
        return None
    newest = max(paper.first_seen for paper in catalog.papers.values())
    since = newest - timedelta(days=days - 1)
    for number, paper in enumerate(catalog.papers.values()):
        if paper.first_seen >= since:
            return number, since
    return None  # unreachable: the newest paper is in the window


def new_for_you_data(catalog: Catalog, orgs: Organizations) -> list[PageSpec]:
    """The window and, for each organization with a page, the search numbers of its papers in it, newest first."""
    window = new_for_you_window(catalog)
    if window is None:
        return []
    first, since = window
    numbers = {slug: number for number, slug in enumerate(catalog.papers) if number >= first}
    by_org = {org.slug: found for org in orgs.listed
              if (found := sorted((numbers[slug] for slug in org.papers if slug in numbers), reverse=True))}
    data = {"first": first, "since": since.isoformat(), "orgs": by_org}
    return [PageSpec(urls.NEW_FOR_YOU_DATA, "reader.json",
                     {"json": json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n"})]
