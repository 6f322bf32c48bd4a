"""Saved searches' pages: /searches/ lists them, and each has its own, as a topic does.

A saved search (content/interests.yaml, read by inputs/searches.py) is a query in the search box's syntax. Its
papers are those the search page says match every word of the query, worked out at build time by
output/search/query.py with the browser's own semantics, so the page and a search for the same query agree.
The page lists them newest first (as topic pages do, so the newest is on top of page one, the same as its
feed); the search page ranks them by score. Each page links the search page with the query filled in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from digest import urls
from digest.catalog import Catalog
from digest.inputs.config import SiteConfig
from digest.inputs.searches import SavedSearch
from digest.output.search.index import IndexedText, SearchDocument, search_documents
from digest.output.search.query import SearchCorpus, search
from digest.plan.feeds import Feed, saved_search_feed
from digest.plan.pagination import paged_list
from digest.plan.references import Records
from digest.plan.spec import PageSpec


@dataclass(frozen=True)
class SearchMatches:
    """A saved search and its papers' slugs, newest first-seen first (ties in catalog order)."""

    search: SavedSearch
    slugs: tuple[str, ...]
    feed: Feed

    @property
    def path(self) -> str:
        return urls.saved_search(self.search.slug)

    @property
    def search_page(self) -> str:
        return urls.search_for(self.search.query)

    def feed_papers(self) -> tuple[Feed, tuple[str, ...]]:
        """What plan/feeds.py lists and writes: the feed and the papers it follows."""
        return self.feed, self.slugs


@dataclass
class SearchMemo:
    """A preview's last corpus, by the text every paper is indexed by: splitting and stemming 8,000 papers again
    for each rebuild costs more than a second, and most rebuilds change no paper's text."""

    indexed: tuple[IndexedText, ...] | None = None
    corpus: SearchCorpus | None = None

    def corpus_of(self, documents: Sequence[SearchDocument]) -> SearchCorpus:
        indexed = tuple(document.indexed() for document in documents)
        if self.corpus is None or indexed != self.indexed:
            self.indexed, self.corpus = indexed, SearchCorpus(documents)
        return self.corpus


def saved_search_matches(catalog: Catalog, config: SiteConfig, searches: Sequence[SavedSearch],
                         memo: SearchMemo | None = None) -> tuple[SearchMatches, ...]:
    """Each saved search's papers, as the search page finds them on this site. Nothing is indexed without one;
    `memo` (a preview's) keeps the corpus while no paper's indexed text changed."""
    if not searches:
        return ()
    slugs = list(catalog.papers)
    documents = search_documents(catalog, config.snippet_length)  # paper number = catalog position
    corpus = memo.corpus_of(documents) if memo is not None else SearchCorpus(documents)
    newest = sorted(range(len(slugs)), key=lambda number: (-catalog.papers[slugs[number]].first_seen.toordinal(),
                                                           number))
    found = []
    for saved in searches:
        papers = search(corpus, saved.query).every_word
        found.append(SearchMatches(saved, tuple(slugs[number] for number in newest if number in papers),
                                   saved_search_feed(saved, config)))
    return tuple(found)


@dataclass(frozen=True)
class SearchLink:
    """A saved search as its index lists it: name, query, page, count and its newest paper's date."""

    name: str
    query: str
    path: str
    search_page: str
    count: int
    latest: date | None  # None when nothing matches


def plan_search_pages(catalog: Catalog, config: SiteConfig, cards: Mapping[str, object],
                      matches: Sequence[SearchMatches], records: Records) -> Iterator[PageSpec]:
    """Each saved search's pages (one page even when nothing matches) with their reference files, then the index,
    if there is a search."""
    rows = []
    for found in matches:
        saved = found.search
        latest = catalog.papers[found.slugs[0]].first_seen if found.slugs else None
        rows.append(SearchLink(saved.name, saved.query, found.path, found.search_page, len(found.slugs), latest))
        yield from paged_list(catalog, found.slugs, config.papers_per_page, partial(urls.saved_search, saved.slug),
                              "saved_search.html", {"search": saved, "feed": found.feed,
                                                    "search_page": found.search_page}, cards, records)
    if rows:
        yield PageSpec(urls.SEARCHES, "saved_searches.html", {"searches": tuple(rows)})
