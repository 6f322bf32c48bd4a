"""The search index: one corpus-wide lunr index of terms made in words.py.

Each paper's ref is its position in the document list written in base 36,
because every posting repeats the ref. The fields carry lunr boosts, so a
title match outranks an abstract match. The author field holds names as
written (words.author_terms: folded, never stemmed). Upvotes stay out of the
index: `upvote_levels` gives each paper a small prior the browser multiplies
its score by (a boost baked into the scores made the term shards 7 % larger
gzipped, since equal scores no longer repeat, and changed every shard when a
count changed).

`build_index` computes what lunr.py's Builder computes (term numbers in order
of first sight, BM25 scores with lunr's float operations, rounded as
`round(score, 3)`), as arrays with numpy: lunr.py's own loops take seconds at
ten thousand papers. tests/output/search/test_index.py pins the result to lunr.py's
byte for byte. shards.py cuts it into the files the browser loads;
`serialize_whole` writes the single lunr index lunr.js would load, which the
tests use to prove the shards answer exactly as it does.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
from lunr import __TARGET_JS_VERSION__
from lunr.builder import Builder
from lunr.stemmer import stemmer as lunr_stemmer

from digest import urls
from digest.catalog import Catalog, Paper
from digest.memo import SettingMemo, each
from digest.numbering import in_first_sight_order
from digest.output.search.words import author_terms, index_terms
from digest.taxonomy import Topic
from digest.text import snippet

# (field, boost): lunr multiplies a field's BM25 scores by its boost.
# `id` holds a paper's arXiv id as one word of its digits ("2405.14734" is 240514734); search-index.js
# rewrites an id typed in a query the same way, so the id finds its paper and nothing else.
FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("abstract", 1), ("topics", 2), ("author", 2), ("id", 1))
AUTHOR_FIELD = "author"
AUTHORS_SHOWN = 3
AI_SUMMARY_LENGTH = 320  # as paper cards show it (digest/plan/site.py): one sentence, whole
# The upvote prior: a result's score is multiplied by 1 + UPVOTE_PRIOR * level / PRIOR_LEVELS, where
# level = round(PRIOR_LEVELS * ln(1 + upvotes) / ln(1 + the most upvotes)) (search-index.js applies it).
UPVOTE_PRIOR = 0.2
PRIOR_LEVELS = 20
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


# What a paper is indexed by: title, abstract, topics, authors, arXiv id (`SearchDocument.indexed`).
IndexedText = tuple[str, str, str, tuple[str, ...], str | None]


@dataclass(frozen=True)
class SearchDocument:
    """A paper as search sees it: the text that is indexed and what a result shows."""

    title: str
    abstract: str
    topics: str
    path: str
    date: str
    topic_names: tuple[str, ...]
    snippet: str  # Hugging Face's AI summary when there is one (`snippet_is_ai`), else the abstract's start
    code_url: str | None
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None
    upvotes: int | None = None
    snippet_is_ai: bool = False

    def indexed(self) -> IndexedText:
        """All the index is made from: papers equal in this index alike (upvotes and what results show aside)."""
        return (self.title, self.abstract, self.topics, self.authors, self.arxiv_id)

    def fields(self) -> dict[str, str]:
        return {"title": self.title, "abstract": self.abstract, "topics": self.topics,
                "author": " ".join(self.authors), "id": arxiv_word(self.arxiv_id)}

    def shown(self) -> list[Any]:
        """What a result shows, for the browser: [title, path, date, topics, snippet, code url, first authors,
        upvotes (null when unknown), whether the snippet is the AI summary]."""
        authors = ", ".join(self.authors[:AUTHORS_SHOWN]) + (" et al." if len(self.authors) > AUTHORS_SHOWN else "")
        return [self.title, self.path, self.date, list(self.topic_names), self.snippet, self.code_url, authors,
                self.upvotes, self.snippet_is_ai]


@dataclass(frozen=True, eq=False)
class BuiltIndex:
    """A lunr index before serialization, as arrays: one row per (term, field, paper) posting.

    Rows are sorted by term number, then field, then paper; `terms[i]` is the
    term numbered i (lunr's `_index`, in order of first sight).
    """

    fields: tuple[str, ...]
    terms: list[str]
    term: np.ndarray  # int64 term numbers
    field: np.ndarray  # int64 field positions in `fields`
    paper: np.ndarray  # int64 paper numbers (ref = to_base36(paper))
    score: np.ndarray  # float64 BM25 scores, rounded as lunr.py rounds them
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


def search_documents(catalog: Catalog, snippet_length: int,
                     memo: SettingMemo[Paper, SearchDocument] | None = None) -> tuple[SearchDocument, ...]:
    """Every paper's search document, in catalog order; `memo` (a preview's) keeps last build's."""
    topics: Mapping[str, Topic] = {topic.slug: topic for topic in catalog.topics}
    return tuple(each(memo, catalog.papers.values(), (catalog.topics, snippet_length),
                      lambda paper: _document(paper, topics, snippet_length)))


