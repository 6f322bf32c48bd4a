"""Files for machines: feeds, the list of feeds, the sitemap and robots.txt, as page specs.

Every feed comes in two formats with the same entries: Atom (templates/atom.xml) and JSON Feed 1.1,
whose document is built here with json.dumps (templates/feed.json only writes it out). The feeds are
the whole site, papers with code, each topic, each organization with a page, and the daily digest, whose
entries are each day's email; `feeds.opml` lists them for subscribing to all at once, and the /feeds/
page shows them to readers.

Dates come from the snapshots, never the clock, so two builds give the same bytes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from digest import urls
from digest.catalog import Catalog, Paper
from digest.inputs.config import SiteConfig
from digest.inputs.searches import SavedSearch
from digest.organizations import Organization, organizations
from digest.plan.foryou import FOR_YOU_DAYS, recent_picks
from digest.plan.spec import PageSpec
from digest.relevance import Relevance
from digest.taxonomy import OTHER_SLUG, Topic

SITEMAP_LIMIT = 50_000  # URLs per sitemap file, by the sitemaps.org protocol
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# Each daily-digest entry is a whole email (30-100 KB), so that feed keeps fewer days than feed_size allows:
# two working weeks, enough for a reader or newsletter tool that checks once a day.
DIGEST_FEED_DAYS = 10


@dataclass(frozen=True)
class FeedEntry:
    title: str
    path: str
    summary: str
    updated: date
    topics: tuple[str, ...]
    authors: tuple[str, ...] = ()
    related: str | None = None  # the paper on arXiv
    content_html: str = ""  # the entry in full, as HTML (the daily digest: that day's email)


@dataclass(frozen=True)
class Feed:
    """One feed: what it follows and where its two formats live."""

    name: str  # as a list of the site's feeds names it
    title: str
    description: str
    page: str  # the HTML page it follows
    atom: str
    json: str


@dataclass(frozen=True)
class SitemapEntry:
    path: str
    lastmod: date | None


def site_feeds(config: SiteConfig) -> tuple[Feed, ...]:
    """The feeds that follow the whole site: every paper, papers with code, the daily email."""
    return (
        Feed("Every paper", config.title, "Every paper, newest first by the day it was first featured.",
             urls.HOME, urls.FEED, urls.JSON_FEED),
        Feed("Papers with code", f"{config.title}: papers with code",
             "The papers that link to their code, newest first.", urls.HOME, urls.CODE_FEED, urls.CODE_JSON_FEED),
        Feed("The daily email", f"{config.title}: daily email",
             "Each day's email digest as one entry: the day's new papers by topic, then the returning ones.",
             urls.ARCHIVE, urls.DIGEST_FEED, urls.DIGEST_JSON_FEED),
    )


def topic_feed(topic: Topic, config: SiteConfig) -> Feed:
    return Feed(topic.name, f"{config.title}: {topic.name}", topic.description, urls.topic(topic.slug),
                urls.topic_feed(topic.slug), urls.topic_json_feed(topic.slug))


def topic_feeds(catalog: Catalog, config: SiteConfig) -> tuple[Feed, ...]:
    """The topics' feeds to list, in taxonomy order; an empty "Other" is left out, as on the topics page."""
    return tuple(topic_feed(topic, config) for topic in catalog.topics
                 if catalog.papers_by_topic[topic.slug] or topic.slug != OTHER_SLUG)


def org_feed(org: Organization, config: SiteConfig) -> Feed:
    return Feed(org.name, f"{config.title}: {org.name}", f"Papers from {org.name}, newest first.",
                urls.org(org.slug), urls.org_feed(org.slug), urls.org_json_feed(org.slug))


def org_feeds(catalog: Catalog, config: SiteConfig) -> tuple[Feed, ...]:
    """The feeds of the organizations with a page, in the order of the organizations' index."""
    return tuple(org_feed(org, config) for org in organizations(catalog, config.organization_min_papers).listed)


def for_you_feed(config: SiteConfig) -> Feed:
    return Feed("For you", f"{config.title}: for you",
                f"The papers of the last {FOR_YOU_DAYS} days that match what this site's curators follow, "
                "with the reasons.", urls.FOR_YOU, urls.FOR_YOU_FEED, urls.FOR_YOU_JSON_FEED)


def saved_search_feed(saved: SavedSearch, config: SiteConfig) -> Feed:
    return Feed(saved.name, f"{config.title}: {saved.name}",
                f"Papers matching every word of the saved search “{saved.query}”, newest first.",
                urls.saved_search(saved.slug), urls.saved_search_feed(saved.slug),
                urls.saved_search_json_feed(saved.slug))


