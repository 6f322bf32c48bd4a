"""The email digest's content: one snapshot day (or one week) as inlined HTML and plain text.

The build publishes each day's email (`email_pages`) beside its snapshot page;
`digest email` (commands/email.py) wraps the same digest in a MIME message
(mail/message.py) and sends it (mail/smtp.py).

Email clients are not browsers, so the HTML is a 600 px table layout whose CSS
(templates/email/email.css) css-inline copies into `style` attributes; only the
media queries stay in a <style> block. Every link is absolute, built from
`base_url` through urls.py, because the email is read away from the site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any

import css_inline

from digest import urls
from digest.catalog import Catalog, SnapshotDay
from digest.inputs.config import SiteConfig
from digest.memo import Memo
from digest.output.render import Dependencies, Renderer, long_date
from digest.periods import Period
from digest.plan.searches import SearchMatches
from digest.plan.spec import PageSpec
from digest.project import Project
from digest.relevance import Relevance
from digest.text import clean_text, first_sentences, snippet

HTML_TEMPLATE = "email/digest.html"
TEXT_TEMPLATE = "email/digest.txt"
# Gmail clips messages past about 102 KB and hides the rest behind a link; stay clearly under it.
MAX_HTML_BYTES = 100_000
EMAIL_AUTHORS = 3  # authors named before "and N more"
TOP_PAPERS = {False: 3, True: 5}  # a day's (a week's) most upvoted new papers, shown first
MERGED_GROUP = "Other topics"  # the heading over the topics that have one paper each
SUBJECT_LENGTH = 80  # characters; inboxes cut subjects around here (narrower on phones)
MIN_SUBJECT_TITLE = 20  # characters of the lead title kept however long the site's name
SEARCH_PAPERS = 10  # new papers a saved search's section lists before "and N more" (fewer if the email is too big)


@dataclass(frozen=True)
class EmailEntry:
    """One new paper as the email shows it."""

    title: str
    url: str
    summary: str
    topics: tuple[str, ...]
    code_url: str | None
    authors: tuple[str, ...] = ()  # the first few
    more_authors: int = 0
    arxiv_url: str | None = None
    upvotes: int | None = None  # that day's count (a week: the newest)
    summary_is_ai: bool = False  # `summary` is Hugging Face's machine-written one-sentence summary


@dataclass(frozen=True)
class TopicSection:
    """An email's new papers under one topic (a site's period page groups PaperCards: `plan.site.TopicGroup`)."""

    name: str
    entries: tuple[EmailEntry, ...]


@dataclass(frozen=True)
class ReturningEntry:
    title: str
    url: str


@dataclass(frozen=True)
class SearchSection:
    """A saved search's new papers in this edition (content/interests.yaml): one line each, the page for more."""

    name: str
    query: str
    page_url: str
    papers: tuple[ReturningEntry, ...]
    hidden: int


@dataclass(frozen=True)
class Edition:
    """What one email covers: a snapshot day, or an ISO week (`digest email --week`)."""

    key: str  # '2024-11-18' or '2024-W47': the file names and the Message-ID
    dated: date  # the snapshot date, or the week's last snapshot date: the written .eml's Date
    dateline: str  # '18 November 2024' or 'Week 47 of 2024'; the subject and the masthead
    span: str  # for a week its dates ('18–24 November 2024'); for a day ''
    new: tuple[str, ...]  # slugs, best first
    returning: tuple[str, ...]
    page_path: str  # the site page with all of it: the snapshot's, or the week's
    browser_path: str  # the email's own copy on the site, or the week's page for a week
    snapshots: int  # snapshot days it covers
    upvotes: tuple[tuple[str, int], ...] = ()  # (slug, count) as the day counted them; a week uses the newest
    for_you: tuple[tuple[str, tuple[str, ...]], ...] = ()  # the curator's picks (slug, reasons), most relevant first


def day_edition(day: SnapshotDay, found: Relevance | None = None) -> Edition:
    """A snapshot day's email: that day's new papers, most upvoted that day first, then the returning ones; with
    interests (`found`), as `with_interests` makes it."""
    return with_interests(Edition(day.date.isoformat(), day.date, long_date(day.date), "", day.by_upvotes(day.new),
                                  day.returning, urls.snapshot(day.date), urls.snapshot_email(day.date), 1,
                                  day.upvotes), found)


