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
- `d/HASH.json`, document chunks: what a result shows, DOCS_PER_CHUNK papers
  per file, so a page of results fetches a few small files.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from lunr import __TARGET_JS_VERSION__

from digest import urls
from digest.output.search.index import BuiltIndex
from digest.output.search.words import SEPARATOR_JS

TERM_SHARD_BYTES = 40_000
WORD_SHARD_BYTES = 40_000
DOCS_PER_CHUNK = 8
POSTINGS_PER_BLOCK = 1 << 18  # postings written as text at once (about 20 MB of strings)
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class Shard:
    """One file of the index: the first key it holds (its range starts there) and its bytes."""

    first: str
    data: bytes

    @property
    def name(self) -> str:
        return hashlib.sha256(self.data).hexdigest()[:16] + ".json"


def search_files(index: BuiltIndex, shown: Sequence[list[Any]], stems: Mapping[str, str]) -> dict[str, bytes]:
    """Every search file by its site path: the manifest, term and word shards, document chunks.

    `shown` is what each result displays, by paper number; `stems` maps each
    indexed word (lowercased) to its stem.
    """
    terms = cut(term_records(index), TERM_SHARD_BYTES)
    words = cut(((word, compact_json([word, stem])) for word, stem in sorted(stems.items()) if word != stem),
                WORD_SHARD_BYTES)
    chunks = [Shard(str(start), compact_json(list(shown[start:start + DOCS_PER_CHUNK])))
              for start in range(0, len(shown), DOCS_PER_CHUNK)]
    manifest = {
        "version": MANIFEST_VERSION,
        "lunr": __TARGET_JS_VERSION__,
        "fields": list(index.fields),
        "pipeline": ["stemmer"],
        "separator": SEPARATOR_JS,
        "documents": index.document_count,
        "terms": [[shard.first, "t/" + shard.name] for shard in terms],
        "words": [[shard.first, "w/" + shard.name] for shard in words],
        "docsPerChunk": DOCS_PER_CHUNK,
        "chunks": ["d/" + shard.name for shard in chunks],
    }
    files = {urls.SEARCH_MANIFEST: compact_json(manifest)}
    for folder, shards in (("t/", terms), ("w/", words), ("d/", chunks)):
        for shard in shards:
            files[urls.SEARCH + folder + shard.name] = shard.data
    return files


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
