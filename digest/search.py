"""The search index, prebuilt with lunr.py and loaded in the browser by lunr.js.

Two files: the serialized lunr index, and a document store with what a
result shows. Each paper's ref is its position in the store written in
base 36, because every posting in the index repeats the ref.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lunr import get_default_builder
from lunr.pipeline import Pipeline
from lunr.stemmer import porter_stemmer, stemmer
from lunr.trimmer import trimmer

from digest import urls
from digest.catalog import Catalog
from digest.text import snippet
from digest.topics import Topic

TITLE_BOOST = 10
TOPICS_BOOST = 2
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class SearchDocument:
    title: str
    abstract: str
    topics: str
    path: str
    date: str
    topic_names: tuple[str, ...]
    snippet: str


@dataclass(frozen=True)
class SearchFiles:
    index: bytes
    documents: bytes


def to_base36(number: int) -> str:
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
        if number == 0:
            return text


def search_documents(catalog: Catalog, snippet_length: int) -> tuple[SearchDocument, ...]:
    topics: Mapping[str, Topic] = {topic.slug: topic for topic in catalog.topics}
    documents = []
    for paper in catalog.papers.values():
        names = tuple(topics[slug].name for slug in paper.topics)
        documents.append(SearchDocument(
            title=paper.title,
            abstract=paper.abstract,
            topics=" ".join(names),
            path=urls.paper(paper.slug),
            date=paper.first_seen.isoformat(),
            topic_names=names,
            snippet=snippet(paper.abstract, snippet_length),
        ))
    return tuple(documents)


def build_search_files(documents: tuple[SearchDocument, ...]) -> SearchFiles:
    builder = get_default_builder()
    _tune_pipeline(builder.pipeline)
    builder.ref("r")
    builder.field("title", boost=TITLE_BOOST)
    builder.field("abstract")
    builder.field("topics", boost=TOPICS_BOOST)
    for number, document in enumerate(documents):
        builder.add({"r": to_base36(number), "title": document.title, "abstract": document.abstract,
                     "topics": document.topics})
    index = builder.build().serialize()
    store = [[d.title, d.path, d.date, list(d.topic_names), d.snippet] for d in documents]
    return SearchFiles(index=_compact_json(index), documents=_compact_json(store))


def _compact_json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@functools.lru_cache(maxsize=500_000)
def _stem_word(word: str) -> str:
    return porter_stemmer.stem(word)


def _cached_stemmer(token: Any, i: int | None = None, tokens: list[Any] | None = None) -> Any:
    return token.update(lambda word, metadata=None: _stem_word(word))


_cached_stemmer.label = "stemmer"  # type: ignore[attr-defined]  # serialized name: lunr.js uses its own stemmer


_LEADING = re.compile(r"^\W+")
_TRAILING = re.compile(r"\W+$")


def _js_trimmer(token: Any, i: int | None = None, tokens: list[Any] | None = None) -> Any:
    """lunr.js's trimmer: lunr.py's keeps 'moe:a' and '7.68%,' whole, which no query typed in a browser finds."""
    token = token.update(lambda word, metadata=None: _TRAILING.sub("", _LEADING.sub("", word)))
    return token if str(token) else None  # a token of punctuation only is dropped


_js_trimmer.label = "trimmer"  # type: ignore[attr-defined]


def _tune_pipeline(pipeline: Pipeline) -> None:
    """Swap in the JS-compatible trimmer and a stemmer that stems each distinct word once."""
    pipeline.before(trimmer, _js_trimmer)
    pipeline.remove(trimmer)
    pipeline.before(stemmer, _cached_stemmer)
    pipeline.remove(stemmer)