def week_edition(week: Period, found: Relevance | None = None) -> Edition:
    """A week's email: the papers first seen that week, ranked as its page ranks them (digest/periods.py); with
    interests (`found`), as `with_interests` makes it."""
    return with_interests(Edition(week.key, week.days[-1], week.name, week.span, week.slugs, (), urls.week(week.key),
                                  urls.week(week.key), len(week.days)), found)


def with_interests(edition: Edition, found: Relevance | None) -> Edition:
    """`edition` as the curator reads it, in an email or a notification: muted papers left out of its new papers
    (they stay on the site) and its picks, most relevant first with their reasons in words, in `for_you`.
    None (no interests.yaml): unchanged."""
    if found is None:
        return edition
    new = found.unmuted(edition.new)
    picks = tuple((pick.slug, tuple(reason.text for reason in pick.reasons)) for pick in found.picks(new))
    return replace(edition, new=new, for_you=picks)


@dataclass(frozen=True)
class EmailContent:
    """Everything the two templates show: plain, comparable data with absolute URLs."""

    day: date  # the snapshot date, or the week's last snapshot date
    key: str
    dateline: str
    span: str
    is_week: bool
    subject: str
    preheader: str
    summary: str
    browser_url: str
    page_url: str  # the snapshot's or the week's page
    site_url: str
    unsubscribe_url: str
    top: tuple[EmailEntry, ...]  # the most upvoted new papers, first and with their counts
    groups: tuple[TopicSection, ...]  # the other new papers by topic; topics with one paper merged at the end
    new_total: int
    new_hidden: int
    returning: tuple[ReturningEntry, ...]
    returning_hidden: int
    for_you: tuple[PickedEntry, ...] = ()  # the curator's picks, first of all, with the reasons
    for_you_hidden: int = 0
    searches: tuple[SearchSection, ...] = ()  # saved searches with new papers in this edition



@dataclass(frozen=True)
class PickedEntry:
    entry: EmailEntry
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class EmailDigest:
    content: EmailContent
    html: str
    text: str

    @property
    def has_new(self) -> bool:
        return self.content.new_total > 0

    @property
    def new_shown(self) -> int:
        return self.content.new_total - self.content.new_hidden


def plan_email(catalog: Catalog, config: SiteConfig, edition: Edition, max_new: int | None = None,
               max_returning: int | None = None, searches: Sequence[SearchMatches] = (),
               max_searched: int = SEARCH_PAPERS) -> EmailContent:
    """Choose and group what one email shows; the caps keep it short and under Gmail's clipping size.

    `searches` are the saved searches with their papers; each with new papers in this edition gets a section.
    """
    settings = config.email
    max_new = settings.max_new if max_new is None else max_new
    max_returning = settings.max_returning if max_returning is None else max_returning
    names = {topic.slug: topic.name for topic in catalog.topics}
    shown = edition.new[:max_new]
    returning = tuple(ReturningEntry(one_line(catalog.papers[slug].title), _paper_url(config, slug))
                      for slug in edition.returning[:max_returning])
    entries = [_entry(catalog, config, edition, slug, names) for slug in shown]
    top_count = TOP_PAPERS[bool(edition.span)] if any(entry.upvotes for entry in entries) else 0
    top, groups = tuple(entries[:top_count]), _group(catalog, entries[top_count:], shown[top_count:], names)
    titles = [entry.title for entry in top] + [entry.title for group in groups for entry in group.entries]
    picks = tuple(PickedEntry(_entry(catalog, config, edition, slug, names), tuple(map(one_line, reasons)))
                  for slug, reasons in edition.for_you[:max_new])
    return EmailContent(
        day=edition.dated,
        key=edition.key,
        dateline=edition.dateline,
        span=edition.span,
        is_week=bool(edition.span),
        subject=email_subject(config, edition, titles[0] if titles else None),
        preheader=_preheader(edition, titles),
        summary=_summary(edition),
        browser_url=urls.absolute(config.base_url, edition.browser_path),
        page_url=urls.absolute(config.base_url, edition.page_path),
        site_url=config.base_url,
        unsubscribe_url=settings.unsubscribe_url,
        top=top,
        groups=groups,
        new_total=len(edition.new),
        new_hidden=len(edition.new) - len(shown),
        returning=returning,
        returning_hidden=len(edition.returning) - len(returning),
        for_you=picks,
        for_you_hidden=len(edition.for_you) - len(picks),
        searches=_search_sections(catalog, config, edition, searches, max_searched),
    )


