"""Vectors and similarities: TF-IDF weights, pruning, and each paper's most similar papers, in blocks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digest.related.terms import EXTRA, PHRASE, STEM_BITS, Terms

MAX_RELATED = 5
MIN_SCORE = 0.08  # cosine below which two papers are not called related: they share a word or two by chance
COLLOCATION = 0.2  # a phrase is a term when at least this share of its rarer word's papers have it
MAX_DF_SHARE = 0.05  # terms in a larger share of the papers are dropped...
MIN_MAX_DF = 20  # ...unless they are in at most this many (a small corpus keeps its shared words)
TOP_TERMS = 30  # terms kept per paper
BLOCK_BYTES = 16 << 20  # similarities computed at once: a block of rows × every paper, float32
MIN_SHARED = 2  # terms two related papers share at least: one word alone is a coincidence ("survey", "goal")
CANDIDATES = 2 * MAX_RELATED  # most similar papers looked at per paper, before the ones sharing one term go


@dataclass
class Vectors:
    """Pruned, normalised TF-IDF vectors as entries sorted by paper row, heaviest first."""

    count: int
    rows: np.ndarray
    terms: np.ndarray  # term number (an index into keys)
    weights: np.ndarray
    starts: np.ndarray  # paper row -> its first entry; count + 1 of them
    keys: np.ndarray  # term number -> term key

    @classmethod
    def weigh(cls, terms: Terms, count: int) -> Vectors:
        keys = np.sort(terms.keys)  # the distinct keys and how many papers have each (entries are per paper)
        firsts = np.flatnonzero(np.r_[len(keys) > 0, keys[1:] != keys[:-1]])
        df = np.diff(np.r_[firsts, len(keys)])
        keys = keys[firsts]
        numbers = np.searchsorted(keys, terms.keys).astype(np.int32)  # no argsort: half the memory of np.unique
        idf = np.log(count / df).astype(np.float32)
        idf[(df > max(MAX_DF_SHARE * count, MIN_MAX_DF)) | _loose_phrases(keys, df)] = 0.0
        weights = terms.counts * idf[numbers]  # float32, as the scores are summed
        norms = np.zeros(count)
        for part in range(0, len(weights), 1 << 20):  # a slice at a time: bincount copies to int64 and float64
            piece = slice(part, part + (1 << 20))
            norms += np.bincount(terms.rows[piece], np.square(weights[piece], dtype=np.float64), minlength=count)
        norms = np.sqrt(norms).astype(np.float32)
        weights /= np.where(norms > 0, norms, np.float32(1))[terms.rows]
        # Only terms another paper has can add to a similarity; keep each paper's heaviest.
        keep = (df >= 2)[numbers] & (weights > 0)
        rows, numbers, weights = terms.rows[keep], numbers[keep], weights[keep]
        # Heaviest first within each paper (entries come by paper, then key; 0 < weight <= 1), ties by key.
        order = np.argsort(rows + (1 - weights), kind="stable")
        rows, numbers, weights = rows[order], numbers[order], weights[order]
        keep = np.arange(len(rows)) - np.searchsorted(rows, rows) < TOP_TERMS
        rows, numbers, weights = rows[keep], numbers[keep], weights[keep]
        used, numbers = np.unique(numbers, return_inverse=True)
        return cls(count, rows, numbers.reshape(-1), weights, np.searchsorted(rows, np.arange(count + 1)), keys[used])


def _loose_phrases(keys: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Phrases whose rarer word is seldom in them ("training data"), unlike "client drift": not terms."""
    phrases = np.flatnonzero((keys >= PHRASE) & (keys < EXTRA))
    loose = np.zeros(len(keys), dtype=bool)
    if len(phrases):
        words = np.stack([(keys[phrases] >> STEM_BITS) - 1, keys[phrases] & (PHRASE - 1)])
        word_df = df[np.searchsorted(keys, words)]  # every word of a phrase is a term too
        loose[phrases] = df[phrases] < COLLOCATION * word_df.min(axis=0)
    return loose