def _document(paper: Paper, topics: Mapping[str, Topic], snippet_length: int) -> SearchDocument:
    names = tuple(topics[slug].name for slug in paper.topics)
    return SearchDocument(
        title=paper.title,
        abstract=paper.abstract,
        topics=" ".join(names),
        path=urls.paper(paper.slug),
        date=paper.first_seen.isoformat(),
        topic_names=names,
        snippet=snippet(paper.ai_summary, AI_SUMMARY_LENGTH) if paper.ai_summary else snippet(paper.abstract,
                                                                                            snippet_length),
        code_url=paper.code_url,
        authors=paper.authors,
        arxiv_id=paper.arxiv_id,
        upvotes=paper.upvotes,
        snippet_is_ai=bool(paper.ai_summary),
    )


def document_terms(documents: Sequence[SearchDocument], seen: set[str] | None = None) -> list[dict[str, list[str]]]:
    """Each document's index terms per field, in order (repeats count toward BM25's term frequency).

    The words as typed are added to `seen` (not the authors': names are matched whole, never by their stems).
    """
    return [{name: author_terms(text) if name == AUTHOR_FIELD else index_terms(text, seen)
             for name, text in document.fields().items()} for document in documents]


def upvote_levels(upvotes: Sequence[int | None]) -> str:
    """Each paper's prior level as one base-36 digit, 0 to PRIOR_LEVELS: round(PRIOR_LEVELS * ln(1 + upvotes) /
    ln(1 + the most upvotes)), unknown counting as 0.

    The browser multiplies a result's score by 1 + UPVOTE_PRIOR * level / PRIOR_LEVELS, between 1 and 1.2: it
    reorders papers whose text matches about equally well (a landmark paper above a minor one), but a paper that
    does not match stays out and a text match more than 1.2 times better keeps its place. Logarithmic, so the
    tenth upvote counts more than the hundredth; one digit a paper keeps the file small.
    """
    counts = [max(count or 0, 0) for count in upvotes]
    top = max(counts, default=0)
    scale = math.log1p(top) if top else 1.0
    return "".join(_DIGITS[round(PRIOR_LEVELS * math.log1p(count) / scale)] for count in counts)


class TermNumbers:
    """A number for every term met, the same one for the rest of the run (a preview session keeps it), so a
    paper's postings can be kept as integers from one build to the next."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.terms: list[str] = []

    def of(self, terms: Collection[str]) -> list[int]:
        numbers = self.numbers
        found = list(map(numbers.get, terms))
        if None in found:  # new terms, rarer and rarer as a run goes on
            for place, term in enumerate(terms):
                if found[place] is None:
                    found[place] = numbers.get(term)
                    if found[place] is None:
                        found[place] = numbers[term] = len(self.terms)
                        self.terms.append(term)
        return found


@dataclass(frozen=True, eq=False)
class DocumentPostings:
    """One paper's postings: its distinct terms field by field, each field's in order of first sight, with
    their counts, as machine integers (terms numbered by a `TermNumbers`), and each field's length."""

    terms: array  # "q"
    counts: array  # "q"
    fields: array  # "b": the position in FIELDS of each posting's field
    lengths: tuple[int, ...]


def document_postings(fields: Mapping[str, list[str]], numbers: TermNumbers) -> DocumentPostings:
    terms, counts, columns, lengths = array("q"), array("q"), array("b"), []
    for column, (name, _) in enumerate(FIELDS):
        words = fields[name]
        lengths.append(len(words))
        frequencies = Counter(words)  # keys in order of first sight, as lunr numbers terms
        terms.extend(numbers.of(frequencies))
        counts.extend(frequencies.values())
        columns.extend(repeat(column, len(frequencies)))
    return DocumentPostings(terms, counts, columns, tuple(lengths))


def build_index(documents: Sequence[Mapping[str, list[str]]]) -> BuiltIndex:
    """lunr's BM25 index of documents given as per-field term lists; ref i is to_base36(i)."""
    numbers = TermNumbers()
    return index_postings([document_postings(fields, numbers) for fields in documents], numbers)