def _search_sections(catalog: Catalog, config: SiteConfig, edition: Edition, searches: Sequence[SearchMatches],
                     most: int) -> tuple[SearchSection, ...]:
    """A section per saved search with new papers in the edition, in the edition's order (best first)."""
    sections = []
    for found in searches:
        matched = set(found.slugs)
        slugs = [slug for slug in edition.new if slug in matched]
        if slugs:
            papers = tuple(ReturningEntry(one_line(catalog.papers[slug].title), _paper_url(config, slug))
                           for slug in slugs[:most])
            sections.append(SearchSection(one_line(found.search.name), one_line(found.search.query),
                                          urls.absolute(config.base_url, found.path), papers,
                                          len(slugs) - len(papers)))
    return tuple(sections)


def one_line(text: str) -> str:
    """Scraped text as one line: no control characters, CR or LF (nothing can start a new header or line)."""
    return clean_text(text)


def email_subject(config: SiteConfig, edition: Edition, lead: str | None) -> str:
    """Site name, date (or week) and `lead`, the first paper the email shows: enough to decide whether to open it.

    The title is cut at a word to keep the subject within SUBJECT_LENGTH, what inboxes show of it.
    """
    head = edition_title(config, edition)
    new = len(edition.new)
    if not new:
        return f"{head}: no new papers"
    tail = f" and {new - 1} more" if new > 1 else ""
    if lead is None:
        return f"{head}: {new} new papers"
    room = max(SUBJECT_LENGTH - len(head) - len(": ") - len(tail), MIN_SUBJECT_TITLE)
    return f"{head}: {_shorten(lead, room)}{tail}"


# Words a cut title should not end on ("Counter-Current Learning: A…", "Mixture of…").
_DANGLING = frozenset(("a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
                       "to", "via", "with"))


def _shorten(title: str, length: int) -> str:
    """`title` if it fits in `length` characters, else its first whole words and an ellipsis."""
    if len(title) <= length:
        return title
    cut = title[: length - 1]  # room for the '…'
    words = cut.split(" ") if title[len(cut)] == " " else cut.split(" ")[:-1]  # whole words only
    words = words or [cut]
    while len(words) > 1 and words[-1].lower() in _DANGLING:
        words.pop()
    return " ".join(words).rstrip(" ,;:.-–—") + "…"


def _summary(edition: Edition) -> str:
    count = len(edition.new)
    new = f"{count} new {'paper' if count == 1 else 'papers'}"
    if edition.span:
        days = edition.snapshots
        return f"{new} this week ({edition.span}), from {days} {'snapshot' if days == 1 else 'snapshots'}."
    return f"{new} and {len(edition.returning)} returning." if edition.returning else f"{new}."


def _preheader(edition: Edition, titles: Sequence[str]) -> str:
    """The inbox preview line: the first new titles shown (clients show about 90–140 characters)."""
    when = "this week" if edition.span else "today"
    if not titles:
        return f"No new papers {when}; {len(edition.returning)} returning."
    return snippet(f"New {when}: " + " · ".join(titles[:4]), 140)


def _paper_url(config: SiteConfig, slug: str) -> str:
    return urls.absolute(config.base_url, urls.paper(slug))


def _entry(catalog: Catalog, config: SiteConfig, edition: Edition, slug: str, names: Mapping[str, str]) -> EmailEntry:
    """One new paper as the email shows it: Hugging Face's AI summary where there is one, else abstract sentences."""
    paper = catalog.papers[slug]
    summary = snippet(paper.ai_summary, 400) if paper.ai_summary else first_sentences(
        paper.abstract, config.email.sentences, max_length=400)
    return EmailEntry(
        title=one_line(paper.title),
        url=_paper_url(config, slug),
        summary=summary,
        topics=tuple(names[topic] for topic in paper.topics),
        code_url=paper.code_url,
        authors=tuple(one_line(name) for name in paper.authors[:EMAIL_AUTHORS]),
        more_authors=max(0, len(paper.authors) - EMAIL_AUTHORS),
        arxiv_url=urls.arxiv_abstract(paper.arxiv_id) if paper.arxiv_id else None,
        upvotes=dict(edition.upvotes).get(slug, paper.upvotes),
        summary_is_ai=bool(paper.ai_summary),
    )


