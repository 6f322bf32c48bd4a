"""The search index, prebuilt with lunr.py and loaded in the browser by lunr.js.

Two files: the serialized lunr index, and a document store with what a
result shows. Each paper's ref is its position in the store written in
base 36, because every posting in the index repeats the ref.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lunr import get_default_builder
from lunr.builder import Builder
from lunr.field_ref import FieldRef
from lunr.idf import idf as lunr_idf
from lunr.pipeline import Pipeline
from lunr.stemmer import porter_stemmer, stemmer
from lunr.token import Token
from lunr.tokenizer import SEPARATOR_CHARS, Tokenizer
from lunr.trimmer import trimmer
from lunr.vector import Vector

from digest import urls
from digest.catalog import Catalog
from digest.inputs.topics import Topic
from digest.text import snippet

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
    with _cyclic_gc_paused():
        return _build_search_files(documents)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the index is built.

    The index is millions of small dicts and lists, none in a cycle; the
    collector would scan them over and over as they pile up (a third of the
    index time at 10,000 papers, measured with bench/bench.py). Reference
    counting still frees everything; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_search_files(documents: tuple[SearchDocument, ...]) -> SearchFiles:
    builder = _FastBuilder.like(get_default_builder())
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


_SEPARATOR = re.compile("[" + re.escape(SEPARATOR_CHARS) + "]")


class _RoundedVector(Vector):  # type: ignore[misc]
    """A vector whose scores were rounded when built: serializing it need not round millions of numbers again."""

    def serialize(self) -> list[float]:
        return list(self.elements)


class _FastBuilder(Builder):  # type: ignore[misc]
    """lunr.py's Builder, same serialized index, without its two pure-Python hot loops.

    A profile of a 10,000-paper build put over half the build in `Builder.add`
    and `_create_field_vectors`: the tokenizer walks every character, the
    pipeline makes three calls per token, and each vector entry is a binary
    search plus a list insert. Here each distinct word runs the real pipeline
    once (its steps look at one token at a time, never at its neighbours), and
    each vector is sorted once. Index order and floats match lunr.py exactly.
    """

    @classmethod
    def like(cls, template: Builder) -> _FastBuilder:
        """A fast builder with `template`'s pipelines, so lunr's defaults stay lunr's."""
        builder = cls()
        builder.pipeline, builder.search_pipeline = template.pipeline, template.search_pipeline
        builder.metadata_whitelist = list(template.metadata_whitelist)
        return builder

    def __init__(self) -> None:
        super().__init__()
        self._terms_by_field: dict[str, dict[str, tuple[str, ...]]] = {}

    def add(self, doc: dict[str, Any], attributes: dict[str, Any] | None = None) -> None:
        if self.metadata_whitelist:  # token positions wanted: only lunr's own path records them
            super().add(doc, attributes)
            return
        doc_ref = str(doc[self._ref])
        self._documents[doc_ref] = attributes or {}
        self.document_count += 1
        for field_name, field in self._fields.items():
            value = doc[field_name] if field.extractor is None else field.extractor(doc)
            terms = self._terms(value, field_name)
            field_ref = str(FieldRef(doc_ref, field_name))
            field_terms: defaultdict[str, int] = defaultdict(int)
            self.field_term_frequencies[field_ref] = field_terms
            self.field_lengths[field_ref] = len(terms)
            for term in terms:
                field_terms[term] += 1
                posting = self.inverted_index.get(term)
                if posting is None:
                    posting = {name: {} for name in self._fields}
                    posting["_index"] = self.term_index
                    self.term_index += 1
                    self.inverted_index[term] = posting
                if doc_ref not in posting[field_name]:
                    posting[field_name][doc_ref] = defaultdict(list)

    def _terms(self, value: Any, field_name: str) -> list[str]:
        """The field's index terms: lunr's tokenizer split, then the pipeline, memoised per word."""
        if isinstance(value, str):
            words = [word for word in _SEPARATOR.split(value.lower()) if word]
        else:
            words = [str(token) for token in Tokenizer(value)]
        memo = self._terms_by_field.setdefault(field_name, {})
        terms: list[str] = []
        for word in words:
            processed = memo.get(word)
            if processed is None:
                processed = tuple(str(token) for token in self.pipeline.run([Token(word, {})], field_name))
                memo[word] = processed
            terms.extend(processed)
        return terms

    def _create_field_vectors(self) -> None:
        """lunr's BM25 field vectors, with the same float operations, built sorted instead of by insertion."""
        field_vectors = {}
        idf_cache: dict[str, float] = {}
        k1, b = self._k1, self._b
        for field_ref, term_frequencies in self.field_term_frequencies.items():
            ref = FieldRef.from_string(field_ref)
            field_name = ref.field_name
            field_length = self.field_lengths[field_ref]
            field_boost = self._fields[field_name].boost
            doc_boost = self._documents[ref.doc_ref].get("boost", 1)
            length_ratio = field_length / self.average_field_length[field_name]
            entries = []
            for term, tf in term_frequencies.items():
                posting = self.inverted_index[term]
                idf = idf_cache.get(term)
                if idf is None:
                    idf = idf_cache[term] = lunr_idf(posting, self.document_count)
                score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * length_ratio) + tf)
                score *= field_boost
                score *= doc_boost
                entries.append((posting["_index"], round(score, 3)))
            entries.sort()
            field_vectors[field_ref] = _RoundedVector([item for entry in entries for item in entry])
        self.field_vectors = field_vectors