def index_postings(documents: Iterable[DocumentPostings], numbers: TermNumbers) -> BuiltIndex:
    """The index of papers given as postings: lunr numbers terms in order of first sight over the papers in
    order, which is worked out here with numpy from the run's own numbers (the same index as lunr.py's).

    `documents` is read once, in order, so a full build can make each paper's postings as they are needed.
    """
    names = tuple(name for name, _ in FIELDS)
    # Machine integers, not lists of Python ints: at 20,000 papers there are millions of postings.
    seen, counts, field_ids, sizes, field_lengths = array("q"), array("q"), array("b"), array("q"), array("q")
    for document in documents:
        seen.extend(document.terms)
        counts.extend(document.counts)
        field_ids.extend(document.fields)
        sizes.append(len(document.terms))
        field_lengths.extend(document.lengths)
    run_number = np.frombuffer(seen, dtype=np.int64)
    in_first_sight = in_first_sight_order(run_number, len(numbers.terms))
    number_of = np.empty(len(numbers.terms), dtype=np.int64)
    number_of[in_first_sight] = np.arange(len(in_first_sight))
    term = number_of[run_number]
    vocabulary = [numbers.terms[number] for number in in_first_sight.tolist()]
    del seen, run_number
    field = np.frombuffer(field_ids, dtype=np.int8).astype(np.int64)
    paper = np.repeat(np.arange(len(sizes), dtype=np.int64), np.frombuffer(sizes, dtype=np.int64))
    lengths = np.frombuffer(field_lengths, dtype=np.int64).astype(np.float64).reshape(-1, len(names))
    score = _bm25(term, field, np.frombuffer(counts, dtype=np.int64).astype(np.float64), lengths[paper, field],
                  lengths, len(vocabulary))
    order = np.argsort(term * len(names) + field, kind="stable")  # by term, field, then paper (they come by paper)
    return BuiltIndex(names, vocabulary, term[order], field[order], paper[order], score[order], len(sizes))


def _bm25(term: np.ndarray, field: np.ndarray, tf: np.ndarray, length: np.ndarray, lengths: np.ndarray,
          terms: int) -> np.ndarray:
    """lunr.py's field-vector scores, operation for operation (see Builder._create_field_vectors)."""
    k1, b = 1.2, 0.75
    count = len(lengths)
    documents_with_term = np.bincount(term, minlength=terms)  # postings over all fields, as lunr's idf counts
    idf = np.array([math.log(1 + abs((count - df + 0.5) / (df + 0.5))) for df in documents_with_term.tolist()])
    average = lengths.sum(axis=0) / max(count, 1)  # sums of whole numbers: exact, as lunr.py's int sums
    boosts = np.array([boost for _, boost in FIELDS], dtype=np.float64)
    score = idf[term] * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / average[field])) + tf)
    score *= boosts[field]
    return _round3(score)


def _round3(values: np.ndarray) -> np.ndarray:
    """Python's round(x, 3) for every value: numpy's rounding, then Python's own where a tie is possible."""
    scaled = values * 1000
    rounded = np.rint(scaled) / 1000
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for position in np.flatnonzero(near_tie).tolist():
        rounded[position] = round(float(values[position]), 3)
    return rounded


def lunr_reference_index(documents: Sequence[Mapping[str, list[str]]]) -> dict[str, Any]:
    """The same documents indexed by lunr.py's own Builder and serialized: what `build_index` must equal."""
    builder = Builder()
    builder.search_pipeline.add(lunr_stemmer)
    builder.ref("r")
    for name, boost in FIELDS:
        builder.field(name, boost=boost)
    for number, fields in enumerate(documents):
        builder.add({"r": to_base36(number), **fields})
    return builder.build().serialize()


def serialize_whole(index: BuiltIndex) -> dict[str, Any]:
    """The single serialized lunr index (lunr-schema, in lunr.py's order) that lunr.js loads."""
    names = index.fields
    refs = [to_base36(number) for number in range(index.document_count)]
    postings: dict[int, dict[str, Any]] = {}
    for term, field, paper in zip(index.term.tolist(), index.field.tolist(), index.paper.tolist(), strict=True):
        posting = postings.get(term)
        if posting is None:
            posting = postings[term] = {name: {} for name in names}
            posting["_index"] = term
        posting[names[field]][refs[paper]] = {}
    inverted = sorted(([index.terms[term], posting] for term, posting in postings.items()), key=lambda row: row[0])
    by_vector = np.lexsort((index.term, index.field, index.paper))
    vectors: dict[tuple[int, int], list[float]] = {(paper, field): [] for paper in range(index.document_count)
                                                   for field in range(len(names))}
    for position in by_vector.tolist():
        vectors[(int(index.paper[position]), int(index.field[position]))] += [
            int(index.term[position]), float(index.score[position])]
    field_vectors = [[f"{names[field]}/{refs[paper]}", elements] for (paper, field), elements in vectors.items()]
    return {"version": __TARGET_JS_VERSION__, "fields": list(names), "fieldVectors": field_vectors,
            "invertedIndex": inverted, "pipeline": ["stemmer"]}
