"""Cut the corpus-wide lunr index into files a query loads only a few of.

lunr scores a paper as dot(query vector, field vector) / |query vector|, so
only the field-vector entries of the query's own terms matter. A term shard
therefore holds, for each of its terms, the term's index number and every
(paper, score) pair per field: the browser (search-index.js) rebuilds a
serialized lunr index from the shards a query needs and `lunr.Index.load`s
it, and the scores equal the whole index's. Cutting by paper instead (per
year) would change BM25's idf and average field lengths, so it is not done.

Files, all under search/ and named by a hash of their content (cached for
good) except the manifest, which maps ranges to names:

- `t/HASH.json`, term shards: sorted terms cut into ranges of about
  TERM_SHARD_BYTES; a term's record is [term, index, postings per field],
  postings as [paper number delta, score, ...];
- `w/HASH.json`, word shards: [word, stem] for every indexed word whose stem
  differs, sorted by word, so `distill*` can mean "words starting with
  distill" (distillation → distil) rather than "stems starting with distill";
- `n/HASH.json`, name lists: every author name word (folded, without its
  mark), sorted and cut into ranges of about NAME_LIST_BYTES. A query word is
  looked up as a name too; its small list says whether the name exists, so
  the shard of a name that does not (most words) is never fetched;
- `v/HASH.json`, vocabulary files, only for close spellings (`difusion~1`,
  and the page's retry of a word that matches nothing): every indexed word as
  typed (lowercased, not stemmed: a typo in a suffix, "hallucinaton", keeps a
  word from its stem but not from the word) and every name, numbers left out,
  words and names apart, by length. An edit can change any letter, so no
  range of sorted words bounds a misspelling's neighbours; its length does:
  within d edits of n letters lie only words of n - d to n + d letters. The
  browser loads those lengths, finds the words with lunr's own fuzzy match,
  and fetches the term shards of their stems alone;
- `d/HASH.json`, document chunks: what a result shows, DOCS_PER_CHUNK papers
  per file, so a page of results fetches a few small files;
- `p/HASH.json`, the upvote prior: one base-36 digit a paper (index.py's
  `upvote_levels`), which every search loads (2.6 KB gzipped at 7,875 papers)
  to multiply each result's score by 1 + weight * level / levels.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from lunr import __TARGET_JS_VERSION__

from digest import urls
from digest.output.search.index import AUTHOR_FIELD, PRIOR_LEVELS, UPVOTE_PRIOR, BuiltIndex
from digest.output.search.words import AUTHOR_MARK, FOLD_MARKS_JS, SEPARATOR_JS

TERM_SHARD_BYTES = 40_000
WORD_SHARD_BYTES = 40_000
NAME_LIST_BYTES = 3_000
VOCABULARY_BYTES = 8_000  # lengths with fewer terms share a file, so short and long ones are not a file each
DOCS_PER_CHUNK = 8
POSTINGS_PER_BLOCK = 1 << 18  # postings written as text at once (about 20 MB of strings)
MANIFEST_VERSION = 2
# Terms close spellings never reach (search-index.js applies the same rule): numbers, mostly arXiv ids.
NUMBER = re.compile("[0-9]+")


@dataclass(frozen=True)
class Shard:
    """One file of the index: the first key it holds (its range starts there) and its bytes."""

    first: str
    data: bytes

    @property
    def name(self) -> str:
        # 48 bits: collisions are out of reach for a few thousand files, and every search loads the manifest that
        # lists every name (16 hex digits made it 3.5 KB gzipped larger at 8,000 papers).
        return hashlib.sha256(self.data).hexdigest()[:12] + ".json"


@dataclass(frozen=True)
class IndexFiles:
    """The files made from the index alone: they stay when only what results show changes (upvotes, a summary)."""

    fields: tuple[str, ...]
    documents: int
    terms: list[Shard]
    words: list[Shard]
    name_lists: list[Shard]
    word_vocabulary: list[Shard]
    name_vocabulary: list[Shard]


def search_files(index: BuiltIndex, shown: Sequence[list[Any]], stems: Mapping[str, str],
                 prior: str = "") -> dict[str, bytes]:
    """Every search file by its site path: the manifest, term and word shards, name lists, vocabulary files,
    document chunks and the upvote prior.

    `shown` is what each result displays, by paper number; `stems` maps each
    indexed word (lowercased) to its stem; `prior` is each paper's prior level
    (index.upvote_levels; none: every paper level 0).
    """
    return site_files(index_files(index, stems), shown, prior)


def index_files(index: BuiltIndex, stems: Mapping[str, str]) -> IndexFiles:
    """The term shards, word shards, name lists and vocabulary files of `index` (see `search_files`)."""
    names = sorted(term.removesuffix(AUTHOR_MARK) for term in index.terms if term.endswith(AUTHOR_MARK))
    word_vocabulary, name_vocabulary = vocabulary_files(stems, index.terms)
    return IndexFiles(
        fields=index.fields,
        documents=index.document_count,
        terms=cut(term_records(index), TERM_SHARD_BYTES),
        words=cut(((word, compact_json([word, stem])) for word, stem in sorted(stems.items()) if word != stem),
                  WORD_SHARD_BYTES),
        name_lists=cut(((name, compact_json(name)) for name in names), NAME_LIST_BYTES),
        word_vocabulary=word_vocabulary,
        name_vocabulary=name_vocabulary,
    )


def site_files(made: IndexFiles, shown: Sequence[list[Any]], prior: str = "") -> dict[str, bytes]:
    """`search_files` from index files already made: adds the document chunks, the prior and the manifest."""
    chunks = [Shard(str(start), compact_json(list(shown[start:start + DOCS_PER_CHUNK])))
              for start in range(0, len(shown), DOCS_PER_CHUNK)]
    levels = Shard("", compact_json(prior or "0" * made.documents))
    manifest = {
        "version": MANIFEST_VERSION,
        "lunr": __TARGET_JS_VERSION__,
        "fields": list(made.fields),
        "pipeline": ["stemmer"],
        "separator": SEPARATOR_JS,
        "documents": made.documents,
        "terms": [[shard.first, "t/" + shard.name] for shard in made.terms],
        "words": [[shard.first, "w/" + shard.name] for shard in made.words],
        "names": {"field": AUTHOR_FIELD, "mark": AUTHOR_MARK, "fold": FOLD_MARKS_JS,
                  "lists": [[shard.first, "n/" + shard.name] for shard in made.name_lists]},
        "vocabulary": {"words": [[int(shard.first), "v/" + shard.name] for shard in made.word_vocabulary],
                       "names": [[int(shard.first), "v/" + shard.name] for shard in made.name_vocabulary]},
        "docsPerChunk": DOCS_PER_CHUNK,
        "chunks": ["d/" + shard.name for shard in chunks],
        "prior": {"weight": UPVOTE_PRIOR, "levels": PRIOR_LEVELS, "file": "p/" + levels.name},
    }
    files = {urls.SEARCH_MANIFEST: compact_json(manifest)}
    for folder, shards in (("t/", made.terms), ("w/", made.words), ("n/", made.name_lists),
                           ("v/", made.word_vocabulary + made.name_vocabulary), ("d/", chunks), ("p/", [levels])):
        for shard in shards:
            files[urls.SEARCH + folder + shard.name] = shard.data
    return files


def vocabulary_files(words: Iterable[str], terms: Iterable[str]) -> tuple[list[Shard], list[Shard]]:
    """The vocabulary files of the indexed words (lowercased, as typed) and of the names (the author terms, with
    their mark): all but numbers, grouped by length (`term_length`)."""
    by_length: tuple[dict[int, list[str]], dict[int, list[str]]] = ({}, {})
    for kind, found in ((0, words), (1, (term for term in terms if term.endswith(AUTHOR_MARK)))):
        for term in found:
            if not NUMBER.fullmatch(term.removesuffix(AUTHOR_MARK)):
                by_length[kind].setdefault(term_length(term), []).append(term)
    return _by_length(by_length[0]), _by_length(by_length[1])


def _by_length(by_length: Mapping[int, list[str]]) -> list[Shard]:
    """Terms in files of whole lengths, each file's `first` the shortest length it holds (the first file's is 0),
    within a file sorted by length, then term."""
    shards: list[Shard] = []
    batch: list[str] = []
    first = size = 0
    for length in sorted(by_length):
        if batch and size >= VOCABULARY_BYTES:
            shards.append(Shard(str(first), compact_json(batch)))
            batch, first, size = [], length, 0
        batch.extend(sorted(by_length[length]))
        size += sum(len(term.encode()) + 3 for term in by_length[length])  # about its JSON: quotes and a comma
    if batch or not shards:
        shards.append(Shard(str(first), compact_json(batch)))
    return shards


def term_length(term: str) -> int:
    """A term's length as the browser counts it (UTF-16 code units), an author term's without its mark."""
    return len(term.removesuffix(AUTHOR_MARK).encode("utf-16-le")) // 2


def term_records(index: BuiltIndex) -> list[tuple[str, bytes]]:
    """(term, its record as JSON) for every term, in term order.

    A record is [term, term number, postings of field 1, field 2, ...]; a
    field's postings are [paper number, score, ...] with each paper number but
    the first written as the difference from the one before (small numbers
    compress well). The JSON is written here, not by json.dumps, because there
    are millions of postings; tests check it parses to the same values.
    """
    term, field, paper = index.term, index.field, index.paper
    starts = np.ones(len(term), dtype=bool)
    starts[1:] = (term[1:] != term[:-1]) | (field[1:] != field[:-1])  # the first posting of a (term, field)
    delta = paper.copy()
    delta[1:] -= paper[:-1]
    delta[starts] = paper[starts]
    width = len(index.fields)
    lists: dict[int, list[str]] = {}
    boundaries = [*np.flatnonzero(starts).tolist(), len(term)]
    terms, fields = term.tolist(), field.tolist()
    texts, texts_start, texts_end = np.zeros(0, dtype=object), 0, 0
    for begin, end in itertools.pairwise(boundaries):  # postings joined a (term, field) at a time: less memory
        if end > texts_end:  # the next block of postings as text (all at once: 170 MB at 10,000 papers)
            texts_start, texts_end = begin, min(len(term), max(end, begin + POSTINGS_PER_BLOCK))
            texts = _posting_texts(delta[begin:texts_end], index.score[begin:texts_end])
        columns = lists.get(terms[begin])
        if columns is None:
            columns = lists[terms[begin]] = ["[]"] * width
        columns[fields[begin]] = "[" + ",".join(texts[begin - texts_start:end - texts_start].tolist()) + "]"
    records = []
    for number, columns in lists.items():
        name = index.terms[number]
        records.append((name, f"[{json.dumps(name, ensure_ascii=False)},{number},{','.join(columns)}]".encode()))
    records.sort(key=lambda record: record[0])
    return records


def _posting_texts(deltas: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each posting as the text "delta,score", as f"{delta},{score!r}" writes it.

    Millions of postings share a few thousand distinct deltas and scores (rounded to 3 decimals), so each
    distinct value is formatted once and the postings pick theirs by numpy indexing: a fifth of the time.
    """
    thousandths = np.rint(scores * 1000).astype(np.int64)  # a score rounded to 3 decimals is thousandths / 1000
    delta_texts = _texts_by_value(deltas, lambda value: f"{value},")
    score_texts = _texts_by_value(thousandths, lambda value: repr(value / 1000))
    return delta_texts[deltas] + score_texts[thousandths]


def _texts_by_value(values: np.ndarray, text: Callable[[int], str]) -> np.ndarray:
    """A table from each value (small whole numbers, at least 0) to its text, written once per distinct value."""
    table = np.empty(int(values.max(initial=0)) + 1, dtype=object)
    present = np.flatnonzero(np.bincount(values, minlength=len(table)))
    table[present] = [text(value) for value in present.tolist()]
    return table


def cut(records: Iterable[tuple[str, bytes]], target_bytes: int) -> list[Shard]:
    """(key, JSON) records grouped into shards of about `target_bytes` each (a big record stands alone)."""
    shards: list[Shard] = []
    batch: list[bytes] = []
    first = ""
    size = 0
    for key, encoded in records:
        if batch and size + len(encoded) > target_bytes:
            shards.append(Shard(first, b"[" + b",".join(batch) + b"]"))
            batch, size = [], 0
        if not batch:
            first = "" if not shards else key  # the first shard's range starts at the beginning
        batch.append(encoded)
        size += len(encoded) + 1
    if batch or not shards:
        shards.append(Shard(first, b"[" + b",".join(batch) + b"]"))
    return shards


def compact_json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
