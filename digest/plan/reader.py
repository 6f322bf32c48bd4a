"""What the reader's own controls (templates/static/reader.js) need from a page: follows, stars, the window of
"New for you". The pages stay the same for every reader; these are data attributes the script reads.

A star keeps what /saved/ shows and exports (title, page, authors, arXiv id, dates), so /saved/ needs no index.
"New for you" shows the papers of the newest week (`new_for_you_window`) that match what the reader follows. A
followed topic, organization or author reads one small file of its papers in the window (`new_for_you_files`: on
the real corpus 1 to 3 KB gzipped, where the search engine's manifest, term shards and documents came to 45 to
75 KB). A followed search runs through the search page's engine and shards, keeping the papers numbered from the
window's first on: search numbers the papers in catalog order, which is the order they were first seen.
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

NEW_FOR_YOU_DAYS = 7  # "New for you" shows papers first seen in the newest week of the feed
AUTHORS_PER_FILE = 32  # names a file of the window's authors holds, about (the real corpus's week: 23 files of 2 KB)


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
    draws them: [search number, title, page, first seen, authors as the cards write them]; and the window's
    authors in `author_file_count` files (`_author_files`)."""
    window = new_for_you_window(catalog)
    if window is None:
        return []
    first, since = window
    recent = list(enumerate(catalog.papers))[first:][::-1]
    groups = [(urls.new_for_you_topic(topic.slug), set(catalog.papers_by_topic.get(topic.slug, ())))
              for topic in catalog.topics]
    groups += [(urls.new_for_you_org(org.slug), set(org.papers)) for org in orgs.listed]
    return [*(PageSpec(path, "reader.json", {"json": _window_json(since, {"papers": [
        _entry(number, cards[slug]) for number, slug in recent if slug in members]})}) for path, members in groups),
            *_author_files(catalog, since, recent, cards)]


def _author_files(catalog: Catalog, since: date, recent: list[tuple[int, str]],
                  cards: Mapping[str, PaperCard]) -> list[PageSpec]:
    """The window's authors, spread over `author_file_count` files by a hash of the name (`author_file`, which
    for-you.js computes alike): each file's papers, and for each of its names the papers (indexes) they wrote."""
    names = _window_authors(catalog, recent)
    count = _file_count(len(names))
    files: list[dict[str, list[int]]] = [{} for _ in range(count)]
    for name, numbers in names.items():
        files[author_file(name, count)][name] = numbers
    slugs = dict(recent)
    specs = []
    for index, authors in enumerate(files):
        numbers = sorted({number for found in authors.values() for number in found}, reverse=True)
        at = {number: position for position, number in enumerate(numbers)}
        specs.append(PageSpec(urls.new_for_you_authors(index), "reader.json", {"json": _window_json(since, {
            "papers": [_entry(number, cards[slugs[number]]) for number in numbers],
            "authors": {name: [at[number] for number in found] for name, found in sorted(authors.items())}})}))
    return specs


def author_file_count(catalog: Catalog) -> int:
    """How many files the window's authors take (the home page tells for-you.js)."""
    window = new_for_you_window(catalog)
    if window is None:
        return 0
    return _file_count(len(_window_authors(catalog, list(enumerate(catalog.papers))[window[0]:])))


def _window_authors(catalog: Catalog, recent: list[tuple[int, str]]) -> dict[str, list[int]]:
    """Each author name of the window's papers (white space collapsed: `author_name`), with their papers' numbers,
    newest first."""
    names: dict[str, list[int]] = {}
    for number, slug in sorted(recent, reverse=True):
        for name in dict.fromkeys(map(author_name, catalog.papers[slug].authors)):
            names.setdefault(name, []).append(number)
    return names


def _file_count(names: int) -> int:
    return max(1, -(-names // AUTHORS_PER_FILE))


def author_name(name: str) -> str:
    """A name as a follow matches it: as the paper pages write it, white space collapsed."""
    return " ".join(name.split())


def author_file(name: str, count: int) -> int:
    """Which of `count` files holds `name`: FNV-1a (32 bits) of its UTF-8 bytes, as for-you.js computes it."""
    hashed = 0x811C9DC5
    for byte in name.encode("utf-8"):
        hashed = ((hashed ^ byte) * 0x01000193) & 0xFFFFFFFF
    return hashed % count


def _entry(number: int, card: PaperCard) -> list[object]:
    authors = ", ".join(card.authors) + (f" and {card.more_authors} more" if card.more_authors else "")
    return [number, card.title, card.path, card.first_seen.isoformat(), authors]


def _window_json(since: date, data: dict[str, object]) -> str:
    return json.dumps({"since": since.isoformat(), **data}, ensure_ascii=False, separators=(",", ":")) + "\n"
