"""What a notification says: an edition's title, its top papers and a link to all of them, fitted to a service.

Each service gets one of three renderings of the same content: Markdown where it renders Markdown, HTML
where it takes HTML, plain text elsewhere. Scraped text is escaped for the format (a title cannot become
a link, emphasis or a tag). A service's length limit is met by listing fewer papers, then dropping the
summaries, then the papers: links are whole or absent, never cut, and the link to the edition's page
comes last in every message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from digest import urls
from digest.catalog import Catalog
from digest.inputs.config import SiteConfig
from digest.mail.compose import Edition, EmailEntry, edition_title, new_entries, one_line
from digest.text import snippet

TEXT, MARKDOWN, HTML = "text", "markdown", "html"
SUMMARY_LENGTH = 200  # characters of Hugging Face's AI summary a notification quotes
# When a service has no title field, Apprise puts the title at the body's start with a few characters of markup.
TITLE_OVERHEAD = 16


@dataclass(frozen=True)
class Item:
    """One paper as a notification lists it."""

    title: str
    url: str
    upvotes: int | None
    summary: str  # Hugging Face's AI summary, shortened; '' when the feed has none


@dataclass(frozen=True)
class Digest:
    """What every destination is told about one edition, before it is fitted to a service."""

    key: str  # the edition: '2024-11-18' or '2024-W47'
    title: str
    items: tuple[Item, ...]  # the top papers, best first
    total: int  # the edition's new papers
    page_url: str  # the day's or the week's page


@dataclass(frozen=True)
class Post:
    """One message for one service: its title, its body and the format the body is in."""

    title: str
    body: str
    format: str


def notification_digest(catalog: Catalog, config: SiteConfig, edition: Edition) -> Digest:
    """The edition's title, its top `notify.top` new papers and its page, as every destination gets them."""
    entries = new_entries(catalog, config, edition, config.notify.top)
    total = len(edition.new)
    noun = "paper" if total == 1 else "papers"
    title = f"{edition_title(config, edition)}: {total or 'no'} new {noun}"
    return Digest(edition.key, title, tuple(_item(entry) for entry in entries), total,
                  urls.absolute(config.base_url, edition.page_path))


def _item(entry: EmailEntry) -> Item:
    summary = snippet(entry.summary, SUMMARY_LENGTH) if entry.summary_is_ai else ""
    return Item(one_line(entry.title), entry.url, entry.upvotes, one_line(summary))


def fit(digest: Digest, form: str, body_limit: int, title_limit: int) -> Post:
    """The longest rendering of `digest` in `form` within the service's limits (in characters).

    `title_limit` 0 means the service has no title: Apprise then puts the title into the body, so the
    body has that much less room.
    """
    title = digest.title if title_limit <= 0 else snippet(digest.title, title_limit)
    room = body_limit - (len(title) + TITLE_OVERHEAD if title_limit <= 0 else 0)
    render = RENDERERS[form]
    for count, summaries in _variants(len(digest.items)):
        body = render(digest, digest.items[:count], summaries)
        if len(body) <= room:
            return Post(title, body, form)
    return Post(title, "", form)  # not even the page link fits: the title alone says what happened


def _variants(count: int) -> list[tuple[int, bool]]:
    """(papers, with summaries) from the richest message to the barest: fewer papers first, then no summaries."""
    return [(n, True) for n in range(count, 0, -1)] + [(1, False)] * bool(count) + [(0, False)]


def _footer(digest: Digest) -> str:
    """The words of the last line's link, to the edition's page."""
    if digest.total == 0:
        return "No new papers"
    return f"All {digest.total} new papers" if digest.total > 1 else "On the site"


def _upvotes(item: Item) -> str:
    if item.upvotes is None:
        return ""
    return f" · {item.upvotes} upvote{'' if item.upvotes == 1 else 's'}"


def render_text(digest: Digest, items: Sequence[Item], summaries: bool) -> str:
    blocks = []
    for number, item in enumerate(items, 1):
        lines = [f"{number}. {item.title}{_upvotes(item)}"]
        if summaries and item.summary:
            lines.append(f"AI summary: {item.summary}")
        lines.append(item.url)
        blocks.append("\n".join(lines))
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


def render_markdown(digest: Digest, items: Sequence[Item], summaries: bool) -> str:
    blocks = []
    for number, item in enumerate(items, 1):
        line = f"{number}. **[{markdown_text(item.title)}]({markdown_url(item.url)})**{_upvotes(item)}"
        if summaries and item.summary:
            line += f"  \n   AI summary: {markdown_text(item.summary)}"
        blocks.append(line)
    blocks.append(f"[{_footer(digest)}]({markdown_url(digest.page_url)})")
    return "\n\n".join(blocks)


def render_html(digest: Digest, items: Sequence[Item], summaries: bool) -> str:
    parts = []
    for item in items:
        summary = f"<br>AI summary: {html.escape(item.summary)}" if summaries and item.summary else ""
        parts.append(f'<li><a href="{html.escape(item.url)}"><b>{html.escape(item.title)}</b></a>'
                     f"{html.escape(_upvotes(item))}{summary}</li>")
    listing = f"<ol>{''.join(parts)}</ol>" if parts else ""
    return f'{listing}<p><a href="{html.escape(digest.page_url)}">{_footer(digest)}</a></p>'


RENDERERS: dict[str, Callable[[Digest, Sequence[Item], bool], str]] = {
    TEXT: render_text, MARKDOWN: render_markdown, HTML: render_html}


def alert_post(title: str, text: str) -> dict[str, Post]:
    """An alert (a stale feed) in each format: one plain sentence, escaped for Markdown and HTML."""
    return {TEXT: Post(title, text, TEXT), MARKDOWN: Post(title, markdown_text(text), MARKDOWN),
            HTML: Post(title, html.escape(text), HTML)}
