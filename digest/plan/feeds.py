"""Files for machines: Atom feeds, the sitemap and robots.txt, as page specs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from digest import urls
from digest.catalog import Catalog, Paper
from digest.inputs.config import SiteConfig
from digest.output.render import PageSpec

SITEMAP_LIMIT = 50_000  # URLs per sitemap file, by the sitemaps.org protocol


@dataclass(frozen=True)
class FeedEntry:
    title: str
    path: str
    summary: str
    updated: date
    topics: tuple[str, ...]


@dataclass(frozen=True)
class SitemapEntry:
    path: str
    lastmod: date | None


def plan_machine_files(catalog: Catalog, config: SiteConfig, page_paths: list[str]) -> list[PageSpec]:
    specs = [*_feeds(catalog, config), *_sitemaps(catalog, page_paths)]
    specs.append(PageSpec(urls.ROBOTS, "robots.txt", {"sitemap": urls.SITEMAP}))
    return specs


def _entry(paper: Paper, names: dict[str, str]) -> FeedEntry:
    return FeedEntry(paper.title, urls.paper(paper.slug), paper.abstract, paper.first_seen,
                     tuple(names[slug] for slug in paper.topics))


def _feeds(catalog: Catalog, config: SiteConfig) -> Iterator[PageSpec]:
    names = {topic.slug: topic.name for topic in catalog.topics}
    newest = sorted(catalog.papers.values(), key=lambda paper: paper.first_seen, reverse=True)
    yield _feed(urls.FEED, config.title, urls.HOME, [_entry(p, names) for p in newest[: config.feed_size]])
    for topic in catalog.topics:
        members = catalog.papers_by_topic[topic.slug][: config.feed_size]
        entries = [_entry(catalog.papers[slug], names) for slug in members]
        yield _feed(urls.topic_feed(topic.slug), f"{config.title}: {topic.name}", urls.topic(topic.slug), entries)


def _feed(path: str, title: str, alternate: str, entries: list[FeedEntry]) -> PageSpec:
    updated = max((entry.updated for entry in entries), default=date(1970, 1, 1))
    return PageSpec(path, "atom.xml", {"feed_title": title, "alternate": alternate, "entries": tuple(entries),
                                       "updated": updated})


def _sitemaps(catalog: Catalog, page_paths: list[str]) -> Iterator[PageSpec]:
    lastmod = {urls.paper(paper.slug): paper.last_seen for paper in catalog.papers.values()}
    for day in catalog.days:
        lastmod[urls.snapshot(day.date)] = day.date
    entries = tuple(SitemapEntry(path, lastmod.get(path)) for path in page_paths if path != urls.NOT_FOUND)
    if len(entries) <= SITEMAP_LIMIT:
        yield PageSpec(urls.SITEMAP, "sitemap.xml", {"entries": entries})
        return
    parts = [entries[start:start + SITEMAP_LIMIT] for start in range(0, len(entries), SITEMAP_LIMIT)]
    names = [f"sitemap-{number}.xml" for number in range(1, len(parts) + 1)]
    for name, part in zip(names, parts, strict=True):
        yield PageSpec(name, "sitemap.xml", {"entries": part})
    yield PageSpec(urls.SITEMAP, "sitemap-index.xml", {"sitemaps": tuple(names)})