# A saved search's feed and the slugs of its papers, newest first (plan/searches.py's SearchMatches.feed_papers).
SearchFeeds = Sequence[tuple[Feed, Sequence[str]]]


def _feed_lists(catalog: Catalog, config: SiteConfig, for_you: bool = False,
                searches: SearchFeeds = ()) -> dict[str, object]:
    """What /feeds/ and feeds.opml list: the site's own feeds (For you, with interests), each topic's,
    organization's and saved search's."""
    lists: dict[str, object] = {"site_feeds": site_feeds(config), "topic_feeds": topic_feeds(catalog, config),
                                "org_feeds": org_feeds(catalog, config),
                                "search_feeds": tuple(feed for feed, _ in searches)}
    if for_you:
        lists["for_you_feed"] = for_you_feed(config)
    return lists


def feeds_page(catalog: Catalog, config: SiteConfig, for_you: bool = False, searches: SearchFeeds = ()) -> PageSpec:
    """/feeds/: every feed in both formats, and the OPML file that subscribes to all."""
    return PageSpec(urls.FEEDS, "feeds.html", _feed_lists(catalog, config, for_you, searches))


def plan_machine_files(catalog: Catalog, config: SiteConfig, page_paths: list[str],
                       relevance: Relevance | None = None, searches: SearchFeeds = ()) -> list[PageSpec]:
    """The feeds (with the interests' `relevance`, For you's too; the saved searches', `searches`), the sitemap,
    the OPML list of feeds and robots.txt."""
    specs = [*_feeds(catalog, config), *_search_feeds(catalog, config, searches), *_sitemaps(catalog, page_paths)]
    if relevance is not None:
        specs += _for_you_feeds(catalog, config, relevance)
    specs.append(PageSpec(urls.OPML, "opml.xml", _feed_lists(catalog, config, relevance is not None, searches)))
    specs.append(PageSpec(urls.ROBOTS, "robots.txt", {"sitemap": urls.SITEMAP}))
    return specs


def plan_digest_feeds(catalog: Catalog, config: SiteConfig, emails: Mapping[str, bytes]) -> list[PageSpec]:
    """The daily-digest feed: one entry per day with new papers (the days an email is sent), newest first.

    `emails` are the published emails (mail.compose.email_pages, by output file), so an entry is exactly
    the email a subscriber gets: its subject is the entry's title and its body the entry's content.
    """
    feed = site_feeds(config)[2]
    days = [day for day in reversed(catalog.days) if day.new][: min(config.feed_size, DIGEST_FEED_DAYS)]
    entries = []
    for day in days:
        path = urls.snapshot_email(day.date)
        subject, body = email_parts(emails[urls.output_file(path)].decode("utf-8"))
        entries.append(FeedEntry(subject, path, "", day.date, (), content_html=body))
    return [_atom(feed, entries), _json_feed(feed, entries, config)]


_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.DOTALL)
# The inbox preview line (templates/email/digest.html): hidden by its inline style, which feed readers drop.
_PREHEADER = re.compile(r'<!--\[if !mso\]><!--><div class="preheader".*?</div><!--<!\[endif\]-->\n?', re.DOTALL)


def email_parts(email_html: str) -> tuple[str, str]:
    """(subject, body HTML) of a composed email: what a feed reader shows of it, styles inlined."""
    title, body = _TITLE.search(email_html), _BODY.search(email_html)
    if title is None or body is None:
        raise ValueError("not a composed email: no <title> or <body>")
    return html.unescape(title.group(1)), _PREHEADER.sub("", body.group(1)).strip() + "\n"


def _entry(paper: Paper, names: dict[str, str]) -> FeedEntry:
    return FeedEntry(paper.title, urls.paper(paper.slug), paper.abstract, paper.first_seen,
                     tuple(names[slug] for slug in paper.topics), paper.authors,
                     urls.arxiv_abstract(paper.arxiv_id) if paper.arxiv_id else None)


