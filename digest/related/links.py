"""Links: which of a paper's nearest papers a reader can trust as related, and what fills a short list.

Similarity alone links papers that share one striking word ("mobile" manipulation and "Mobile" Gaussian
splatting, two models both called "M1", "soft" boundaries and "Soft" Thinking, "mining" the web and process
"mining"). So a link needs evidence a reader can check: a shared author, or `EVIDENCE` points from

- each shared concept that adds at least `MIN_CONCEPT` to the score: `PHRASE_POINTS` if it has a phrase,
  `WORD_POINTS` if it is a single word. A phrase and the words inside it are one concept ("spatio-temporal"
  and "spatio" are not two), so are phrases sharing a word ("sliding window", "window attention"); a weak
  stem (a code such as "M1", two letters) is none;
- a shared topic, `TOPIC_POINTS`;
- a shared concept typical of a shared topic, `TOPIC_POINTS` more: at least `TYPICAL` of the papers having
  it are filed under that topic ("GUI agents" under Agents, "theorem proving" under Reasoning; not "mining"
  under Reinforcement Learning).

So papers of one topic need two phrases, a phrase and two words, four words, or one phrase typical of their
topic; papers of different topics need three phrases (or as many points from words).

Of the `CANDIDATES` nearest papers, those with such evidence are listed, a paper sharing a topic ranking as
if `SAME_TOPIC_BOOST` times as similar. In a corpus of at least `FILL_MIN_PAPERS` papers a list shorter than
`MIN_RELATED` is filled with the papers of the same topic most similar to it (of any topic, for a paper filed
under none, if they share a term): each shares a topic, and the reason says so first.

It all happens a block of papers at a time, while the block's similarities to every paper are at hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digest.related.terms import EXTRA, PHRASE
from digest.related.vectors import (
    CANDIDATES,
    MAX_RELATED,
    MIN_SCORE,
    PERSON,
    PHRASE_TERM,
    WORD,
    SharedTerms,
    Vectors,
    best,
    phrase_words,
    score_blocks,
)

MIN_RELATED = 3  # papers a list has at least, filled from the same topic, in a corpus of...
FILL_MIN_PAPERS = 100  # ...at least this many papers (a handful of papers has little to fill with)
EVIDENCE = 6  # points a link without a shared author needs (see the module's docstring)...
PHRASE_POINTS, WORD_POINTS, TOPIC_POINTS = 2, 1, 2  # ...from shared concepts with a phrase, single words, topics
MIN_CONCEPT = 0.02  # what a shared concept adds to the score at least to count (a word in passing adds less)
TYPICAL = 0.5  # share of a concept's papers under one topic for the concept to be typical of the topic
SAME_TOPIC_BOOST = 1.25  # a nearest paper sharing a topic ranks as if this much more similar
FALLBACK_POINTS = PHRASE_POINTS  # what a paper of no topic (or a tiny one) needs of another to be filled with it...
FALLBACK_POOL = 30  # ...among its this many most similar papers


@dataclass
class Topics:
    """The papers' topics (but Other) both ways: papers × topics, and each topic's papers."""

    matrix: np.ndarray  # bool
    papers: list[np.ndarray]  # rows, ascending

    @classmethod
    def of(cls, matrix: np.ndarray) -> Topics:
        return cls(matrix, [np.flatnonzero(column) for column in matrix.T])

    def shared(self, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Whether each pair (rows[i], others[i]) shares a topic."""
        if not self.matrix.shape[1]:
            return np.zeros(len(rows), dtype=bool)
        return (self.matrix[rows] & self.matrix[others]).any(axis=1)


