"""What the reader's own controls (templates/static/reader.js) need from a page: follows, stars, the window of
"New for you". The pages stay the same for every reader; these are data attributes the script reads.

A star keeps what /saved/ shows and exports (title, page, authors, arXiv id, dates), so /saved/ needs no index.
"New for you" shows the papers of the newest week (`new_for_you_window`) that match what the reader follows. A
followed topic or organization reads one small file of its papers in the window (`new_for_you_files`: on the real
corpus 1 to 2 KB gzipped, where the search engine's manifest, term shard and documents came to 60 KB). A followed
author or search runs through the search page's engine and shards, keeping the papers numbered from the window's
first on: search numbers the papers in catalog order, which is the order they were first seen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Protocol

from digest import urls
from digest.catalog import Catalog, Paper
from digest.organizations import Organizations
from digest.plan.spec import PageSpec


class PaperCard(Protocol):
    """What a file of "New for you" takes from a paper's card (plan/site.py's PaperCard)."""

    @property
    def title(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def first_seen(self) -> date: ...
    @property
    def authors(self) -> tuple[str, ...]: ...
    @property
    def more_authors(self) -> int: ...

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


def new_for_you_files(catalog: Catalog, orgs: Organizations, cards: Mapping[str, PaperCard]) -> list[PageSpec]:
    """For each topic and each organization with a page, its papers of the window, newest first, as for-you.js
    draws them: [search number, title, page, first seen, authors as the cards write them]."""
    window = new_for_you_window(catalog)
    if window is None:
        return []
    first, since = window
    recent = list(enumerate(catalog.papers))[first:][::-1]
    groups = [(urls.new_for_you_topic(topic.slug), set(catalog.papers_by_topic.get(topic.slug, ())))
              for topic in catalog.topics]
    groups += [(urls.new_for_you_org(org.slug), set(org.papers)) for org in orgs.listed]
    return [PageSpec(path, "reader.json", {"json": _window_json(since, [
        _entry(number, cards[slug]) for number, slug in recent if slug in members])}) for path, members in groups]


def _entry(number: int, card: PaperCard) -> list[object]:
    authors = ", ".join(card.authors) + (f" and {card.more_authors} more" if card.more_authors else "")
    return [number, card.title, card.path, card.first_seen.isoformat(), authors]


def _window_json(since: date, papers: list[list[object]]) -> str:
    return json.dumps({"since": since.isoformat(), "papers": papers}, ensure_ascii=False, separators=(",", ":")) + "\n"
