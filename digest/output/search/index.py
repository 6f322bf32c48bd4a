"""The search index: one corpus-wide lunr index, built by lunr.py from terms made in words.py.

Each paper's ref is its position in the document list written in base 36,
because every posting repeats the ref. The fields carry lunr boosts, so a
title match outranks an abstract match.

`build_index` returns the builder's raw material (terms, postings, BM25 field
vectors); shards.py cuts it into the files the browser loads, and
`serialize_whole` gives the single lunr index that lunr.js would load, which
tests use to prove the shards answer exactly as it does.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lunr.builder import Builder
from lunr.field_ref import FieldRef
from lunr.idf import idf as lunr_idf
from lunr.index import Index
from lunr.stemmer import stemmer as lunr_stemmer
from lunr.vector import Vector

from digest import urls
from digest.catalog import Catalog
from digest.inputs.topics import Topic
from digest.output.search.words import index_terms
from digest.text import snippet

# (field, boost): lunr multiplies a field's BM25 scores by its boost.
# `id` holds a paper's arXiv id as one word of its digits ("2405.14734" is 240514734); search-index.js
# rewrites an id typed in a query the same way, so the id finds its paper and nothing else.
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("abstract", 1), ("topics", 2), ("author", 2), ("id", 1))
AUTHORS_SHOWN = 3
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class SearchDocument:
    """A paper as search sees it: the text that is indexed and what a result shows."""

    title: str
    abstract: str
    topics: str
    path: str
    date: str
    topic_names: tuple[str, ...]
    snippet: str
    code_url: str | None
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None

    def fields(self) -> dict[str, str]:
        return {"title": self.title, "abstract": self.abstract, "topics": self.topics,
                "author": " ".join(self.authors), "id": arxiv_word(self.arxiv_id)}

    def shown(self) -> list[Any]:
        """What a result shows, for the browser: [title, path, date, topics, snippet, code url, first authors]."""
        authors = ", ".join(self.authors[:AUTHORS_SHOWN]) + (" et al." if len(self.authors) > AUTHORS_SHOWN else "")
        return [self.title, self.path, self.date, list(self.topic_names), self.snippet, self.code_url, authors]


@dataclass(frozen=True)
class BuiltIndex:
    """A lunr index before serialization: enough to cut it into shards or write it whole."""

    fields: tuple[str, ...]
    # term -> (term index, {field: {ref: {}}}), in the builder's order of first sight
    postings: Mapping[str, dict[str, Any]]
    # "field/ref" -> [term index, score, term index, score, ...] sorted by term index
    field_vectors: Mapping[str, list[float]]
    document_count: int


def to_base36(number: int) -> str:
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = _DIGITS[digit] + text
        if number == 0:
            return text


def arxiv_word(arxiv_id: str | None) -> str:
    """The one word an arXiv id is indexed as: its digits, without the version (2405.14734v2 -> 240514734)."""
    if not arxiv_id:
        return ""
    return re.sub(r"v\d+$", "", arxiv_id).replace(".", "")


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
            code_url=paper.code_url,
            authors=paper.authors,
            arxiv_id=paper.arxiv_id,
        ))
    return tuple(documents)


def document_terms(documents: Sequence[SearchDocument], seen: set[str] | None = None) -> list[dict[str, list[str]]]:
    """Each document's index terms per field, in order (repeats count toward BM25's term frequency).

    The words as typed are added to `seen`.
    """
    return [{name: index_terms(text, seen) for name, text in document.fields().items()} for document in documents]


def build_index(terms: Sequence[Mapping[str, list[str]]], builder: Builder | None = None) -> BuiltIndex:
    """lunr's BM25 index of documents given as per-field term lists; ref i is to_base36(i)."""
    with _cyclic_gc_paused():
        builder = builder or FastBuilder()
        builder.ref("r")
        for name, boost in FIELDS:
            builder.field(name, boost=boost)
        for number, fields in enumerate(terms):
            builder.add({"r": to_base36(number), **fields})
        builder._calculate_average_field_lengths()
        builder._create_field_vectors()
        return BuiltIndex(
            fields=tuple(name for name, _ in FIELDS),
            postings=builder.inverted_index,
            field_vectors={ref: vector.elements for ref, vector in builder.field_vectors.items()},
            document_count=builder.document_count,
        )


def stock_builder() -> Builder:
    """lunr.py's own Builder, set up as FastBuilder is: the reference its output must equal."""
    builder = Builder()
    builder.search_pipeline.add(lunr_stemmer)
    return builder


def serialize_whole(index: BuiltIndex) -> dict[str, Any]:
    """The single serialized lunr index (lunr-schema, as `Index.serialize` writes it) that lunr.js loads."""
    vectors = {ref: _SerializedVector(elements) for ref, elements in index.field_vectors.items()}
    pipeline = stock_builder().search_pipeline
    return Index(inverted_index=dict(index.postings), field_vectors=vectors, token_set=None,
                 fields=list(index.fields), pipeline=pipeline).serialize()


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


class _SerializedVector(Vector):  # type: ignore[misc]
    """A vector whose scores were rounded when built: serializing it need not round them again."""

    def serialize(self) -> list[float]:
        return list(self.elements)


class FastBuilder(Builder):  # type: ignore[misc]
    """lunr.py's Builder for documents whose fields are already lists of index terms.

    Same postings, term order and floats as lunr.py's Builder given the same
    term lists (tests/test_search_index.py pins it), without its two pure-Python
    hot loops: the per-token pipeline calls and the vector built by binary
    search and insertion; each vector is sorted once instead.
    """

    def __init__(self) -> None:
        super().__init__()
        self.search_pipeline.add(lunr_stemmer)  # serialized as "stemmer": lunr.js stems queries with its own

    def add(self, doc: dict[str, Any], attributes: dict[str, Any] | None = None) -> None:
        doc_ref = str(doc[self._ref])
        self._documents[doc_ref] = attributes or {}
        self.document_count += 1
        for field_name in self._fields:
            terms = doc[field_name]
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
                    posting[field_name][doc_ref] = {}

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
            entries: list[tuple[int, float]] = []
            if not term_frequencies:  # an empty field (no authors, no arXiv id): an empty vector, as lunr makes
                field_vectors[field_ref] = _SerializedVector([])
                continue
            length_ratio = field_length / self.average_field_length[field_name]
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
            field_vectors[field_ref] = _SerializedVector([item for entry in entries for item in entry])
        self.field_vectors = field_vectors