def new_entries(catalog: Catalog, config: SiteConfig, edition: Edition, count: int) -> tuple[EmailEntry, ...]:
    """The edition's first `count` new papers (best first) as the email shows them; notifications list the same."""
    names = {topic.slug: topic.name for topic in catalog.topics}
    return tuple(_entry(catalog, config, edition, slug, names) for slug in edition.new[:count])


def edition_title(config: SiteConfig, edition: Edition) -> str:
    """'Site name, 18 November 2024': how the email's subject and a notification's title begin."""
    return f"{one_line(config.title)}, {edition.dateline}"


def _group(catalog: Catalog, entries: Sequence[EmailEntry], slugs: Sequence[str],
           names: Mapping[str, str]) -> tuple[TopicSection, ...]:
    """Each paper once, under its first topic, in the order given; groups in taxonomy order, then the topics
    with a single paper merged under one heading (a heading per paper would say nothing a tag does not)."""
    by_topic: dict[str, list[EmailEntry]] = {topic.slug: [] for topic in catalog.topics}
    for slug, entry in zip(slugs, entries, strict=True):
        by_topic[catalog.papers[slug].topics[0]].append(entry)
    groups = [TopicSection(names[topic], tuple(group)) for topic, group in by_topic.items() if len(group) > 1]
    alone = {topic for topic, group in by_topic.items() if len(group) == 1}
    merged = tuple(entry for slug, entry in zip(slugs, entries, strict=True)
                   if catalog.papers[slug].topics[0] in alone)
    return (*groups, TopicSection(MERGED_GROUP, merged)) if merged else tuple(groups)


def email_renderer(project: Project, config: SiteConfig) -> Renderer:
    """The site's Renderer (same Jinja setup and filters); the email needs no assets or menu."""
    return Renderer(project.theme.layers, config, {}, ())


@dataclass(frozen=True)
class RenderedEmail:
    html: str  # CSS inlined
    text: str
    dependencies: Dependencies  # the templates and settings both parts read


@dataclass
class EmailCache:
    """Rendered emails, so a preview rebuild does not render and inline every day's email again.

    An email is reused while its content and the templates and settings it read are unchanged: an edited
    site template, stylesheet or site page leaves the emails alone, and an edited email template or setting
    renders them again (and no site page). Both memos follow `digest.memo`'s rule.
    """

    emails: Memo[EmailContent, RenderedEmail] = field(default_factory=Memo)
    # What each edition showed, by the edition and everything it was planned from: choosing and shortening
    # 300 days' papers again costs more than comparing them.
    plans: Memo[tuple[Any, ...], EmailContent] = field(default_factory=Memo)
    rendered: int = 0  # in this build
    reused: int = 0

    def planned(self, inputs: tuple[Any, ...], plan: Callable[[], EmailContent]) -> EmailContent:
        return self.plans.get_or_make(inputs, plan)

    def next_build(self) -> None:
        self.emails.next_build()
        self.plans.next_build()
        self.rendered = self.reused = 0

    def get(self, content: EmailContent, renderer: Renderer) -> RenderedEmail | None:
        found = self.emails.get(content)
        if found is None or not renderer.is_current(found.dependencies):
            return None
        self.reused += 1
        return found

    def put(self, content: EmailContent, email: RenderedEmail) -> None:
        self.emails.put(content, email)
        self.rendered += 1


def render_email(renderer: Renderer, content: EmailContent, cache: EmailCache | None = None) -> tuple[str, str]:
    """(inlined HTML, plain text) for one email; an unchanged day comes from the cache."""
    cached = cache.get(content, renderer) if cache is not None else None
    if cached is None:
        path = urls.snapshot_email(content.day)
        html = renderer.render_tracked(PageSpec(path, HTML_TEMPLATE, {"email": content}))
        text = renderer.render_tracked(PageSpec(path, TEXT_TEMPLATE, {"email": content}))
        cached = RenderedEmail(inline_css(html.body.decode("utf-8")), text.body.decode("utf-8"),
                               html.dependencies | text.dependencies)
        if cache is not None:
            cache.put(content, cached)
    return cached.html, cached.text


