"""Vectors and similarities: TF-IDF weights, pruning, and each paper's most similar papers, in blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from digest.related.terms import AUTHOR, EXTRA, PHRASE, STEM_BITS, Terms

MAX_RELATED = 5
MIN_SCORE = 0.05  # similarity below which a paper is no candidate: it shares a word or two by chance
COLLOCATION = 0.2  # a phrase is a term when at least this share of its rarer word's papers have it
REDUNDANT = 0.8  # a word is no term of its own when this share of its papers have it inside one phrase
WEAK_WEIGHT = 0.3  # what a weak stem (a code such as "M1", two letters) weighs beside another word as rare
PRODUCT_CAP = 0.15  # the most one term adds to a similarity: a single shared word ranks below several
MAX_DF_SHARE = 0.05  # terms in a larger share of the papers are dropped...
MIN_MAX_DF = 20  # ...unless they are in at most this many (a small corpus keeps its shared words)
TOP_TERMS = 30  # terms kept per paper
HASH_BITS = 25  # a bit table of 4 MB where most lookups of a pair's shared terms end (`SharedTerms`)
BLOCK_BYTES = 16 << 20  # similarities computed at once: a block of rows × every paper, float32
CANDIDATES = 2 * MAX_RELATED  # most similar papers looked at per paper, before the ones without evidence go


@dataclass
class Vectors:
    """Pruned, normalised TF-IDF vectors as entries sorted by paper row, heaviest first."""

    count: int
    rows: np.ndarray
    terms: np.ndarray  # term number (an index into keys)
    weights: np.ndarray
    starts: np.ndarray  # paper row -> its first entry; count + 1 of them
    keys: np.ndarray  # term number -> term key
    weak: np.ndarray  # term number -> a weak stem (`terms.is_weak`)

    @classmethod
    def weigh(cls, terms: Terms, count: int) -> Vectors:
        keys = np.sort(terms.keys)  # the distinct keys and how many papers have each (entries are per paper)
        firsts = np.flatnonzero(np.r_[len(keys) > 0, keys[1:] != keys[:-1]])
        df = np.diff(np.r_[firsts, len(keys)])
        keys = keys[firsts]
        numbers = np.searchsorted(keys, terms.keys).astype(np.int32)  # no argsort: half the memory of np.unique
        idf = np.log(count / df).astype(np.float32)
        idf[(df > max(MAX_DF_SHARE * count, MIN_MAX_DF)) | _loose_phrases(keys, df, terms.keyword_phrases)
            | _redundant_words(keys, df)] = 0.0
        weak = np.zeros(len(keys), dtype=bool)
        stems = np.flatnonzero(keys < PHRASE)
        weak[stems] = terms.weak[keys[stems]]
        idf[weak] *= WEAK_WEIGHT
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
        return cls(count, rows, numbers.reshape(-1), weights, np.searchsorted(rows, np.arange(count + 1)), keys[used],
                   weak[used])

    def kinds(self, terms: np.ndarray) -> np.ndarray:
        """What each term number is: `WORD`, `WEAK` (a weak word), `PHRASE_TERM` or `PERSON` (an author)."""
        keys = self.keys[terms]
        kinds = np.where(keys < PHRASE, np.where(self.weak[terms], WEAK, WORD), PHRASE_TERM)
        kinds[keys >= AUTHOR] = PERSON
        return kinds


WORD, WEAK, PHRASE_TERM, PERSON = range(4)  # kinds of terms (`Vectors.kinds`)


def phrase_words(phrases: np.ndarray) -> np.ndarray:
    """The two stems of each phrase key, as two rows."""
    return np.stack([(phrases >> STEM_BITS) - 1, phrases & (PHRASE - 1)])


def _loose_phrases(keys: np.ndarray, df: np.ndarray, keyword_phrases: np.ndarray) -> np.ndarray:
    """Phrases whose rarer word is seldom in them ("training data"), unlike "client drift": not terms, unless
    some paper has the phrase as a whole keyword ("temporal grounding")."""
    phrases = np.flatnonzero((keys >= PHRASE) & (keys < EXTRA))
    loose = np.zeros(len(keys), dtype=bool)
    if len(phrases):
        word_df = df[np.searchsorted(keys, phrase_words(keys[phrases]))]  # every word of a phrase is a term too
        loose[phrases] = (df[phrases] < COLLOCATION * word_df.min(axis=0)) & ~np.isin(keys[phrases], keyword_phrases)
    return loose


def _redundant_words(keys: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Words nearly always inside one phrase ("spatio" of "spatio-temporal"): as terms of their own they would
    count the phrase twice. The phrase stays."""
    phrases = np.flatnonzero((keys >= PHRASE) & (keys < EXTRA))
    redundant = np.zeros(len(keys), dtype=bool)
    if len(phrases):
        words = np.searchsorted(keys, phrase_words(keys[phrases]))
        inside = df[phrases] >= REDUNDANT * df[words]
        redundant[words[inside]] = True
    return redundant


