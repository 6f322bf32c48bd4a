"""Related papers: for each paper, the few others most like it in content, each with a reason a reader can check.

A post-pass over the finished catalog (as Zola's `fill_backlinks`): it needs every paper at once, so it
runs once per build, after the catalog, and is a pure function of the papers. The same papers give the
same lists whatever their order; no network, no model.

Each paper is a TF-IDF vector over

- the words of its title, abstract and keywords (the API's `ai_keywords`), split and stemmed as search does
  (`output/search/words.py`), a title word counting `TITLE_WEIGHT` times, a keyword word `KEYWORD_WEIGHT`
  times; a word with a prefix ("pre-training") also as one word ("pretraining"); never a filler word
  (`filler.py`: "now", "illustrate", "time-consuming");
- two-word phrases that are a unit in the corpus ("client drift", "non-IID"): at least `COLLOCATION` of the
  papers with the rarer of the two words have the phrase, or some paper has it as a whole keyword;
- its authors, when known, one term each, together weighing about `AUTHOR_WEIGHT` words of the same rarity.

A term weighs count × ln(N / papers with it), a weak stem (a code such as "M1", two letters) `WEAK_WEIGHT` of
that. Terms in more than `MAX_DF_SHARE` of the papers are dropped, and so is a word nearly always inside one
phrase. Each vector is normalised to length 1, then pruned to its `TOP_TERMS` heaviest terms that some other
paper has. Similarities are computed a block of rows × every paper at a time (`BLOCK_BYTES`), by scattering
the products of each term's postings, each product at most `PRODUCT_CAP` (`vectors.py`).

Of each paper's `CANDIDATES` nearest papers, those with evidence are listed (`links.py`): a shared author,
or enough shared concepts and topics that no single word carries the link; a list shorter than `MIN_RELATED`
is filled with the closest papers of the same topic. The reason says what the two papers share: authors,
topics, then the shared terms that add most to the score, each spelled as the corpus most often spells it
("Same topic: Safety, Security and Privacy · Shared terms: federated learning, FL, heterogeneity").

`terms.py` counts the terms, `vectors.py` weighs them and scores the pairs, `links.py` keeps the ones with
evidence and fills short lists, `reasons.py` says why; this module puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from digest.related.links import MIN_RELATED, find_links
from digest.related.reasons import reason, shared_terms
from digest.related.terms import OTHER_TOPIC, Paper, Terms, Vocabulary, author_key, texts_of
from digest.related.vectors import MAX_RELATED, MIN_SCORE, SharedTerms, Vectors
from digest.taxonomy import Topic

__all__ = ["MAX_RELATED", "MIN_RELATED", "MIN_SCORE", "Paper", "Related", "RelatedCache", "RelatedLists",
           "related_inputs", "related_papers"]


class Related(NamedTuple):
    """A paper related to another, and why, in one line. A named tuple, not a dataclass: 50,000 of them are
    made and pickled back from a worker every preview build, ten times faster this way."""

    slug: str
    reason: str


RelatedLists = Mapping[str, tuple[Related, ...]]  # the related stage's output: each paper's list, by slug


def related_papers(papers: Iterable[Paper], topics: Iterable[Topic] = (),
                   vocabulary: Vocabulary | None = None) -> RelatedLists:
    """Every paper's related papers, most similar first: at most `MAX_RELATED`, never itself, maybe none.

    `topics` gives the names reasons show for topic slugs (a slug without one is shown as it is); `vocabulary`
    may hold titles and abstracts already split into words (`RelatedCache.vocabulary`).
    """
    ordered = sorted(papers, key=lambda paper: paper.slug)
    authors = [{author_key(name): name for name in paper.authors} for paper in ordered]
    terms = Terms.count(ordered, authors, vocabulary)
    vectors = Vectors.weigh(terms, len(ordered))
    shared = SharedTerms(vectors)
    rows, others, _ = find_links(shared, topic_matrix(ordered))
    pairs, terms_shared, _ = shared.of(rows, others)
    said = shared_terms(vectors, len(rows), pairs, terms_shared)
    spelled = terms.spellings({key for keys in said for key in keys}, ordered)
    names = {topic.slug: topic.name for topic in topics}
    lists: dict[str, list[Related]] = {paper.slug: [] for paper in ordered}
    for row, other, keys in zip(rows.tolist(), others.tolist(), said, strict=True):
        paper, related = ordered[row], ordered[other]
        why = reason(paper, related, authors[row], authors[other], names, [spelled[key] for key in keys])
        lists[paper.slug].append(Related(related.slug, why))
    return {slug: tuple(found) for slug, found in lists.items()}


def topic_matrix(papers: list[Paper]) -> np.ndarray:
    """papers × topics (but Other), True where the paper is filed under the topic."""
    numbers: dict[str, int] = {}
    cells = [(row, numbers.setdefault(slug, len(numbers))) for row, paper in enumerate(papers)
             for slug in paper.topics if slug != OTHER_TOPIC]
    matrix = np.zeros((len(papers), len(numbers)), dtype=bool)
    if cells:
        matrix[tuple(np.array(cells).T)] = True
    return matrix


@dataclass
class RelatedCache:
    """A preview session's last related lists, with everything `related_papers` read to make them.

    A save that leaves every paper's slug, title, abstract, topics and authors as they were (today's snapshot
    fetched again with new upvotes, a setting changed) reuses them: computing them costs 1 s at 10,000 papers.
    """

    inputs: tuple[Any, ...] | None = None
    lists: RelatedLists | None = None
    vocabulary: Vocabulary = field(default_factory=Vocabulary)  # each title and abstract split into words

    def tokenize(self, papers: Iterable[Paper]) -> Vocabulary:
        """Every title and abstract split into words and numbered, only the new ones now. Splitting and numbering
        were half the related papers' time; a preview computes them in a forked worker, which reads what this
        process kept."""
        self.vocabulary.learn([text for paper in sorted(papers, key=lambda paper: paper.slug)
                               for text in texts_of(paper)])
        return self.vocabulary

    def get(self, inputs: tuple[Any, ...]) -> RelatedLists | None:
        """The last lists, if they were made from these `related_inputs`."""
        return self.lists if self.inputs is not None and self.inputs == inputs else None

    def put(self, inputs: tuple[Any, ...], lists: RelatedLists) -> None:
        self.inputs, self.lists = inputs, lists


def related_inputs(papers: Iterable[Paper], topics: Iterable[Topic]) -> tuple[Any, ...]:
    """What `related_papers` reads of its arguments: equal inputs give equal lists."""
    return (tuple((paper.slug, paper.title, paper.abstract, paper.topics, paper.authors, paper.keywords)
                  for paper in papers),
            tuple((topic.slug, topic.name) for topic in topics))