def inline_css(html: str) -> str:
    """Move the <style> rules into style attributes; keep @media (needs the class attributes) in <style>."""
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return _escape_text_quotes(_style_after_meta(inliner.inline(html)))


# css-inline re-serializes the document as HTML5 does: attribute values always in double quotes, with '"'
# escaped inside them, and '<' escaped in text. So a tag is '<' up to the '>' outside a quoted value, and
# anything between tags, comments and <style> is text.
_SERIALIZED = re.compile(r'(<!--.*?-->|<style\b.*?</style>|<(?:[^>"]|"[^"]*")*>)|([^<]+)', re.DOTALL)


def _escape_text_quotes(html: str) -> str:
    """Escape quotes in text again, as Jinja did before css-inline re-serialized it.

    Quotes in text are harmless to a browser, but scraped text such as '"onmouseover="…' then reads like
    markup to string-based filters and checks; the site's pages never show it that way either.
    """
    def escape(match: re.Match[str]) -> str:
        text = match.group(2)
        return match.group(1) if text is None else text.replace('"', "&#34;").replace("'", "&#39;")

    return _SERIALIZED.sub(escape, html)


def _style_after_meta(html: str) -> str:
    """css-inline puts the kept @media rules first in <head>; move them to its end.

    Otherwise they push `<meta charset>` towards the 1024-byte limit HTML sets for it.
    """
    start = html.find("<head>") + len("<head>")
    if not html.startswith("<style>", start):
        return html
    end = html.index("</style>", start) + len("</style>")
    block = html[start:end]
    return (html[:start] + html[end:]).replace("</head>", block + "\n</head>", 1)


def compose_email(catalog: Catalog, config: SiteConfig, renderer: Renderer, edition: Edition,
                  cache: EmailCache | None = None, searches: Sequence[SearchMatches] = ()) -> EmailDigest:
    """Render the edition's email, shrinking the lists further if the HTML would still pass MAX_HTML_BYTES
    (whole papers are left out, never cut: the new papers, the returning ones, the saved searches' lines)."""
    max_new, max_returning, max_searched = config.email.max_new, config.email.max_returning, SEARCH_PAPERS
    papers = tuple(catalog.papers[slug] for slug in (*edition.new, *edition.returning))
    new = set(edition.new)
    searched = tuple((found.search, tuple(slug for slug in found.slugs if slug in new)) for found in searches)
    while True:
        plan = partial(plan_email, catalog, config, edition, max_new, max_returning, searches, max_searched)
        inputs = (edition, papers, config, catalog.topics, max_new, max_returning, searched, max_searched)
        content = plan() if cache is None else cache.planned(inputs, plan)
        html, text = render_email(renderer, content, cache)
        size = len(html.encode("utf-8"))
        shown = content.new_total - content.new_hidden
        listed = max((len(section.papers) for section in content.searches), default=0)
        if size <= MAX_HTML_BYTES or (shown <= 1 and not content.returning and listed <= 1):
            return EmailDigest(content, html, text)
        ratio = MAX_HTML_BYTES / size * 0.95
        max_new = max(1, min(shown - 1, int(shown * ratio)))
        max_returning = int(len(content.returning) * ratio)
        max_searched = max(1, min(listed - 1, int(listed * ratio)))


def email_pages(catalog: Catalog, config: SiteConfig, renderer: Renderer,
                cache: EmailCache | None = None, days: Sequence[SnapshotDay] | None = None,
                relevance: Relevance | None = None, searches: Sequence[SearchMatches] = ()) -> dict[str, bytes]:
    """The email HTML of every snapshot day (or of `days`), published at urls.snapshot_email for "View in browser".

    `renderer` may be the site's: the emails are rendered without its assets and menu (Renderer.for_email),
    exactly as `digest email` renders them. `relevance` (of the interests) puts the day's picks first and leaves
    muted papers out.
    """
    renderer = renderer.for_email()
    if cache is not None:
        cache.next_build()
    return {
        urls.output_file(urls.snapshot_email(day.date)):
            compose_email(catalog, config, renderer, day_edition(day, relevance), cache, searches).html.encode("utf-8")
        for day in (catalog.days if days is None else days)
    }
