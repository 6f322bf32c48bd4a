"""Plan the site: turn the catalog into page specs (path, template, context).

This is the "generators" stage. It decides which pages exist and what data
each one shows; it renders nothing. Contexts hold only plain, comparable
data, so an unchanged context means an unchanged page (see render.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from digest import memo, urls
from digest.catalog import Catalog, Paper, SnapshotDay
from digest.inputs.config import SiteConfig
from digest.inputs.pages import Page
from digest.memo import NamedMemo, SettingMemo
from digest.organizations import Organizations, organizations
from digest.periods import Period, month_key, months, week_key, weeks
from digest.plan.charts import topic_chart
from digest.plan.citation import citation
from digest.plan.feeds import feeds_page, for_you_feed, site_feeds, topic_feed
from digest.plan.foryou import day_block, plan_for_you_page
from digest.plan.orgs import plan_org_pages
from digest.plan.pagination import paged_list
from digest.plan.pagination import pages_of as _pages_of
from digest.plan.pagination import pagination as _pagination
from digest.plan.reader import author_file_count, new_for_you_files, new_for_you_window, star_data
from digest.plan.references import LIST_ABSTRACTS, Records, export_links, list_exports
from digest.plan.searches import SearchMatches, SearchMemo, plan_search_pages
from digest.plan.spec import PageSpec
from digest.plan.stats import plan_stats
from digest.relevance import Relevance
from digest.taxonomy import OTHER_SLUG, Topic
from digest.text import link_label, paragraphs, snippet, split_links

if TYPE_CHECKING:
    from digest.related import RelatedLists

CARD_AUTHORS = 3  # authors a paper card names before 'and N more'
AI_SUMMARY_LENGTH = 320  # one sentence, shown whole: 99 % of real ones are under 300 characters
PAGE_AUTHORS = 20  # authors a paper page shows before the rest fold away
PERIOD_HIGHLIGHTS = 10  # papers a busy week or month page shows in full before its folded lists by topic
PERIOD_OPEN = 20  # a period with more papers is busy: only its highlights in full, its topic lists folded


# Shown under the search box, each a link that runs it (tests run every one against the built site).
SEARCH_EXAMPLES = ("federated", "title:merging", "+continual -survey", "distill*")

@dataclass(frozen=True)
class PaperCard:
    """What a list shows of a paper: enough to choose whether to open it, or to go straight to the PDF."""

    title: str
    path: str
    snippet: str  # Hugging Face's one-sentence AI summary when there is one, else the abstract's start
    first_seen: date
    topics: tuple[Topic, ...]
    code_url: str | None
    authors: tuple[str, ...] = ()  # the first few
    more_authors: int = 0
    upvotes: int | None = None  # on a day's list, that day's count; elsewhere the newest
    snippet_is_ai: bool = False  # the snippet is machine-written: the card says so
    organization: str | None = None
    organization_path: str | None = None  # its page, when it has one (plan/orgs.py)
    arxiv_url: str | None = None  # absolute: the abstract page, the PDF, the discussion on Hugging Face
    pdf_url: str | None = None
    code_stars: int | None = None
    project_page: str | None = None
    comments: int | None = None
    discussion_url: str | None = None
    star: str = ""  # what a star stores (plan/reader.py's star_data): JSON for reader.js

    def topics_except(self, slug: str | None) -> tuple[Topic, ...]:
        """Its topics but the one a list is about (a topic page's own tag would say nothing)."""
        if slug is None:
            return self.topics
        return tuple(topic for topic in self.topics if topic.slug != slug)


@dataclass(frozen=True)
class PaperLink:
    """A link on a paper page: where it goes, what it says, and a note such as the repository's stars."""

    href: str
    label: str
    note: str = ""
    is_code: bool = False


@dataclass(frozen=True)
class RelatedLink:
    """A related paper as a paper page lists it: its title, where it is, and why it is listed."""

    title: str
    path: str
    reason: str


@dataclass(frozen=True)
class ArchiveRow:
    date: date
    path: str
    total: int
    new: int
    week: PeriodLink | None = None


@dataclass(frozen=True)
class PeriodLink:
    """A link to a week or month page: 'Week 47 of 2024', its path and how many papers it brought."""

    name: str
    path: str
    count: int
    short_name: str  # 'Week 47', where the year is plain from around it


@dataclass(frozen=True)
class TopicGroup:
    """A week's or month's papers under one of their topics, all of them, most upvoted first.

    `full` are shown as cards: the papers whose first appearance on the page this is. `compact` get a line
    each: papers shown above already, or every paper of a busy page's folded lists.
    """

    topic: Topic
    full: tuple[PaperCard, ...]
    compact: tuple[PaperCard, ...]

    @property
    def count(self) -> int:
        return len(self.full) + len(self.compact)


def paper_card(paper: Paper, topics: Mapping[str, Topic], config: SiteConfig,
               orgs: Organizations | None = None) -> PaperCard:
    org = orgs.of(paper) if orgs is not None else None
    return PaperCard(
        title=paper.title,
        path=urls.paper(paper.slug),
        snippet=snippet(paper.ai_summary, AI_SUMMARY_LENGTH) if paper.ai_summary else snippet(paper.abstract,
                                                                                            config.snippet_length),
        snippet_is_ai=bool(paper.ai_summary),
        first_seen=paper.first_seen,
        topics=tuple(topics[slug] for slug in paper.topics),
        code_url=paper.code_url,
        authors=paper.authors[:CARD_AUTHORS],
        more_authors=max(0, len(paper.authors) - CARD_AUTHORS),
        upvotes=paper.upvotes,
        organization=paper.organization,
        organization_path=urls.org(org.slug) if org is not None else None,
        arxiv_url=urls.arxiv_abstract(paper.arxiv_id) if paper.arxiv_id else None,
        pdf_url=urls.arxiv_pdf(paper.arxiv_id) if paper.arxiv_id else None,
        code_stars=paper.code_stars,
        project_page=paper.project_page,
        comments=paper.comments,
        discussion_url=urls.hugging_face_paper(paper.arxiv_id) + "#community" if paper.arxiv_id else None,
        star=star_data(paper, urls.paper(paper.slug)),
    )


def plan_site(catalog: Catalog, config: SiteConfig, pages: Sequence[Page], related: RelatedLists,
              cache: PlanCache | None = None) -> list[PageSpec]:
    """Every page of the site; `cache` (a preview's) reuses the paper pages whose content did not change."""
    return in_site_order(plan_listings(catalog, config, pages, cache),
                         plan_paper_pages(catalog, config, related, cache))


def plan_listings(catalog: Catalog, config: SiteConfig, pages: Sequence[Page], cache: PlanCache | None = None,
                  only: Collection[str] | None = None, relevance: Relevance | None = None,
                  searches: Sequence[SearchMatches] = ()) -> list[PageSpec]:
    """Every page but the papers' own, home first. None of them shows related papers, so a build plans
    them, and renders those open in a browser, while the related papers are still being computed.
    `searches` are the saved searches with their papers (plan/searches.py's `saved_search_matches`).

    `only` (output files: the preview's open pages) keeps just the pages written to those files, and skips
    the kinds of page none of them is, with their work (the topic charts, the weeks and months, ...).
    `relevance` (of content/interests.yaml) adds the For-you blocks and page and takes muted papers off the home
    page.
    """
    wanted = None if only is None else {file.partition("/")[0] if "/" in file else "" for file in only}
    shared = _Shared(catalog, config, cache, relevance)
    specs = [spec for folders, plan in _listing_kinds(catalog, config, pages, shared, searches)
             if wanted is None or not folders or folders & wanted for spec in plan()]
    return specs if only is None else [spec for spec in specs if urls.output_file(spec.path) in only]


class _Shared:
    """What several kinds of listing page are made from, each made on first use."""

    def __init__(self, catalog: Catalog, config: SiteConfig, cache: PlanCache | None,
                 relevance: Relevance | None = None) -> None:
        self.catalog, self.config, self.cache, self.relevance = catalog, config, cache, relevance

    @cached_property
    def cards(self) -> dict[str, PaperCard]:
        topics = {topic.slug: topic for topic in self.catalog.topics}
        return _paper_cards(self.catalog, topics, self.config, self.cache, self.orgs)

    @cached_property
    def orgs(self) -> Organizations:
        return organizations(self.catalog, self.config.organization_min_papers)

    @cached_property
    def records(self) -> Records:
        """Each paper's reference records, made once for all the lists' files."""
        return Records(self.config.base_url, LIST_ABSTRACTS)

    @cached_property
    def periods(self) -> Periods:
        return Periods.of(self.catalog)


def _listing_kinds(catalog: Catalog, config: SiteConfig, pages: Sequence[Page], shared: _Shared,
                   searches: Sequence[SearchMatches]) -> list[tuple[frozenset[str], Callable[[], Iterable[PageSpec]]]]:
    """Each kind of listing page, in site order, with the first folders of its files ('' for the home page;
    none for the kinds cheap enough to plan whatever is asked)."""
    return [
        (frozenset({""}), lambda: [_home(catalog, shared.cards, config, shared.relevance)]),
        (frozenset({"new-for-you"}), lambda: new_for_you_files(catalog, shared.orgs, shared.cards)),
        (frozenset({"for-you"}), lambda: plan_for_you_page(catalog, shared.relevance, shared.cards,
                                                           for_you_feed(config), shared.records)
            if shared.relevance else []),
        (frozenset({"topics"}), lambda: _topic_pages(catalog, shared.cards, config, len(shared.orgs.listed),
                                                     shared.records)),
        (frozenset({"orgs"}), lambda: plan_org_pages(catalog, config, shared.cards, shared.orgs, shared.records)),
        (frozenset({"searches"}), lambda: plan_search_pages(catalog, config, shared.cards, searches, shared.records)),
        (frozenset({"snapshots"}), lambda: _snapshot_pages(catalog, shared.cards, shared.periods, shared.records,
                                                           shared.relevance)),
        (frozenset({"weeks", "months"}), lambda: _period_pages(catalog, shared.cards, shared.periods, shared.records)),
        (frozenset({"archive"}), lambda: _archive_pages(catalog, config, shared.periods)),
        (frozenset(), lambda: [
            *(PageSpec(urls.markdown_page(page.slug), "page.html", {"page": page}) for page in pages),
            _search_page(searches),
            feeds_page(catalog, config, shared.relevance is not None, [found.feed_papers() for found in searches]),
        ]),
        (frozenset({"stats"}), lambda: [plan_stats(catalog)]),
        (frozenset({"saved"}), lambda: [PageSpec(urls.SAVED, "saved.html", {})]),
        (frozenset(), lambda: [PageSpec(urls.NOT_FOUND, "404.html", {})]),
    ]


def _search_page(searches: Sequence[SearchMatches]) -> PageSpec:
    """The search page, with the examples under its box and links to the saved searches' pages (if any)."""
    return PageSpec(urls.SEARCH, "search.html", {
        "search_examples": SEARCH_EXAMPLES,
        "saved_searches": tuple((found.search.name, found.path) for found in searches)})


def plan_paper_pages(catalog: Catalog, config: SiteConfig, related: RelatedLists,
                     cache: PlanCache | None = None) -> list[PageSpec]:
    """Every paper's page, with its related papers (the related stage's lists, by slug)."""
    orgs = organizations(catalog, config.organization_min_papers)
    return list(_paper_pages(catalog, {topic.slug: topic for topic in catalog.topics}, config, related, cache, orgs))


def in_site_order(listings: Sequence[PageSpec], paper_pages: Sequence[PageSpec]) -> list[PageSpec]:
    """Home, the papers' pages, then the other listings: the order the sitemap lists them in."""
    return [*listings[:1], *paper_pages, *listings[1:]]


def _paper_cards(catalog: Catalog, topics: Mapping[str, Topic], config: SiteConfig,
                 cache: PlanCache | None, orgs: Organizations) -> dict[str, PaperCard]:
    """Every paper's card by slug; a preview's cache keeps the cards of papers equal to last build's (under the
    same topics, snippet length and organizations with a page)."""
    cards = memo.each(cache.cards if cache is not None else None, catalog.papers.values(),
                      (catalog.topics, config.snippet_length, orgs.listed_names),
                      lambda paper: paper_card(paper, topics, config, orgs))
    return dict(zip(catalog.papers, cards, strict=True))


def _home(catalog: Catalog, cards: Mapping[str, PaperCard], config: SiteConfig,
          relevance: Relevance | None = None) -> PageSpec:
    """The newest day with papers (a weekend's empty snapshot would leave the home page bare).

    The template shows the new papers as cards and the returning ones as a compact list; with interests, the
    day's picks first ("For you") and no muted paper among the new ones.
    """
    day = next((day for day in reversed(catalog.days) if day.count), catalog.latest)
    context: dict[str, Any] = {"day": day, "paper_count": len(catalog.papers), "day_count": len(catalog.days),
                               "feeds": site_feeds(config)[1:],  # the site's own feed is in every page's head
                               "window": new_for_you_window(catalog), "author_files": author_file_count(catalog)}
    if day is not None:
        context["new"] = _day_cards(day, relevance.unmuted(day.new) if relevance else day.new, cards)
        context["returning"] = _day_cards(day, day.returning, cards)
        context["exports"] = export_links(day.count, urls.snapshot(day.date))  # the day page's files
        if relevance is not None:
            context["for_you"] = day_block(day, relevance, cards)
            context["muted"] = len(day.new) - len(context["new"])
        earlier = [other for other in catalog.days if other.date < day.date]
        before = next((other for other in reversed(earlier) if other.count), earlier[-1] if earlier else None)
        context["previous"] = (before.date, urls.snapshot(before.date)) if before else None
    return PageSpec(urls.HOME, "home.html", context)


def _day_cards(day: SnapshotDay, slugs: Sequence[str], cards: Mapping[str, PaperCard]) -> tuple[PaperCard, ...]:
    """A day's papers as it counted them: most upvoted first, with that day's count (feed order if none)."""
    votes = dict(day.upvotes)
    return tuple(_with_upvotes(cards[slug], votes.get(slug)) for slug in day.by_upvotes(slugs))


def _with_upvotes(card: PaperCard, upvotes: int | None) -> PaperCard:
    return card if card.upvotes == upvotes else replace(card, upvotes=upvotes)  # replace() is slow: skip it


@dataclass
class PlanCache:
    """What a preview keeps of its planning, by `digest.memo`'s rule: each paper page's spec by exactly what the
    page shows, and each paper's card.

    Planning a paper page (links, abstract paragraphs, citation) costs more than looking it up, so a preview
    rebuild after one new paper plans the pages of the papers that changed, and of those whose related list
    changed, only. `digest build` plans without one.
    """

    papers: NamedMemo[str, PageSpec] = field(default_factory=NamedMemo)
    cards: SettingMemo[Paper, PaperCard] = field(default_factory=SettingMemo)
    searches: SearchMemo = field(default_factory=SearchMemo)  # the saved searches' corpus (plan/searches.py)


def _paper_pages(catalog: Catalog, topics: Mapping[str, Topic], config: SiteConfig, related_lists: RelatedLists,
                 cache: PlanCache | None, orgs: Organizations) -> Iterator[PageSpec]:
    if cache is not None:
        cache.papers.next_build()
    for paper in catalog.papers.values():
        related = tuple(RelatedLink(catalog.papers[item.slug].title, urls.paper(item.slug), item.reason)
                        for item in related_lists.get(paper.slug, ()))
        paper_topics = tuple(topics[slug] for slug in paper.topics)
        org = orgs.of(paper)
        org_path = urls.org(org.slug) if org is not None else None
        plan = partial(_paper_page, paper, related, paper_topics, org_path, config)
        if cache is None:
            yield plan()
        else:
            yield cache.papers.made_from(paper.slug, (paper, related, paper_topics, org_path, config.base_url), plan)


def _paper_page(paper: Paper, related: tuple[RelatedLink, ...], topics: tuple[Topic, ...], org_path: str | None,
                config: SiteConfig) -> PageSpec:
    path = urls.paper(paper.slug)
    return PageSpec(path, "paper.html", {
        "paper": paper,
        "description": snippet(paper.abstract, 200),
        "abstract": tuple(tuple(split_links(paragraph)) for paragraph in paragraphs(paper.abstract)),
        "authors": paper.authors[:PAGE_AUTHORS],
        "more_authors": paper.authors[PAGE_AUTHORS:],
        "links": _paper_links(paper),
        "topics": topics,
        "org_path": org_path,  # the organization's page, when it has one
        "appearances": tuple((day, urls.snapshot(day)) for day in paper.appearances),
        "citation": citation(paper, config.base_url),
        "related": related,
        "star": star_data(paper, path),
    })


def _paper_links(paper: Paper) -> tuple[PaperLink, ...]:
    """Where to read the paper, its code and project page, then the other links in its abstract."""
    links: list[PaperLink] = []
    if paper.arxiv_id:
        links += [PaperLink(urls.arxiv_abstract(paper.arxiv_id), "arXiv abstract", paper.arxiv_id),
                  PaperLink(urls.arxiv_pdf(paper.arxiv_id), "PDF"),
                  PaperLink(urls.hugging_face_paper(paper.arxiv_id), "Hugging Face paper page")]
    if paper.code_url:
        stars = paper.code_stars
        links.append(PaperLink(paper.code_url, "Code", "" if stars is None else _counted(stars, "GitHub star"), True))
    if paper.project_page:
        links.append(PaperLink(paper.project_page, "Project page"))
    listed = {link.href for link in links}
    links += [PaperLink(url, link_label(url)) for url in paper.links if url not in listed]
    return tuple(links)


def _counted(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _topic_pages(catalog: Catalog, cards: Mapping[str, PaperCard], config: SiteConfig, org_count: int,
                 records: Records) -> Iterator[PageSpec]:
    """Each topic's pages with their reference files, then the topics index (which links the organizations' when
    there are some)."""
    counts = []
    for topic in catalog.topics:
        members = catalog.papers_by_topic[topic.slug]
        chart = topic_chart(catalog, topic, "topic-chart")
        counts.append((topic, len(members), urls.topic(topic.slug), chart and replace(chart, id=f"spark-{topic.slug}")))
        yield from paged_list(catalog, members, config.papers_per_page, partial(urls.topic, topic.slug), "topic.html",
                              {"topic": topic, "feed": topic_feed(topic, config)}, cards, records,
                              {"chart": chart})  # papers per month; the template leaves out the topic's own tag
    listed = tuple(row for row in counts if row[1] or row[0].slug != OTHER_SLUG)  # an empty "Other" is noise
    yield PageSpec(urls.TOPICS, "topics.html", {"topics": listed, "org_count": org_count})


def _snapshot_pages(catalog: Catalog, cards: Mapping[str, PaperCard], periods: Periods, records: Records,
                    relevance: Relevance | None = None) -> Iterator[PageSpec]:
    """Each day's page with its reference files; with interests, its "For you" block first (a day's page keeps
    every paper: it is the archive)."""
    days = catalog.days
    for index, day in enumerate(days):
        path = urls.snapshot(day.date)
        exports, files = list_exports(_day_papers(catalog, day), path, records)
        yield from files
        extra = {"for_you": day_block(day, relevance, cards)} if relevance is not None else {}
        yield PageSpec(path, "snapshot.html", {
            **extra,
            "day": day,
            "exports": exports,
            "new": _day_cards(day, day.new, cards),
            "returning": _day_cards(day, day.returning, cards),
            "previous": _neighbour(days, index - 1),
            "next": _neighbour(days, index + 1),
            "email": urls.snapshot_email(day.date),
            "periods": tuple(link for link in (periods.week_of(day.date), periods.month_of(day.date)) if link),
        })


def _day_papers(catalog: Catalog, day: SnapshotDay) -> list[Paper]:
    """A day's papers in the order its page shows them: the new, then the returning, each most upvoted first."""
    return [catalog.papers[slug] for slug in (*day.by_upvotes(day.new), *day.by_upvotes(day.returning))]


def _neighbour(days: Sequence[SnapshotDay], index: int) -> tuple[date, str] | None:
    if 0 <= index < len(days):
        return days[index].date, urls.snapshot(days[index].date)
    return None


def _archive_pages(catalog: Catalog, config: SiteConfig, periods: Periods) -> Iterator[PageSpec]:
    rows = tuple(ArchiveRow(day.date, urls.snapshot(day.date), day.count, len(day.new), periods.week_of(day.date))
                 for day in reversed(catalog.days))
    month_links = tuple(periods.link(month) for month in reversed(periods.months))
    chunks = _pages_of(rows, config.dates_per_page)
    for number, chunk in enumerate(chunks, 1):
        yield PageSpec(urls.archive(number), "archive.html", {
            "rows": tuple(chunk),
            "day_count": len(rows),
            "paper_count": len(catalog.papers),
            "months": month_links if number == 1 else (),
            "pagination": _pagination(number, len(chunks), urls.archive),
        })


@dataclass(frozen=True)
class Periods:
    """The site's weeks and months that have papers (digest/periods.py), and the link to each."""

    weeks: tuple[Period, ...]
    months: tuple[Period, ...]
    links: Mapping[tuple[str, str], PeriodLink]  # by (kind, key)

    @classmethod
    def of(cls, catalog: Catalog) -> Periods:
        all_weeks, all_months = weeks(catalog), months(catalog)
        links = {(period.kind, period.key): PeriodLink(period.name, _period_path(period), len(period.slugs),
                                                       period.name.split(" of ")[0])
                 for period in (*all_weeks, *all_months)}
        return cls(all_weeks, all_months, links)

    def link(self, period: Period) -> PeriodLink:
        return self.links[period.kind, period.key]

    def week_of(self, day: date) -> PeriodLink | None:
        """The page of the week holding `day`; None when that week brought no papers (it has no page)."""
        return self.links.get(("week", week_key(day)))

    def month_of(self, day: date) -> PeriodLink | None:
        return self.links.get(("month", month_key(day)))


def _period_path(period: Period) -> str:
    return urls.week(period.key) if period.kind == "week" else urls.month(period.key)


def _period_pages(catalog: Catalog, cards: Mapping[str, PaperCard], periods: Periods, records: Records,
                  ) -> Iterator[PageSpec]:
    """A page per week and per month: every paper under each of its topics, with the neighbours. A busy one
    shows its most upvoted in full, then folds its lists by topic (one line a paper), so that a month of 600
    papers stays a few screens long on a phone instead of eighty."""
    topics = {topic.slug: topic for topic in catalog.topics}
    for series in (periods.weeks, periods.months):
        for index, period in enumerate(series):
            ranked = tuple(cards[slug] for slug in period.slugs)
            busy = len(ranked) > PERIOD_OPEN
            path = _period_path(period)
            exports, files = list_exports([catalog.papers[slug] for slug in period.slugs], path, records)
            yield from files
            yield PageSpec(path, "period.html", {
                "period": period,
                "exports": exports,
                "count": len(ranked),
                "voted": ranked[0].upvotes is not None,  # else the order is only by days in the feed
                "highlights": ranked[:PERIOD_HIGHLIGHTS] if busy else (),
                "folded": busy,
                "groups": _by_topic(catalog, period.slugs, cards, topics, busy),
                "days": tuple((day, urls.snapshot(day)) for day in period.days),
                "within": _within(period, periods),
                "previous": periods.link(series[index - 1]) if index > 0 else None,
                "next": periods.link(series[index + 1]) if index + 1 < len(series) else None,
            })


def _by_topic(catalog: Catalog, slugs: Sequence[str], cards: Mapping[str, PaperCard],
              topics: Mapping[str, Topic], compact: bool) -> tuple[TopicGroup, ...]:
    """Each paper under every one of its topics, in the order given; the largest groups first, then the
    taxonomy's order. A paper is a card where the page first shows it (in its largest topic) and a line
    after that, or a line everywhere when `compact`: the reader of a week's Reasoning section should see all
    of the week's reasoning papers, not only those whose first topic it is."""
    grouped: dict[str, list[str]] = {topic.slug: [] for topic in catalog.topics}
    for slug in slugs:
        for topic in catalog.papers[slug].topics:
            grouped[topic].append(slug)
    order = sorted((topic for topic in grouped if grouped[topic]), key=lambda topic: -len(grouped[topic]))
    shown: set[str] = set()  # papers the page has shown as cards so far
    groups = []
    for topic in order:
        first = set() if compact else set(grouped[topic]) - shown
        shown |= first
        groups.append(TopicGroup(topics[topic], tuple(cards[slug] for slug in grouped[topic] if slug in first),
                                 tuple(cards[slug] for slug in grouped[topic] if slug not in first)))
    return tuple(groups)


def _within(period: Period, periods: Periods) -> tuple[PeriodLink, ...]:
    """For a week, the month pages of its days; for a month, the week pages of its days."""
    find = periods.month_of if period.kind == "week" else periods.week_of
    return tuple(dict.fromkeys(link for day in period.days if (link := find(day))))
