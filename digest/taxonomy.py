"""The topic taxonomy as data, and the classifier that files papers under it (the catalog stage runs it).

A topic is data: a name, a slug, a description and weighted phrases. A paper
scores `title_weight` for each phrase found in its title, `abstract_weight`
for each found in its abstract and `keyword_weight` for each found in its
keywords (the feed's `ai_keywords`, when a reader has them); it joins every
topic scoring at least `threshold`, or the topic's own `threshold` when it sets
one (for topics whose words turn up in most abstracts, such as "benchmark"),
unless one of the topic's `exclude` phrases occurs in its text (a metaphor:
"the molecular structure of thought" is not chemistry). With `max_topics` set,
a paper keeps only that many of them, the highest scoring: a tag that every
paper carries five of tells a reader nothing. With `fallback` set, a paper that
reaches no threshold still joins the topics it scores highest on (every one
tied for the highest, `max_topics` at most) when that score is at least
`fallback`. Papers that join none are filed under "Other".

`inputs/topics.py` reads and checks `content/topics.yaml` into a `Taxonomy`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from digest.memo import Memo
from digest.text import folded_words, normalize_title

# What a paper is classified on: its title, abstract and keywords.
PaperText = tuple[str, str, tuple[str, ...]]
# The topics of each text, by the taxonomy's fingerprint and the text: the catalog stage's preview memory.
ClassifiedMemo = Memo[tuple[str, str, str, tuple[str, ...]], tuple[str, ...]]
# Runs tasks, maybe on other cores, yielding (task number, result) as each finishes (commands/parallel.run_tasks).
TaskRunner = Callable[[Sequence[Callable[[], list[tuple[str, ...]]]]], Iterator[tuple[int, list[tuple[str, ...]]]]]
CLASSIFY_CHUNKS = 4  # pieces the uncached papers are cut into when a TaskRunner is given
CLASSIFY_ALONE = 2000  # fewer uncached papers than this are classified here: a worker would cost more

OTHER_SLUG = "other"


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class TopicRule:
    topic: Topic
    phrases: tuple[str, ...]  # as written in topics.yaml
    threshold: float | None = None  # this topic's own threshold, else the taxonomy's
    exclude: tuple[str, ...] = ()  # phrases that keep a paper out of this topic wherever they occur


@dataclass(frozen=True)
class Taxonomy:
    rules: tuple[TopicRule, ...]
    other: Topic
    title_weight: float = 3.0
    abstract_weight: float = 1.0
    keyword_weight: float = 1.0
    threshold: float = 2.0
    max_topics: int | None = None  # topics a paper keeps at most, the highest scoring; None: every one it joins
    fallback: float | None = None  # a paper under no topic joins its best ones if they score this; None: never
    _finder: PhraseFinder = field(init=False, compare=False, hash=False, repr=False)
    _vetoes: tuple[tuple[int, int], ...] = field(init=False, compare=False, hash=False, repr=False)
    _fingerprint: str = field(init=False, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        # The exclude lists ride in the same finder after the topics' phrases, so one pass over a text finds
        # both: (topic, its exclude list's place in the finder) for each topic that has one.
        excluding = [index for index, rule in enumerate(self.rules) if rule.exclude]
        lists = [*(rule.phrases for rule in self.rules), *(self.rules[index].exclude for index in excluding)]
        object.__setattr__(self, "_finder", PhraseFinder(lists))
        object.__setattr__(self, "_vetoes", tuple((index, len(self.rules) + place)
                                                  for place, index in enumerate(excluding)))
        # What the classification cache keys on: hashing and comparing the rules on every call cost more
        # than the cache saved.
        object.__setattr__(self, "_fingerprint", hashlib.sha256(repr(self).encode("utf-8")).hexdigest())

    @property
    def topics(self) -> tuple[Topic, ...]:
        return (*(rule.topic for rule in self.rules), self.other)

    def classify_all(self, texts: Sequence[PaperText], run_tasks: TaskRunner | None = None,
                     memo: ClassifiedMemo | None = None) -> list[tuple[str, ...]]:
        """`classify` for many papers at once. `run_tasks` may classify them on other cores (a cold build's
        catalog); `memo` (a preview session's) holds the topics of texts classified by this taxonomy before, so
        a rebuild classifies only new or edited papers. The same topics either way."""
        memo = memo if memo is not None else Memo()
        found = [memo.get((self._fingerprint, *text)) for text in texts]
        missing = [number for number, topics in enumerate(found) if topics is None]
        if run_tasks is None or len(missing) < CLASSIFY_ALONE:
            chunks, results = [missing], iter([(0, self._classify_chunk([texts[number] for number in missing]))])
        else:
            chunks = [missing[start::CLASSIFY_CHUNKS] for start in range(CLASSIFY_CHUNKS)]
            results = run_tasks([partial(self._classify_chunk, [texts[number] for number in chunk])
                                 for chunk in chunks])
        for chunk_number, topics_of_chunk in results:
            for number, topics in zip(chunks[chunk_number], topics_of_chunk, strict=True):
                found[number] = memo.put((self._fingerprint, *texts[number]), topics)
        return [topics for topics in found if topics is not None]  # all of them now

    def _classify_chunk(self, texts: list[PaperText]) -> list[tuple[str, ...]]:
        return [self.classify(*text) for text in texts]

    def classify(self, title: str, abstract: str, keywords: Iterable[str] = ()) -> tuple[str, ...]:
        """Slugs of the topics a paper belongs to, in taxonomy order; never empty. `keywords` are extra
        evidence, such as the feed's `ai_keywords`."""
        scores = self.scores(title, abstract, keywords)
        chosen = [index for index, (rule, score) in enumerate(zip(self.rules, scores, strict=True))
                  if score >= (self.threshold if rule.threshold is None else rule.threshold)]
        if not chosen and self.fallback is not None:
            chosen = self._best(scores, self.fallback)
        if self.max_topics is not None and len(chosen) > self.max_topics:
            best = sorted(chosen, key=lambda index: -scores[index])[:self.max_topics]  # ties: taxonomy order
            chosen = sorted(best)
        return tuple(self.rules[index].topic.slug for index in chosen) or (self.other.slug,)

    @staticmethod
    def _best(scores: list[float], fallback: float) -> list[int]:
        """The topics with the highest score, if it reaches `fallback`: the paper's strongest evidence, weak
        as it is, says more than "Other" does."""
        best = max(scores, default=0.0)
        if best <= 0 or best < fallback:
            return []
        return [index for index, score in enumerate(scores) if score == best]

    def scores(self, title: str, abstract: str, keywords: Iterable[str] = ()) -> list[float]:
        """Each topic's score (in taxonomy order); 0 for a topic one of whose `exclude` phrases the text has."""
        scores = [0.0] * len(self.rules)
        vetoed: set[int] = set()
        for weight, texts in ((self.title_weight, (title,)), (self.abstract_weight, (abstract,)),
                              (self.keyword_weight, keywords)):
            if weight:
                counts = self._finder.count(texts)
                for index in range(len(scores)):
                    scores[index] += weight * counts[index]
                vetoed.update(index for index, place in self._vetoes if counts[place])
        for index in vetoed:
            scores[index] = 0.0
        return scores

    def phrase_counts(self, text: str) -> tuple[int, ...]:
        """How many distinct phrases of each topic (in taxonomy order) occur in `text`."""
        return tuple(self._finder.count((text,))[:len(self.rules)])


@dataclass(frozen=True, eq=False, slots=True)
class _Phrase:
    topic: int  # index of its rule
    rank: int  # its number among its topic's phrases, longest first: at one place the lowest rank wins
    size: int  # words
    middle: list[str]  # the words between the first and the last
    last: str
    prefix: bool  # the last word may go on ('quantiz*'); else it may take 's' or 'es'
    last_forms: frozenset[str]


class PhraseFinder:
    """Finds the phrases of every list (a topic's) in a text, in one pass over its words.

    A phrase matches whole words, ignoring case and punctuation; its last word may take an 's' or 'es'
    (plurals), or any ending if the phrase ends in '*'. Within a topic, matches do not overlap: at one place
    the longest phrase wins ('mixture of experts', not 'experts'), and the search goes on after it. Every form
    of a phrase counts as that phrase.
    """

    def __init__(self, phrase_lists: Sequence[Sequence[str]]) -> None:
        self.topics = len(phrase_lists)
        self._starting: dict[str, list[_Phrase]] = {}  # by the first word (any form of a one-word phrase)
        self._prefixes: dict[str, list[_Phrase]] = {}  # one-word phrases ending in '*', by their stem
        self._memo: dict[str, tuple[_Phrase, ...]] = {}  # each word seen: the phrases that can start at it
        for topic, phrases in enumerate(phrase_lists):
            forms = {(tuple(normalize_title(p.rstrip("*")).split()), p.strip().endswith("*")) for p in phrases}
            ordered = sorted(forms, key=lambda form: (-len(" ".join(form[0])) - form[1], form))
            for rank, (words, prefix) in enumerate(ordered):
                last = words[-1]
                phrase = _Phrase(topic, rank, len(words), list(words[1:-1]), last, prefix,
                                 frozenset((last, last + "s", last + "es")))
                if len(words) > 1:
                    self._starting.setdefault(words[0], []).append(phrase)
                elif prefix:
                    self._prefixes.setdefault(last, []).append(phrase)
                else:
                    for form in phrase.last_forms:
                        self._starting.setdefault(form, []).append(phrase)

    def count(self, texts: Iterable[str]) -> list[int]:
        """How many distinct phrases of each topic occur in `texts` (a phrase never spans two texts)."""
        found: set[_Phrase] = set()  # one object per phrase, whatever form of it matched
        memo = self._memo
        for text in texts:
            words = folded_words(text)
            free = [0] * self.topics  # where each topic's next match may start
            for place, word in enumerate(words):
                candidates = memo.get(word)
                if candidates is None:
                    candidates = self._candidates(word)
                for phrase in candidates:
                    if place < free[phrase.topic]:
                        continue
                    if phrase.size > 1:
                        end = place + phrase.size - 1
                        if end >= len(words):
                            continue
                        last = words[end]
                        if not (last.startswith(phrase.last) if phrase.prefix else last in phrase.last_forms):
                            continue
                        if phrase.size > 2 and words[place + 1:end] != phrase.middle:
                            continue
                    found.add(phrase)
                    free[phrase.topic] = place + phrase.size
        counts = [0] * self.topics
        for phrase in found:
            counts[phrase.topic] += 1
        return counts

    def _candidates(self, word: str) -> tuple[_Phrase, ...]:
        """The phrases that can start at `word`. The prefix phrases are looked up by each of the word's leading
        parts, not tried one by one: a cold build meets some 30,000 distinct words and the taxonomy has some
        200 stems."""
        stems = self._prefixes
        phrases = [*self._starting.get(word, ()),
                   *(phrase for end in range(1, len(word) + 1) for phrase in stems.get(word[:end], ()))]
        candidates = tuple(sorted(phrases, key=lambda phrase: (phrase.topic, phrase.rank)))
        self._memo[word] = candidates
        return candidates