class Evidence:
    """What a link's evidence is read from: the papers' terms and topics, and which terms are typical of which
    topics."""

    def __init__(self, shared: SharedTerms, topics: Topics) -> None:
        self.vectors, self.topics, self.shared = shared.vectors, topics, shared
        self.typical = _typical(shared.vectors, topics.matrix)

    def points(self, rows: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each pair (rows[i], others[i]), whether it has a shared author, and its points."""
        count, vectors = len(rows), self.vectors
        pairs, terms, products = self.shared.of(rows, others)
        kinds = vectors.kinds(terms)
        author = np.bincount(pairs[kinds == PERSON], minlength=count) > 0
        content = (kinds == WORD) | (kinds == PHRASE_TERM)
        pairs, terms, products = pairs[content], terms[content], products[content]
        phrase = kinds[content] == PHRASE_TERM
        codes = pairs * len(vectors.keys) + _concepts(vectors, pairs, terms)
        distinct, inverse = np.unique(codes, return_inverse=True)
        counted = np.bincount(inverse.reshape(-1), products, minlength=len(distinct)) >= MIN_CONCEPT
        with_phrase = np.bincount(inverse.reshape(-1), phrase, minlength=len(distinct)) > 0
        concept_pairs, concepts = np.divmod(distinct[counted], len(vectors.keys))
        points = np.bincount(concept_pairs, np.where(with_phrase[counted], PHRASE_POINTS, WORD_POINTS),
                             minlength=count)
        points += TOPIC_POINTS * self.topics.shared(rows, others)
        if self.topics.matrix.shape[1]:
            matrix = self.topics.matrix
            typical = (self.typical[concepts] & matrix[rows[concept_pairs]] & matrix[others[concept_pairs]]).any(axis=1)
            points += TOPIC_POINTS * (np.bincount(concept_pairs[typical], minlength=count) > 0)
        return author, points


def find_links(shared: SharedTerms, topics: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, other, filled) of every link, each row's best first: the nearest papers with evidence, then (filled
    True) the same topic's closest papers until the row has `MIN_RELATED`. `topics` is papers × topics, bool."""
    vectors = shared.vectors
    evidence = Evidence(shared, Topics.of(topics))
    fills = vectors.count >= FILL_MIN_PAPERS
    parts = [_links(evidence, rows, scores, fills) for rows, scores in score_blocks(vectors)]
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    return tuple(np.concatenate([part[column] for part in parts]) for column in range(3))  # type: ignore[return-value]


def _links(evidence: Evidence, rows: np.ndarray, scores: np.ndarray,
           fills: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`find_links` for one block of rows, whose similarities to every paper are `scores`."""
    lines, others, values = best(scores, CANDIDATES, np.finfo(np.float32).tiny)  # sharing something
    author, points = evidence.points(rows[lines], others)
    trusted = (author | (points >= EVIDENCE)) & (values >= MIN_SCORE)
    same = evidence.topics.shared(rows[lines], others)
    ranks = np.round(values * np.where(same, SAME_TOPIC_BOOST, 1.0), 6)
    order = np.lexsort((others[trusted], -ranks[trusted], lines[trusted]))
    links = lines[trusted][order], others[trusted][order]
    keep = np.arange(len(links[0])) - np.searchsorted(links[0], links[0]) < MAX_RELATED
    parts = [(links[0][keep], links[1][keep], np.zeros(int(keep.sum()), dtype=bool))]
    # The nearest papers without evidence but of the same topic fill a short list first, in any corpus: they are the
    # topic's nearest (a paper of no topic: those sharing a phrase or two words).
    unfiled = ~evidence.topics.matrix[rows[lines]].any(axis=1) & (points >= FALLBACK_POINTS)
    spare = ~trusted & (same | unfiled)
    wanted = np.maximum(MIN_RELATED - np.bincount(parts[0][0], minlength=len(rows)), 0)
    spare_lines = lines[spare]
    keep = np.arange(len(spare_lines)) - np.searchsorted(spare_lines, spare_lines) < wanted[spare_lines]
    parts.append((spare_lines[keep], others[spare][keep], np.ones(int(keep.sum()), dtype=bool)))
    if fills:  # then the whole topic's, however far
        listed_lines, listed = np.concatenate([parts[0][0], parts[1][0]]), np.concatenate([parts[0][1], parts[1][1]])
        order = np.argsort(listed_lines, kind="stable")
        fill_lines, fill_others = _fill(evidence, rows, scores, listed_lines[order], listed[order])
        parts.append((fill_lines, fill_others, np.ones(len(fill_lines), dtype=bool)))
    lines, others, filled = (np.concatenate(column) for column in zip(*parts, strict=True))
    order = np.argsort(lines, kind="stable")  # each row's trusted links, then its filled ones, nearest first
    return rows[lines[order]], others[order], filled[order]


def _fill(evidence: Evidence, rows: np.ndarray, scores: np.ndarray, lines: np.ndarray,
          others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(line, other) of the papers that fill each list of the block shorter than `MIN_RELATED`, never one already
    listed (`lines`, `others`, sorted by line): the most similar papers sharing one of its topics, then, if its
    topics have too few papers or it has none, the most similar papers sharing a phrase or two words (at least
    `FALLBACK_POINTS`) or an author; ties to the smaller row."""
    topics = evidence.topics
    counts = np.bincount(lines, minlength=len(rows))
    short = np.flatnonzero(counts < MIN_RELATED)
    found = [_mates(scores, short[topics.matrix[rows[short], topic]], mates, lines, others)
             for topic, mates in enumerate(topics.papers)]  # one topic's papers at a time: a fraction of the width
    mate_lines, mate_others = _first(found, counts)
    counts += np.bincount(mate_lines, minlength=len(rows))
    short = np.flatnonzero(counts < MIN_RELATED)
    listed = np.argsort(np.r_[lines, mate_lines], kind="stable")
    anyone = _mates(np.where(scores[short] > 0, scores[short], np.float32(-np.inf)), short, None,
                    np.r_[lines, mate_lines][listed], np.r_[others, mate_others][listed], FALLBACK_POOL)
    author, points = evidence.points(rows[anyone[0]], anyone[1])
    enough = author | (points >= FALLBACK_POINTS)
    any_lines, any_others = _first([tuple(column[enough] for column in anyone)], counts)
    return np.r_[mate_lines, any_lines], np.r_[mate_others, any_others]


def _mates(scores: np.ndarray, wanting: np.ndarray, mates: np.ndarray | None, lines: np.ndarray,
           others: np.ndarray, count: int = MIN_RELATED) -> tuple[np.ndarray, ...]:
    """(line, other, score) of the `count` best of `mates` (papers; all if None) for each line in `wanting`,
    never one it lists already (`lines`, `others`, sorted by line). `scores` are the block's, or, without
    `mates`, already the wanting lines' own."""
    if not len(wanting):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    candidates = scores if mates is None else scores[np.ix_(wanting, mates)]
    mates = np.arange(scores.shape[1]) if mates is None else mates
    at = np.searchsorted(wanting, lines)
    listed = (at < len(wanting)) & (wanting[np.minimum(at, len(wanting) - 1)] == lines)
    place = np.searchsorted(mates, others[listed])
    mate = place < len(mates)
    mate[mate] = mates[place[mate]] == others[listed][mate]
    candidates[at[listed][mate], place[mate]] = -np.inf
    found, columns, values = best(candidates, count, -np.inf)
    return wanting[found], mates[columns], values


def _first(found: list[tuple[np.ndarray, ...]], counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(line, other) of the best of `found` for each line, as many as it lacks of `MIN_RELATED` with `counts`
    already; a paper found twice (it shares two topics) counts once."""
    found_lines, columns, values = (np.concatenate(part) for part in zip(*found, strict=True)) if found else (
        np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    order = np.lexsort((columns, -values, found_lines))
    found_lines, columns = found_lines[order], columns[order]
    first = np.r_[True, (found_lines[1:] != found_lines[:-1]) | (columns[1:] != columns[:-1])][:len(found_lines)]
    found_lines, columns = found_lines[first], columns[first]
    keep = np.arange(len(found_lines)) - np.searchsorted(found_lines, found_lines) < MIN_RELATED - counts[found_lines]
    return found_lines[keep], columns[keep]


def _concepts(vectors: Vectors, pairs: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """The concept of each shared term of each pair, as a term number: the smallest of the terms the pair shares
    that have one of its words ("spatio", "spatio-temporal"), or of those terms' words (two phrases sharing
    a word)."""
    keys = vectors.keys[terms]
    phrase = (keys >= PHRASE) & (keys < EXTRA)
    stems = np.where(phrase, phrase_words(np.where(phrase, keys, PHRASE)), keys)  # each term's one or two words
    entry = np.r_[np.arange(len(terms)), np.flatnonzero(phrase)]
    codes = pairs[entry] * PHRASE + np.r_[stems[0], stems[1][phrase]]
    order = np.argsort(codes, kind="stable")
    codes, entry = codes[order], entry[order]
    concepts = terms.copy()
    if not len(codes):
        return concepts
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    labels = np.minimum.reduceat(terms[entry], starts)
    np.minimum.at(concepts, entry, np.repeat(labels, np.diff(np.r_[starts, len(codes)])))
    return concepts


def _typical(vectors: Vectors, topics: np.ndarray) -> np.ndarray:
    """terms × topics, True where at least `TYPICAL` of the papers having the term are filed under the topic. A
    term's papers are those whose (pruned) vector has it."""
    width = topics.shape[1]
    papers = np.bincount(vectors.terms, minlength=len(vectors.keys))
    entry, topic = np.nonzero(topics[vectors.rows])
    filed = np.bincount(vectors.terms[entry] * width + topic, minlength=len(vectors.keys) * width)
    return filed.reshape(len(vectors.keys), width) >= TYPICAL * papers[:, None]
