"""What a notification says: an edition's title, its top papers and a link to all of them, fitted to a service.

With content/interests.yaml (digest/notify/edition.py) the curator's For-you picks come first, each with its
reasons, then the other top papers, then a line per saved search with new papers; without it the message is
what it always was, with no headings. Each service gets one of three renderings of the same content:
Markdown where it renders Markdown, HTML where it takes HTML, plain text elsewhere. Scraped text is escaped
for the format (a title cannot become a link, emphasis or a tag). A service's length limit is met by dropping
the saved searches' lines, then listing fewer papers (the others before the picks), then dropping the
summaries, then the papers: links are whole or absent, never cut, and the link to the edition's page comes
last in every message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from digest import urls
from digest.catalog import Catalog
from digest.inputs.config import SiteConfig
from digest.mail.compose import Edition, EmailEntry, edition_title, new_entries, one_line
from digest.notify.edition import SearchLine
from digest.text import snippet

TEXT, MARKDOWN, HTML = "text", "markdown", "html"
SUMMARY_LENGTH = 200  # characters of Hugging Face's AI summary a notification quotes
REASONS_LENGTH = 200  # characters of a pick's reasons ("by Tri Dao (followed); mentions …")
FOR_YOU, ALSO_NEW, SAVED_SEARCHES = "For you", "Also new", "Saved searches"  # headings, only with picks or searches
# When a service has no title field, Apprise puts the title at the body's start with a few characters of markup.
TITLE_OVERHEAD = 16


@dataclass(frozen=True)
class Item:
    """One paper as a notification lists it."""

    title: str
    url: str
    upvotes: int | None
    summary: str  # Hugging Face's AI summary, shortened; '' when the feed has none
    reasons: str = ""  # a For-you pick's reasons in words, shortened; '' for the other papers


@dataclass(frozen=True)
class Digest:
    """What every destination is told about one edition, before it is fitted to a service."""

    key: str  # the edition: '2024-11-18' or '2024-W47'
    title: str
    items: tuple[Item, ...]  # the For-you picks (most relevant first), then the top papers (best first)
    total: int  # the edition's new papers (muted ones left out)
    page_url: str  # the day's or the week's page
    picked: int = 0  # how many of `items` are For-you picks
    searches: tuple[SearchLine, ...] = ()  # saved searches with new papers in the edition


@dataclass(frozen=True)
class Post:
    """One message for one service: its title, its body and the format the body is in."""

    title: str
    body: str
    format: str


def notification_digest(catalog: Catalog, config: SiteConfig, edition: Edition,
                        searches: Sequence[SearchLine] = ()) -> Digest:
    """The edition's title, its first `notify.top` For-you picks, its top `notify.top` other new papers, the
    saved searches' lines and its page, as every destination gets them."""
    top = config.notify.top
    picks = edition.for_you[:top]
    picked = [slug for slug, _ in picks]
    listed = set(picked)
    others = [slug for slug in edition.new if slug not in listed][:top]
    reasons = [reasons for _, reasons in picks] + [() for _ in others]
    entries = _entries(catalog, config, edition, [*picked, *others])
    total = len(edition.new)
    noun = "paper" if total == 1 else "papers"
    title = f"{edition_title(config, edition)}: {total or 'no'} new {noun}"
    return Digest(edition.key, title, tuple(map(_item, entries, reasons)), total,
                  urls.absolute(config.base_url, edition.page_path), len(picks), tuple(searches))


def _entries(catalog: Catalog, config: SiteConfig, edition: Edition, slugs: Sequence[str]) -> tuple[EmailEntry, ...]:
    """`slugs` as the email shows them (the edition's upvote counts, its summaries)."""
    return new_entries(catalog, config, replace(edition, new=tuple(slugs)), len(slugs))


def _item(entry: EmailEntry, reasons: Sequence[str] = ()) -> Item:
    summary = snippet(entry.summary, SUMMARY_LENGTH) if entry.summary_is_ai else ""
    why = snippet("; ".join(one_line(reason) for reason in reasons), REASONS_LENGTH) if reasons else ""
    return Item(one_line(entry.title), entry.url, entry.upvotes, one_line(summary), why)


@dataclass(frozen=True)
class Cut:
    """How much of a digest one message shows: its first `papers` items, their summaries or not, and its first
    `searches` saved-search lines."""

    papers: int
    summaries: bool
    searches: int


def fit(digest: Digest, form: str, body_limit: int, title_limit: int) -> Post:
    """The longest rendering of `digest` in `form` within the service's limits (in characters).

    `title_limit` 0 means the service has no title: Apprise then puts the title into the body, so the
    body has that much less room.
    """
    title = digest.title if title_limit <= 0 else snippet(digest.title, title_limit)
    room = body_limit - (len(title) + TITLE_OVERHEAD if title_limit <= 0 else 0)
    render = RENDERERS[form]
    for cut in _cuts(len(digest.items), len(digest.searches)):
        body = render(digest, cut)
        if len(body) <= room:
            return Post(title, body, form)
    return Post(title, "", form)  # not even the page link fits: the title alone says what happened