class SharedTerms:
    """Every paper's terms sorted by (paper, term), to find what any pair of papers shares.

    A lookup tries (paper, term) in a bit table of `HASH_BITS` bits first: most terms of one paper are not the
    other's, and only the few that may be are searched for (a tenth of the binary searches)."""

    def __init__(self, vectors: Vectors) -> None:
        codes = vectors.rows.astype(np.int64) * len(vectors.keys) + vectors.terms
        order = np.argsort(codes)
        self.codes, self.weights, self.vectors = codes[order], vectors.weights[order], vectors
        self.bits = np.zeros(1 << (HASH_BITS - 3), dtype=np.uint8)
        hashes = self.codes & ((1 << HASH_BITS) - 1)
        np.bitwise_or.at(self.bits, hashes >> 3, np.left_shift(1, hashes & 7).astype(np.uint8))

    def of(self, rows: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pair, term, product of the two weights, at most `PRODUCT_CAP` as in the scores) for every term each pair
        (rows[i], others[i]) shares, sorted by pair, biggest product first (rounded to 9 decimals), then term."""
        vectors, codes = self.vectors, self.codes
        if not len(rows) or not len(codes):
            return (np.zeros(0, dtype=np.int64),) * 2 + (np.zeros(0),)
        lengths = vectors.starts[rows + 1] - vectors.starts[rows]
        positions = np.arange(int(lengths.sum())) + np.repeat(vectors.starts[rows] - (np.cumsum(lengths) - lengths),
                                                              lengths)
        wanted = np.repeat(others, lengths) * len(vectors.keys) + vectors.terms[positions]
        hashes = wanted & ((1 << HASH_BITS) - 1)
        maybe = np.flatnonzero(self.bits[hashes >> 3] >> (hashes & 7).astype(np.uint8) & 1)
        at = np.minimum(np.searchsorted(codes, wanted[maybe]), len(codes) - 1)
        found = codes[at] == wanted[maybe]
        maybe, at = maybe[found], at[found]
        pairs = np.repeat(np.arange(len(rows)), lengths)[maybe]
        positions = positions[maybe]
        terms = vectors.terms[positions]
        products = vectors.weights[positions].astype(np.float64) * self.weights[at]
        products = np.round(np.minimum(products, PRODUCT_CAP), 9)
        order = np.lexsort((terms, -products, pairs))
        return pairs[order], terms[order], products[order]


def score_blocks(vectors: Vectors) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(rows, scores) for a block of rows at a time: scores[i] is paper rows[i]'s similarity to every paper (itself
    -inf), float32; the block is overwritten by the next. At most `BLOCK_BYTES` of scores at once."""
    count = vectors.count
    if count < 2:
        return
    postings = _Postings(vectors)
    height = max(1, BLOCK_BYTES // (4 * count))
    scores = np.empty((min(height, count), count), dtype=np.float32)
    for first in range(0, count, height):
        rows = np.arange(first, min(count, first + height))
        block = scores[:len(rows)]
        postings.fill(block, rows)
        yield rows, block


class _Postings:
    """Every paper having each term, to add one block's products without a dense matrix."""

    def __init__(self, vectors: Vectors) -> None:
        order = np.lexsort((vectors.rows, vectors.terms))
        self.rows, self.weights = vectors.rows[order], vectors.weights[order].astype(np.float32)
        self.starts = np.searchsorted(vectors.terms[order], np.arange(len(vectors.keys) + 1))
        self.vectors = vectors

    def fill(self, scores: np.ndarray, rows: np.ndarray) -> None:
        """scores[i] = the similarity of paper rows[i] to every paper, itself -inf: the sum over shared terms of
        the two weights' product, each product at most `PRODUCT_CAP`. `rows` are consecutive."""
        scores.fill(0)
        vectors = self.vectors
        entries = slice(vectors.starts[rows[0]], vectors.starts[rows[-1] + 1])
        terms, weights = vectors.terms[entries], vectors.weights[entries]
        lengths = self.starts[terms + 1] - self.starts[terms]
        total = int(lengths.sum())
        if total:
            positions = np.arange(total) + np.repeat(self.starts[terms] - (np.cumsum(lengths) - lengths), lengths)
            cells = np.repeat((vectors.rows[entries] - rows[0]) * scores.shape[1], lengths) + self.rows[positions]
            products = np.repeat(weights.astype(np.float32), lengths) * self.weights[positions]
            np.add.at(scores.reshape(-1), cells, np.minimum(products, np.float32(PRODUCT_CAP)))
        scores[np.arange(len(rows)), rows] = -np.inf  # never itself


def best(scores: np.ndarray, count: int, floor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line, column, score) of each line's `count` best finite scores of at least `floor`, best first: rounded to 6
    decimals, ties to the smaller column. `scores` is left as it was."""
    height = scores.shape[0]
    lines = np.arange(height)
    columns = np.empty((height, count + 1), dtype=np.int64)  # one more: a tie at the last place
    values = np.empty((height, count + 1), dtype=np.float32)
    for rank in range(count + 1):
        columns[:, rank] = scores.argmax(axis=1)
        values[:, rank] = scores[lines, columns[:, rank]]
        scores[lines, columns[:, rank]] = -np.inf
    for rank in range(count, -1, -1):  # as it was (a column picked twice is one -inf on a row of them)
        scores[lines, columns[:, rank]] = values[:, rank]
    rounded = np.round(values.astype(np.float64), 6).reshape(-1)
    lines, columns = np.repeat(lines, count + 1), columns.reshape(-1)
    order = np.lexsort((columns, -rounded, lines))
    lines, columns, rounded = lines[order], columns[order], rounded[order]
    keep = (np.arange(len(lines)) - np.searchsorted(lines, lines) < count) & (rounded >= floor) & (rounded > -np.inf)
    return lines[keep], columns[keep], rounded[keep]