def _feeds(catalog: Catalog, config: SiteConfig) -> Iterator[PageSpec]:
    names = {topic.slug: topic.name for topic in catalog.topics}
    newest = sorted(catalog.papers.values(), key=lambda paper: paper.first_seen, reverse=True)
    site, code, _digest = site_feeds(config)
    with_code = [paper for paper in newest if paper.code_url]
    papers: list[tuple[Feed, Sequence[Paper]]] = [(site, newest), (code, with_code)]
    for topic in catalog.topics:
        slugs = catalog.papers_by_topic[topic.slug][: config.feed_size]
        papers.append((topic_feed(topic, config), [catalog.papers[slug] for slug in slugs]))
    for org in organizations(catalog, config.organization_min_papers).listed:
        papers.append((org_feed(org, config), [catalog.papers[slug] for slug in org.papers[: config.feed_size]]))
    for feed, members in papers:
        entries = [_entry(paper, names) for paper in members[: config.feed_size]]
        yield _atom(feed, entries)
        yield _json_feed(feed, entries, config)


def _for_you_feeds(catalog: Catalog, config: SiteConfig, found: Relevance) -> list[PageSpec]:
    """The last days' picks; each entry's summary starts with why it was picked (the reasons are scraped text:
    the templates and json.dumps escape them as every summary)."""
    names = {topic.slug: topic.name for topic in catalog.topics}
    feed = for_you_feed(config)
    entries = []
    for pick in recent_picks(catalog, found, config):
        entry = _entry(catalog.papers[pick.slug], names)
        why = "; ".join(reason.text for reason in pick.reasons)
        entries.append(replace(entry, summary=f"Why: {why}.\n\n{entry.summary}"))
    return [_atom(feed, entries), _json_feed(feed, entries, config)]


def _search_feeds(catalog: Catalog, config: SiteConfig, searches: SearchFeeds) -> Iterator[PageSpec]:
    names = {topic.slug: topic.name for topic in catalog.topics}
    for feed, slugs in searches:
        entries = [_entry(catalog.papers[slug], names) for slug in slugs[: config.feed_size]]
        yield _atom(feed, entries)
        yield _json_feed(feed, entries, config)


def _updated(entries: Sequence[FeedEntry]) -> date:
    return max((entry.updated for entry in entries), default=date(1970, 1, 1))


def _atom(feed: Feed, entries: Sequence[FeedEntry]) -> PageSpec:
    return PageSpec(feed.atom, "atom.xml", {"feed": feed, "entries": tuple(entries), "updated": _updated(entries)})


def rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _json_feed(feed: Feed, entries: Sequence[FeedEntry], config: SiteConfig) -> PageSpec:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1), serialized here: nothing is templated."""
    def absolute(path: str) -> str:
        return urls.absolute(config.base_url, path)

    def item(entry: FeedEntry) -> dict[str, Any]:
        fields: dict[str, Any] = {"id": absolute(entry.path), "url": absolute(entry.path), "title": entry.title}
        if entry.related:
            fields["external_url"] = entry.related
        if entry.content_html:
            fields["content_html"] = entry.content_html
        else:
            fields["content_text"] = entry.summary
        fields["date_published"] = rfc3339(entry.updated)
        if entry.authors:
            fields["authors"] = [{"name": name} for name in entry.authors]
        if entry.topics:
            fields["tags"] = list(entry.topics)
        return fields

    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": absolute(feed.page),
        "feed_url": absolute(feed.json),
    }
    if feed.description:
        document["description"] = feed.description
    document["language"] = config.language
    document["authors"] = [{"name": config.title, "url": config.base_url}]
    document["items"] = [item(entry) for entry in entries]
    return PageSpec(feed.json, "feed.json", {"json": json.dumps(document, ensure_ascii=False, indent=1) + "\n"})


def _sitemaps(catalog: Catalog, page_paths: list[str]) -> Iterator[PageSpec]:
    lastmod = {urls.paper(paper.slug): paper.last_seen for paper in catalog.papers.values()}
    for day in catalog.days:
        lastmod[urls.snapshot(day.date)] = day.date
    entries = tuple(SitemapEntry(path, lastmod.get(path)) for path in page_paths
                    if urls.is_page(path) and path != urls.SAVED)  # /saved/: the same empty shell for all
    if len(entries) <= SITEMAP_LIMIT:
        yield PageSpec(urls.SITEMAP, "sitemap.xml", {"entries": entries})
        return
    parts = [entries[start:start + SITEMAP_LIMIT] for start in range(0, len(entries), SITEMAP_LIMIT)]
    names = [f"sitemap-{number}.xml" for number in range(1, len(parts) + 1)]
    for name, part in zip(names, parts, strict=True):
        yield PageSpec(name, "sitemap.xml", {"entries": part})
    yield PageSpec(urls.SITEMAP, "sitemap-index.xml", {"sitemaps": tuple(names)})