def _cuts(papers: int, searches: int) -> list[Cut]:
    """From the richest message to the barest: fewer saved-search lines, then fewer papers (the last listed go
    first, so the picks stay longest), then no summaries, then no papers."""
    return ([Cut(papers, True, shown) for shown in range(searches, -1, -1)]
            + [Cut(shown, True, 0) for shown in range(papers - 1, 0, -1)]
            + [Cut(1, False, 0)] * bool(papers) + [Cut(0, False, 0)])


def _sections(digest: Digest, cut: Cut) -> list[tuple[str, Sequence[Item]]]:
    """(heading, items) of the papers shown: without picks one list and no heading, as before interests."""
    items = digest.items[:cut.papers]
    if not digest.picked:
        return [("", items)] if items else []
    sections = [(FOR_YOU, items[:digest.picked]), (ALSO_NEW, items[digest.picked:])]
    return [(heading, shown) for heading, shown in sections if shown]


def _footer(digest: Digest) -> str:
    """The words of the last line's link, to the edition's page."""
    if digest.total == 0:
        return "No new papers"
    return f"All {digest.total} new papers" if digest.total > 1 else "On the site"


def _upvotes(item: Item) -> str:
    if item.upvotes is None:
        return ""
    return f" · {item.upvotes} upvote{'' if item.upvotes == 1 else 's'}"


def _new(line: SearchLine) -> str:
    return f"({line.count} new)"


def render_text(digest: Digest, cut: Cut) -> str:
    blocks = []
    for heading, items in _sections(digest, cut):
        blocks += [heading] if heading else []
        for number, item in enumerate(items, 1):
            lines = [f"{number}. {item.title}{_upvotes(item)}"]
            if item.reasons:
                lines.append(f"Why: {item.reasons}")
            if cut.summaries and item.summary:
                lines.append(f"AI summary: {item.summary}")
            lines.append(item.url)
            blocks.append("\n".join(lines))
    if searches := digest.searches[:cut.searches]:
        blocks.append("\n".join([SAVED_SEARCHES, *(f"{line.name} {_new(line)}: {line.url}" for line in searches)]))
    blocks.append(f"{_footer(digest)}: {digest.page_url}")
    return "\n\n".join(blocks)


# Characters that would start Markdown syntax (emphasis, links, code, HTML, tables) in scraped text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~|#])")


def markdown_text(text: str) -> str:
    """Scraped text as literal Markdown: every character that could start markup is backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_url(url: str) -> str:
    """A URL that cannot end a Markdown link early: parentheses, spaces and angle brackets percent-encoded."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def render_markdown(digest: Digest, cut: Cut) -> str:
    blocks = []
    for heading, items in _sections(digest, cut):
        blocks += [f"**{heading}**"] if heading else []
        for number, item in enumerate(items, 1):
            line = f"{number}. **[{markdown_text(item.title)}]({markdown_url(item.url)})**{_upvotes(item)}"
            if item.reasons:
                line += f"  \n   Why: {markdown_text(item.reasons)}"
            if cut.summaries and item.summary:
                line += f"  \n   AI summary: {markdown_text(item.summary)}"
            blocks.append(line)
    if searches := digest.searches[:cut.searches]:
        blocks.append(f"**{SAVED_SEARCHES}**")
        blocks.append("\n".join(f"- [{markdown_text(line.name)}]({markdown_url(line.url)}) {_new(line)}"
                                for line in searches))
    blocks.append(f"[{_footer(digest)}]({markdown_url(digest.page_url)})")
    return "\n\n".join(blocks)


def render_html(digest: Digest, cut: Cut) -> str:
    parts = []
    for heading, items in _sections(digest, cut):
        parts += [f"<p><b>{heading}</b></p>"] if heading else []
        parts.append(f"<ol>{''.join(_html_item(item, cut.summaries) for item in items)}</ol>")
    if searches := digest.searches[:cut.searches]:
        lines = "".join(f'<li><a href="{html.escape(line.url)}">{html.escape(line.name)}</a> {_new(line)}</li>'
                        for line in searches)
        parts.append(f"<p><b>{SAVED_SEARCHES}</b></p><ul>{lines}</ul>")
    return f'{"".join(parts)}<p><a href="{html.escape(digest.page_url)}">{_footer(digest)}</a></p>'


def _html_item(item: Item, summaries: bool) -> str:
    why = f"<br>Why: {html.escape(item.reasons)}" if item.reasons else ""
    summary = f"<br>AI summary: {html.escape(item.summary)}" if summaries and item.summary else ""
    return (f'<li><a href="{html.escape(item.url)}"><b>{html.escape(item.title)}</b></a>'
            f"{html.escape(_upvotes(item))}{why}{summary}</li>")


RENDERERS: dict[str, Callable[[Digest, Cut], str]] = {TEXT: render_text, MARKDOWN: render_markdown, HTML: render_html}


def alert_post(title: str, text: str) -> dict[str, Post]:
    """An alert (a stale feed) in each format: one plain sentence, escaped for Markdown and HTML."""
    return {TEXT: Post(title, text, TEXT), MARKDOWN: Post(title, markdown_text(text), MARKDOWN),
            HTML: Post(title, html.escape(text), HTML)}
