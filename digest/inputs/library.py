"""A curator's reference library, as Zotero (or JabRef, Mendeley, ...) exports it: BibTeX, RIS or CSL-JSON.

interests.yaml's `library:` names the file; its titles and abstracts seed the content profile that
digest/relevance/ compares each paper with. One reader per format, chosen by the file's suffix, each a
well-kept parser (bibtexparser, rispy, json); what comes out is the same small record whatever the format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bibtexparser
import rispy
from bibtexparser import middlewares

from digest.errors import ConfigError
from digest.text import arxiv_id, clean_text

# arXiv ids inside URLs, DOIs and notes: arxiv.org/abs/2510.01234v2, 10.48550/arXiv.2510.01234, arXiv:2510.01234
_ARXIV_MENTION = re.compile(r"arxiv(?:\.org/(?:abs|pdf)/|[.:]\s*)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_BRACES = re.compile(r"[{}]")


@dataclass(frozen=True)
class LibraryItem:
    """One reference: what the content profile reads, and the arXiv id that says which catalog paper it is."""

    title: str
    abstract: str
    authors: tuple[str, ...]
    arxiv_id: str | None


def read_library(path: Path) -> tuple[LibraryItem, ...]:
    """The references of a .bib, .ris or .json (CSL-JSON) export; a ConfigError naming `path` if it cannot be read."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise ConfigError(f"a library must be a BibTeX (.bib), RIS (.ris) or CSL-JSON (.json) export, "
                          f"not '{path.suffix or path.name}'", path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start}); export the library as UTF-8", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the library: {exc.strerror}", path) from None
    items = tuple(item for item in reader(text, path) if item.title)
    if not items:
        raise ConfigError("no references with a title found in the library; export it again from the "
                          "reference manager", path)
    return items


def _bibtex(text: str, path: Path) -> Iterable[LibraryItem]:
    library = bibtexparser.parse_string(text, append_middleware=[
        middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors(), middlewares.SplitNameParts(),
        middlewares.MergeNameParts("first")])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise ConfigError("BibTeX that cannot be parsed (an unclosed brace or quote?); fix the entry or export "
                          "the library again", path, block.start_line + 1)
    for entry in library.entries:
        fields = {key.lower(): value for key, value in entry.fields_dict.items()}

        def field(name: str, fields: Mapping[str, Any] = fields) -> str:
            value = fields[name].value if name in fields else ""
            return _plain(value if isinstance(value, str) else " and ".join(map(str, value)))

        authors = fields["author"].value if "author" in fields else []
        yield LibraryItem(field("title"), field("abstract"),
                          tuple(_plain(name) for name in (authors if isinstance(authors, list) else [authors])),
                          _arxiv_of([field("eprint")], [field(name) for name in ("doi", "url", "note", "journal")]))


def _ris(text: str, path: Path) -> Iterable[LibraryItem]:
    try:
        entries = rispy.loads(text)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"RIS that cannot be parsed ({exc}); export the library again", path) from None
    for entry in entries:
        title = entry.get("title") or entry.get("primary_title") or ""
        authors = [*entry.get("authors", []), *entry.get("first_authors", [])]
        notes = [entry.get("doi", ""), *entry.get("urls", []), *entry.get("notes", []), entry.get("number", ""),
                 entry.get("note", ""), entry.get("journal_name", "")]
        yield LibraryItem(_plain(title), _plain(entry.get("abstract", "")),
                          tuple(_person(name) for name in authors), _arxiv_of([], map(str, notes)))


def _csl_json(text: str, path: Path) -> Iterable[LibraryItem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"CSL-JSON that cannot be parsed: {exc.msg}", path, exc.lineno) from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ConfigError("CSL-JSON must be a list of references (objects with 'title', 'author', ...)", path)
    for item in items:
        authors = [name for name in item.get("author", []) if isinstance(name, dict)]
        yield LibraryItem(
            _plain(str(item.get("title", ""))), _plain(str(item.get("abstract", ""))),
            tuple(_plain(str(name.get("literal") or f"{name.get('given', '')} {name.get('family', '')}"))
                  for name in authors),
            _arxiv_of([], [str(item.get(key, "")) for key in ("DOI", "URL", "number", "note", "archive_location")]))


_READERS: dict[str, Callable[[str, Path], Iterable[LibraryItem]]] = {
    ".bib": _bibtex, ".bibtex": _bibtex, ".ris": _ris, ".json": _csl_json}


def _plain(text: str) -> str:
    """A field as plain text: BibTeX's protecting braces gone, one line."""
    return clean_text(" ".join(_BRACES.sub("", text).split()))


def _person(name: str) -> str:
    """'Dao, Tri' (RIS writes family names first) as 'Tri Dao', as the feed writes names."""
    family, comma, given = name.partition(",")
    return _plain(f"{given.strip()} {family.strip()}" if comma else name)


def _arxiv_of(ids: Iterable[str], mentions: Iterable[str]) -> str | None:
    """The arXiv id in a field that holds one (BibTeX's eprint), else one that mentions one (a DOI or URL)."""
    for value in ids:
        if value and (found := arxiv_id(value.removeprefix("arXiv:").removeprefix("arxiv:"))):
            return found
    for value in mentions:
        if match := _ARXIV_MENTION.search(value):
            return match.group(1)
    return None
