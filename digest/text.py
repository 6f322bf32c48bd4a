"""Text helpers shared by the catalog, search, feeds and email.

All of them treat scraped text as data: they return plain strings and
(text, url) pieces; escaping is the renderer's job.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from digest.memo import PureMemo

MAX_SLUG_LENGTH = 80

_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\"”’»"
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_ASCII_NON_WORD = str.maketrans({code: " " for code in range(128) if not chr(code).isalnum()})
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“])")
_CODE_HOSTS = {
    "github.com": 2,
    "www.github.com": 2,
    "gitlab.com": 2,
    "huggingface.co": 2,
}


# Bidi embedding, override and isolate controls: they let a title display as something it is not.
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\ufdd0-\\ufdef\\ufffe\\uffff{BIDI_CONTROLS}]")
# A line that can end a paragraph: it ends a sentence, or in a URL.
_PARAGRAPH_END = re.compile(r"(?:[.!?:][)\]\"'”’]*|https?://\S+)\s*$")


def clean_text(text: str) -> str:
    """One line of scraped text: no control characters (invalid in HTML and XML, or bidi), white space folded.

    Hard-wrapped lines are joined: every run of white space, line breaks included, becomes one space.
    """
    return " ".join(_CONTROL.sub("", text).split())


def clean_paragraphs(text: str) -> str:
    """Hard-wrapped text such as an arXiv abstract: lines joined, paragraphs separated by one blank line.

    A paragraph ends at a blank line, or where an indented line follows one that ends a sentence or a URL
    (arXiv indents a new paragraph; some abstracts indent every line, so indenting alone is not enough).
    """
    paragraphs: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current = paragraphs[-1]
        starts_paragraph = not line.strip() or (line[:1] in " \t" and current and _PARAGRAPH_END.search(current[-1]))
        if current and starts_paragraph:
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line)
    return "\n\n".join(part for part in (clean_text(" ".join(lines)) for lines in paragraphs) if part)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a cleaned abstract (see `clean_paragraphs`)."""
    return [part for part in text.split("\n\n") if part]


def clean_url(value: str) -> str | None:
    """A URL from structured data, with any white space inside it removed; None unless it is http(s)."""
    url = "".join(_CONTROL.sub("", value).split())
    return url if _is_web_url(url) else None


def _normalize_title(title: str) -> str:
    """The key papers are merged on: case, punctuation and spacing do not count."""
    return _folded(title).strip()


normalize_title: Callable[[str], str] = PureMemo(_normalize_title).__getitem__


def folded_words(text: str) -> list[str]:
    """`normalize_title(text).split()`, uncached, and eight times faster for ASCII text (most abstracts), where
    NFKC changes nothing, casefold is lower and every character but a letter or digit parts words."""
    if text.isascii():
        return text.lower().translate(_ASCII_NON_WORD).split()
    return _folded(text).split()


def _folded(text: str) -> str:
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold())


def arxiv_id(value: str) -> str | None:
    """The arXiv id `value` names, without a version suffix ('2405.14734v2' is '2405.14734'); None if not one."""
    match = _ARXIV_ID.fullmatch(value.strip())
    return match.group(1) if match else None


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """ASCII, lowercase, hyphenated, cut at a word boundary; '' if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[: max_length + 1]
        slug = slug[: slug.rfind("-")] if "-" in slug[1:] else slug[:max_length]
        slug = slug[:max_length].strip("-")
    return slug


def short_hash(text: str, length: int = 6) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def _find_links(text: str) -> tuple[str, ...]:
    """http(s) URLs in `text`, without the sentence punctuation that follows them, each once. Cached: a preview
    rebuilds the catalog from the same abstracts on every save."""
    return tuple(dict.fromkeys(url for _, url in split_links(text) if url))


find_links: Callable[[str], tuple[str, ...]] = PureMemo(_find_links).__getitem__


def split_links(text: str) -> list[tuple[str, str | None]]:
    """Split text into (text, None) and (url, url) pieces; only valid http(s) URLs become links."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group(0))
        if not _is_web_url(url):
            continue
        start, end = match.start(), match.start() + len(url)
        if start > position:
            pieces.append((text[position:start], None))
        pieces.append((url, url))
        position = end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces


def _trim_url(url: str) -> str:
    """Drop trailing punctuation, and a closing bracket with no opening one in the URL."""
    while url:
        last = url[-1]
        unbalanced = (last == ")" and url.count("(") < url.count(")")) or (
            last == "]" and url.count("[") < url.count("]"))
        if last in _TRAILING_PUNCTUATION or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme.lower() in ("http", "https") and "." in host and port_ok


def code_link(links: Iterable[str]) -> str | None:
    """The first link to a code repository (GitHub, GitLab, Hugging Face), if the text has one."""
    return next(filter(_is_code_repository, links), None)


def _is_code_repository_uncached(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    depth = _CODE_HOSTS.get(host)
    path = [segment for segment in parts.path.split("/") if segment]
    if host == "huggingface.co" and path[:1] in (["spaces"], ["datasets"]):
        path = path[1:]
    return depth is not None and len(path) >= depth


_is_code_repository: Callable[[str], bool] = PureMemo(_is_code_repository_uncached).__getitem__


def link_label(url: str) -> str:
    """A short human label for a link: host and path, no scheme."""
    parts = urlsplit(url)
    label = (parts.hostname or "") + parts.path.rstrip("/")
    return label.removeprefix("www.")


def snippet(text: str, length: int) -> str:
    """The start of `text`, cut at a word boundary and marked with an ellipsis.

    White space is folded in the start of the text only, when that start holds more than `length` characters
    once folded: the folded start is the start of the folded whole, and the rest is never shown.
    """
    head = " ".join(text[: 2 * length + 2].split())
    text = head if len(head) > length else " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length]
    space = cut.rfind(" ")
    if space > length // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def first_sentences(text: str, count: int, max_length: int = 600) -> str:
    """The first `count` sentences, for email; never longer than `max_length`."""
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    return snippet(" ".join(sentences[:count]), max_length)
