"""The content profile: each paper's most similar seed (a paper the curator named, or an entry of their library).

The seeds are compared with the catalog's papers by the related papers' own machinery (digest/related/: the
same terms, TF-IDF weights, pruning and capped products), counted over the catalog and the seeds together, so
"like X" means what "related to X" means on a paper page. A seed that is a catalog paper (by arXiv id) is that
paper's row, never a second copy, and is never said to be like itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from digest.catalog import Paper
from digest.related.reasons import shared_terms
from digest.related.terms import Terms, Vocabulary, author_key
from digest.related.vectors import PRODUCT_CAP, SharedTerms, Vectors

MIN_SIMILARITY = 0.15  # below this a paper is not said to be like a seed (real pairs sharing one phrase by chance
# reach 0.2, good ones 0.3-0.5)
MIN_SHARED = 2  # terms a paper must share with a seed: one phrase alone ("memory management") is often chance


@dataclass(frozen=True)
class Seed:
    """One text of the profile, with the catalog paper's slug when it is one."""

    title: str
    abstract: str
    authors: tuple[str, ...]
    weight: float
    in_library: bool  # from the library export, else from `papers`
    slug: str | None = None  # the catalog paper it is


@dataclass(frozen=True)
class Likeness:
    """A paper's most similar seed: how similar (the weighted cosine) and the terms they share, as written."""

    seed: Seed
    similarity: float
    shared: tuple[str, ...]


@dataclass(frozen=True)
class _Text:
    """A seed outside the catalog as related/terms.py reads a paper."""

    slug: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def likenesses(papers: Sequence[Paper], seeds: Sequence[Seed],
               vocabulary: Vocabulary | None = None) -> dict[str, Likeness]:
    """Each paper's most similar seed, by slug, for the papers at least `MIN_SIMILARITY` like one; `vocabulary`
    may hold the texts already split into words (a preview's)."""
    if not seeds or not papers:
        return {}
    ordered = sorted(papers, key=lambda paper: paper.slug)
    rows = {paper.slug: row for row, paper in enumerate(ordered)}
    outside = [number for number, seed in enumerate(seeds) if seed.slug not in rows]
    texts = [*ordered, *(_Text(f"\x00seed-{number}", seeds[number].title, seeds[number].abstract,
                               seeds[number].authors) for number in outside)]
    extra = {number: len(ordered) + at for at, number in enumerate(outside)}
    seed_rows = np.array([extra[number] if number in extra else rows[str(seed.slug)]
                          for number, seed in enumerate(seeds)], dtype=np.int64)
    authors = [{author_key(name): name for name in text.authors} for text in texts]
    terms = Terms.count(texts, authors, vocabulary)
    vectors = Vectors.weigh(terms, len(texts))
    paper_rows, seed_numbers, scores = _similarities(vectors, seed_rows, np.array([seed.weight for seed in seeds]),
                                                     len(ordered))
    if not len(paper_rows):
        return {}
    shared = SharedTerms(vectors)
    pairs, keys, _ = shared.of(paper_rows, seed_rows[seed_numbers])
    said = shared_terms(vectors, len(paper_rows), pairs, keys)
    spelled = terms.spellings({key for keys in said for key in keys}, texts)
    return {ordered[row].slug: Likeness(seeds[number], round(float(score), 6), tuple(spelled[key] for key in keys))
            for row, number, score, keys in zip(paper_rows.tolist(), seed_numbers.tolist(), scores.tolist(), said,
                                                strict=True) if len(keys) >= MIN_SHARED}


def _similarities(vectors: Vectors, seed_rows: np.ndarray, seed_factors: np.ndarray,
                  papers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(paper row, seed number, weighted similarity) of each catalog paper's best seed, where it reaches
    `MIN_SIMILARITY`: the capped products of the terms each paper shares with each seed, summed, by joining the
    papers' entries with the seeds' on the term (every term is in few papers, so the join stays small)."""
    entry_rows = np.repeat(np.arange(vectors.count), np.diff(vectors.starts))
    take = np.concatenate([np.arange(vectors.starts[row], vectors.starts[row + 1]) for row in seed_rows])
    seed_of = np.repeat(np.arange(len(seed_rows)), np.diff(vectors.starts)[seed_rows])
    order = np.argsort(vectors.terms[take], kind="stable")
    seed_terms, seed_of, seed_weights = vectors.terms[take][order], seed_of[order], vectors.weights[take][order]
    in_catalog = entry_rows < papers
    terms, rows, weights = vectors.terms[in_catalog], entry_rows[in_catalog], vectors.weights[in_catalog]
    low, high = np.searchsorted(seed_terms, terms, "left"), np.searchsorted(seed_terms, terms, "right")
    counts = high - low
    at = np.repeat(low - (np.cumsum(counts) - counts), counts) + np.arange(int(counts.sum()))
    pair_rows, pair_seeds = np.repeat(rows, counts), seed_of[at]
    products = np.minimum(np.repeat(weights, counts).astype(np.float64) * seed_weights[at], PRODUCT_CAP)
    not_itself = seed_rows[pair_seeds] != pair_rows
    codes = pair_rows[not_itself] * len(seed_rows) + pair_seeds[not_itself]
    unique, inverse = np.unique(codes, return_inverse=True)
    sums = np.bincount(inverse.reshape(-1), products[not_itself], minlength=len(unique)) \
        * seed_factors[unique % len(seed_rows)]
    best = np.lexsort((unique % len(seed_rows), -np.round(sums, 9), unique // len(seed_rows)))
    unique, sums = unique[best], sums[best]
    first = np.r_[True, unique[1:] // len(seed_rows) != unique[:-1] // len(seed_rows)] if len(unique) else \
        np.zeros(0, dtype=bool)
    keep = first & (sums >= MIN_SIMILARITY)
    return unique[keep] // len(seed_rows), unique[keep] % len(seed_rows), sums[keep]
