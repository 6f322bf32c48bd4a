"""content/interests.yaml: what the site's curator (a research group) cares about, read into `Interests`.

The file is optional: without it nothing anywhere changes. Every key is optional too:

    keywords: [speculative decoding, mixture of experts]   # or `- speculative decoding: 2` for a weight
    authors: [Tri Dao]
    organizations: [Qwen]
    papers: [2510.01234, arXiv:2211.17192v2]
    library: library.bib          # relative to content/; BibTeX, RIS or CSL-JSON
    mute: [jailbreak, {author: Some Name}, {topic: Safety}]
    threshold: 1.0

`searches` belongs to the saved searches (digest/inputs/searches.py): accepted here, never read. Each entry
keeps its line, so the scoring (digest/relevance/) can say which ones matched nothing, and a topic the
taxonomy does not have is an error at that line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.inputs.library import LibraryItem, read_library
from digest.inputs.yamlfile import KeyPath, YamlDocument, load_yaml_file
from digest.text import arxiv_id

INTERESTS_NAME = "interests.yaml"
DEFAULT_WEIGHT = 1.0
DEFAULT_THRESHOLD = 1.0  # a paper is picked at this score: one keyword, author or organization of weight 1
MAX_WEIGHT = 100.0
MUTE_KINDS = ("phrase", "author", "topic")
_LISTS = ("keywords", "authors", "organizations")
KNOWN_KEYS = (*_LISTS, "papers", "library", "mute", "threshold", "searches")


@dataclass(frozen=True)
class Interest:
    """One entry of the file: a keyword, author, organization or paper id, its weight and where it is written."""

    text: str
    weight: float
    line: int | None


@dataclass(frozen=True)
class Mute:
    kind: str  # 'phrase', 'author' or 'topic'
    text: str
    line: int | None


@dataclass(frozen=True)
class Interests:
    path: Path
    keywords: tuple[Interest, ...] = ()
    authors: tuple[Interest, ...] = ()
    organizations: tuple[Interest, ...] = ()
    papers: tuple[Interest, ...] = ()  # arXiv ids, without a version
    library: tuple[LibraryItem, ...] = ()
    library_path: Path | None = None
    library_line: int | None = None
    mute: tuple[Mute, ...] = ()
    threshold: float = DEFAULT_THRESHOLD

    @property
    def has_profile(self) -> bool:
        """Whether papers are compared with a content profile (seed papers or a library)."""
        return bool(self.papers or self.library)


def load_interests(content_dir: Path) -> Interests | None:
    """The interests of `content_dir/interests.yaml`, or None where there is no such file."""
    path = content_dir / INTERESTS_NAME
    if not path.exists():
        return None
    return parse_interests(load_yaml_file(path), content_dir)


def parse_interests(document: YamlDocument, content_dir: Path) -> Interests:
    data = document.data
    if not isinstance(data, dict):
        raise document.error((), f"expected keys such as {', '.join(KNOWN_KEYS[:4])}, got {_kind(data)}")
    for key in data:
        if key not in KNOWN_KEYS:
            raise document.error((str(key),), f"unknown key; known keys: {', '.join(KNOWN_KEYS)}")
    lists = {key: _weighted(document, key) for key in _LISTS}
    papers = tuple(_paper(document, index, entry) for index, entry in enumerate(_weighted(document, "papers")))
    library_path, library = _library(document, content_dir)
    return Interests(document.path, lists["keywords"], lists["authors"], lists["organizations"], papers, library,
                     library_path, document.line_of(("library",)) if library else None, _mutes(document),
                     _threshold(document))


def _items(document: YamlDocument, key: str) -> list[Any]:
    value = document.data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise document.error((key,), f"expected a list, got {_kind(value)}")
    return value


def _weighted(document: YamlDocument, key: str) -> tuple[Interest, ...]:
    """A list whose items are `text` or `text: weight` (a one-key mapping)."""
    found: list[Interest] = []
    seen: set[str] = set()
    for index, item in enumerate(_items(document, key)):
        where: KeyPath = (key, index)
        text, weight = _text_and_weight(document, where, item)
        if text.casefold() in seen:
            raise document.error(where, f"'{text}' is listed twice; keep one")
        seen.add(text.casefold())
        found.append(Interest(text, weight, document.line_of(where)))
    return tuple(found)


def _text_and_weight(document: YamlDocument, where: KeyPath, item: Any) -> tuple[str, float]:
    if isinstance(item, dict) and len(item) == 1:
        ((text, weight),) = item.items()
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= MAX_WEIGHT:
            raise document.error((*where, str(text)), f"a weight must be a number above 0 and at most "
                                                      f"{MAX_WEIGHT:g}, got {_kind(weight)}")
        return _text(document, where, text), float(weight)
    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
        return _text(document, where, item), DEFAULT_WEIGHT
    raise document.error(where, f"expected text, or 'text: weight', got {_kind(item)}")


def _text(document: YamlDocument, where: KeyPath, value: Any) -> str:
    text = " ".join(str(value).split())
    if not text:
        raise document.error(where, "empty entry; write something or remove the line")
    return text


def _paper(document: YamlDocument, index: int, entry: Interest) -> Interest:
    """An arXiv id as the catalog keeps it: 'arXiv:2510.01234v2' is '2510.01234'."""
    found = arxiv_id(entry.text.removeprefix("arXiv:").removeprefix("arxiv:"))
    if found is None:
        raise document.error(("papers", index), f"'{entry.text}' is not an arXiv id such as 2510.01234")
    return Interest(found, entry.weight, entry.line)


def _library(document: YamlDocument, content_dir: Path) -> tuple[Path | None, tuple[LibraryItem, ...]]:
    value = document.data.get("library")
    if value is None:
        return None, ()
    if not isinstance(value, str) or not value.strip():
        raise document.error(("library",), f"expected the path of a .bib, .ris or .json export relative to "
                                           f"{content_dir.name}/, got {_kind(value)}")
    path = content_dir / value.strip()
    if not path.is_file():
        raise document.error(("library",), f"no library export at {path}; export it there (BibTeX, RIS or "
                                           f"CSL-JSON) or fix the path (relative to {content_dir.name}/)")
    return path, read_library(path)


def _mutes(document: YamlDocument) -> tuple[Mute, ...]:
    """Items are a phrase, or a one-key mapping `author: name`, `topic: name` or `phrase: text`."""
    found = []
    for index, item in enumerate(_items(document, "mute")):
        where: KeyPath = ("mute", index)
        if isinstance(item, dict) and len(item) == 1:
            ((kind, text),) = item.items()
            if kind not in MUTE_KINDS:
                raise document.error((*where, str(kind)), f"mute an author, a topic or a phrase "
                                                          f"({', '.join(MUTE_KINDS)}), not '{kind}'")
            found.append(Mute(str(kind), _text(document, where, text), document.line_of(where)))
        elif isinstance(item, str):
            found.append(Mute("phrase", _text(document, where, item), document.line_of(where)))
        else:
            raise document.error(where, f"expected a phrase, or 'author: name' or 'topic: name', got {_kind(item)}")
    return tuple(found)


def _threshold(document: YamlDocument) -> float:
    value = document.data.get("threshold", DEFAULT_THRESHOLD)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_WEIGHT:
        raise document.error(("threshold",), f"expected a number above 0 and at most {MAX_WEIGHT:g}, "
                                             f"got {_kind(value)}")
    return float(value)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
