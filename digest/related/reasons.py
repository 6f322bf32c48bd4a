"""Reasons: what two related papers share, in one line a reader can check."""

from __future__ import annotations

import numpy as np

from digest.related.terms import EXTRA, OTHER_TOPIC, PHRASE, Paper, phrase_stems
from digest.related.vectors import Vectors

REASON_TERMS = 3  # shared terms a reason names
REASON_AUTHORS = 2  # shared authors a reason names before "and N more"


def shared_terms(vectors: Vectors, rows: np.ndarray, others: np.ndarray) -> list[list[int]]:
    """Each pair's shared words and phrases (keys) that add most to its score, a phrase replacing its words."""
    if not len(rows):
        return []
    term_count = len(vectors.keys)
    codes = vectors.rows * term_count + vectors.terms
    order = np.argsort(codes)
    codes, code_weights = codes[order], vectors.weights[order]
    lengths = vectors.starts[rows + 1] - vectors.starts[rows]
    pairs = np.repeat(np.arange(len(rows)), lengths)
    positions = np.arange(int(lengths.sum())) + np.repeat(vectors.starts[rows] - (np.cumsum(lengths) - lengths),
                                                          lengths)
    terms = vectors.terms[positions]
    wanted = np.repeat(others, lengths) * term_count + terms
    at = np.minimum(np.searchsorted(codes, wanted), len(codes) - 1)
    shared = (codes[at] == wanted) & (vectors.keys[terms] < EXTRA)
    pairs, terms = pairs[shared], terms[shared]
    products = np.round(vectors.weights[positions][shared] * code_weights[at][shared], 9)
    order = np.lexsort((terms, -products, pairs))
    pairs, terms = pairs[order], terms[order]
    keep = np.arange(len(pairs)) - np.searchsorted(pairs, pairs) < 3 * REASON_TERMS
    bounds = np.searchsorted(pairs[keep], np.arange(len(rows) + 1)).tolist()
    keys = vectors.keys[terms[keep]].tolist()
    return [_pick_terms(keys[bounds[pair]:bounds[pair + 1]]) for pair in range(len(rows))]


def _pick_terms(candidates: list[int]) -> list[int]:
    """The first few candidates, best first; a phrase takes the place of its own words, and a word already
    said by a phrase is left out ("client drift", not "drift, client drift")."""
    chosen: list[int] = []
    in_phrases: set[int] = set()
    for key in candidates:
        if key < PHRASE:
            if key not in in_phrases:
                chosen.append(key)
            continue
        words = phrase_stems(key)
        inside = [at for at, known in enumerate(chosen) if known in words]  # its words, chosen on their own
        if inside:
            chosen = [known for known in chosen if known not in words]
            chosen.insert(inside[0], key)
        else:
            chosen.append(key)
        in_phrases.update(words)
    return chosen[:REASON_TERMS]


def reason(paper: Paper, related: Paper, mine: dict[str, str], theirs: dict[str, str], topic_names: dict[str, str],
            terms: list[str]) -> str:
    parts: list[str] = []
    both = mine.keys() & theirs.keys() if mine and theirs else set()
    authors = [name for key, name in mine.items() if key in both] if both else []
    if authors:
        more = len(authors) - REASON_AUTHORS
        parts.append(f"Shared author{'s' if len(authors) > 1 else ''}: {', '.join(authors[:REASON_AUTHORS])}"
                     + (f" and {more} more" if more > 0 else ""))
    topics = [topic_names.get(slug, slug) for slug in paper.topics if slug != OTHER_TOPIC and slug in related.topics]
    if topics:
        parts.append(f"Same topic{'s' if len(topics) > 1 else ''}: {'; '.join(topics)}")
    if terms:
        label = "shared terms" if len(terms) > 1 else "shared term"
        parts.append(f"{label if parts else label.capitalize()}: {', '.join(terms)}")
    return " · ".join(parts)
