"""Reasons: what two related papers share, in one line a reader can check."""

from __future__ import annotations

import numpy as np

from digest.related.terms import EXTRA, OTHER_TOPIC, PHRASE, Paper, phrase_stems
from digest.related.vectors import Vectors

REASON_TERMS = 3  # shared terms a reason names
REASON_AUTHORS = 2  # shared authors a reason names before "and N more"


def shared_terms(vectors: Vectors, count: int, pairs: np.ndarray, terms: np.ndarray) -> list[list[int]]:
    """For each of `count` pairs, the shared words and phrases (keys) that add most to its score, a phrase
    replacing its words; `pairs` and `terms` list what each pair shares, biggest products first."""
    keys = vectors.keys[terms]
    words = keys < EXTRA  # not authors: the reason names them apart
    pairs, keys, weak = pairs[words], keys[words], vectors.weak[terms[words]]
    # A code such as "M1" only when the pair shares nothing else (a filled link may rest on it alone).
    strong = np.bincount(pairs[~weak], minlength=count) > 0
    keep = ~weak | ~strong[pairs]
    pairs, keys = pairs[keep], keys[keep]
    first = np.arange(len(pairs)) - np.searchsorted(pairs, pairs) < 3 * REASON_TERMS
    pairs, keys = pairs[first], keys[first]
    bounds = np.searchsorted(pairs, np.arange(count + 1)).tolist()
    keys_list = keys.tolist()
    return [_pick_terms(keys_list[bounds[pair]:bounds[pair + 1]]) for pair in range(count)]


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
    """One line, each part "Label: items" in this order: "Shared authors: …", "Same topic: …", "Shared terms: …"."""
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
        parts.append(f"Shared term{'s' if len(terms) > 1 else ''}: {', '.join(terms)}")
    return " · ".join(parts)