def related_pairs(vectors: Vectors) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row, other) of every related pair, each row's best first, and (pair, term) of what each pair shares,
    its biggest products first."""
    rows, others = nearest(vectors)
    pairs, terms, _ = shared(vectors, rows, others)
    keep = np.bincount(pairs, minlength=len(rows)) >= MIN_SHARED
    kept_rows = rows[keep]  # rows come sorted: the first MAX_RELATED of each
    keep[keep] = np.arange(len(kept_rows)) - np.searchsorted(kept_rows, kept_rows) < MAX_RELATED
    number = np.cumsum(keep) - 1
    mine = keep[pairs]
    return rows[keep], others[keep], number[pairs[mine]], terms[mine]


def shared(vectors: Vectors, rows: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair, term, product of the two weights) for every term each pair (rows[i], others[i]) shares, sorted by
    pair, biggest product first (rounded to 9 decimals), then term."""
    if not len(rows):
        return (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),)
    term_count = len(vectors.keys)
    codes = vectors.rows.astype(np.int64) * term_count + vectors.terms
    order = np.argsort(codes)
    codes, code_weights = codes[order], vectors.weights[order]
    lengths = vectors.starts[rows + 1] - vectors.starts[rows]
    pairs = np.repeat(np.arange(len(rows)), lengths)
    positions = np.arange(int(lengths.sum())) + np.repeat(vectors.starts[rows] - (np.cumsum(lengths) - lengths),
                                                          lengths)
    terms = vectors.terms[positions]
    wanted = np.repeat(others, lengths) * term_count + terms
    at = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
    found = codes[at] == wanted
    pairs, terms = pairs[found], terms[found]
    products = np.round(vectors.weights[positions][found].astype(np.float64) * code_weights[at][found], 9)
    order = np.lexsort((terms, -products, pairs))
    return pairs[order], terms[order], products[order]


def nearest(vectors: Vectors) -> tuple[np.ndarray, np.ndarray]:
    """(row, other) of each paper's `CANDIDATES` most similar papers, best first: a block of rows × every paper
    at a time."""
    count = vectors.count
    if count < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    postings = _Postings(vectors.rows, vectors.terms, vectors.weights, len(vectors.keys))
    height = max(1, BLOCK_BYTES // (4 * count))
    scores = np.empty((min(height, count), count), dtype=np.float32)
    found: list[tuple[np.ndarray, np.ndarray]] = []
    for first in range(0, count, height):
        last = min(count, first + height)
        block = scores[: last - first]
        block.fill(0)
        entries = slice(vectors.starts[first], vectors.starts[last])
        postings.scatter(block, first, vectors.rows[entries], vectors.terms[entries], vectors.weights[entries])
        found.append(_best(block, first))
    return np.concatenate([rows for rows, _ in found]), np.concatenate([others for _, others in found])


class _Postings:
    """Every paper having each term, to add one block's products without a dense matrix."""

    def __init__(self, rows: np.ndarray, terms: np.ndarray, weights: np.ndarray, term_count: int) -> None:
        order = np.lexsort((rows, terms))
        self.rows, self.weights = rows[order], weights[order].astype(np.float32)
        self.starts = np.searchsorted(terms[order], np.arange(term_count + 1))

    def scatter(self, scores: np.ndarray, first: int, rows: np.ndarray, terms: np.ndarray,
                weights: np.ndarray) -> None:
        """scores[row - first, other] += weight × the other paper's weight, for each (row, term, weight)."""
        lengths = self.starts[terms + 1] - self.starts[terms]
        total = int(lengths.sum())
        if not total:
            return
        positions = np.arange(total) + np.repeat(self.starts[terms] - (np.cumsum(lengths) - lengths), lengths)
        cells = np.repeat((rows - first) * scores.shape[1], lengths) + self.rows[positions]
        np.add.at(scores.reshape(-1), cells, np.repeat(weights.astype(np.float32), lengths) * self.weights[positions])


def _best(scores: np.ndarray, first: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, other) of each block row's best scores, at least MIN_SCORE: rounded to 6 decimals, ties to the smaller
    row number."""
    height = scores.shape[0]
    lines = np.arange(height)
    scores[lines, lines + first] = -np.inf  # never itself
    columns = np.empty((height, CANDIDATES + 1), dtype=np.int64)  # one more: a tie at the last place
    values = np.empty((height, CANDIDATES + 1), dtype=np.float64)
    for rank in range(CANDIDATES + 1):
        columns[:, rank] = scores.argmax(axis=1)
        values[:, rank] = scores[lines, columns[:, rank]]
        scores[lines, columns[:, rank]] = -np.inf
    values = np.round(values, 6)
    rows = np.repeat(lines + first, CANDIDATES + 1)
    columns, values = columns.reshape(-1), values.reshape(-1)
    order = np.lexsort((columns, -values, rows))
    rows, columns, values = rows[order], columns[order], values[order]
    keep = (np.arange(len(rows)) - np.searchsorted(rows, rows) < CANDIDATES) & (values >= MIN_SCORE)
    return rows[keep], columns[keep]
