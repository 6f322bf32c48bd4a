"""The topic taxonomy (`content/topics.yaml`) and the classifier that files papers under it.

A topic is data: a name, a slug, a description and weighted phrases. A paper
scores `title_weight` for each phrase found in its title, `abstract_weight`
for each found in its abstract and `keyword_weight` for each found in its
keywords (the feed's `ai_keywords`, when a reader has them); it joins every
topic scoring at least `threshold`. Papers that join none are filed under "Other".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digest.inputs.yamlfile import YamlDocument, load_yaml_file
from digest.text import normalize_title, slugify

TOPICS_FILE_NAME = "topics.yaml"
OTHER_SLUG = "other"
SCORING_KEYS = ("title_weight", "abstract_weight", "keyword_weight", "threshold")


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class TopicRule:
    topic: Topic
    pattern: re.Pattern[str]
    phrases: tuple[re.Pattern[str], ...]
    _surfaces: dict[str, int] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)

    def count(self, text: str) -> int:
        """How many distinct phrases of the topic occur in `text` (normalised, padded with spaces).

        'benchmark' and 'benchmarks', or 'evaluate' and 'evaluation' under 'evaluat*', are one phrase.
        """
        return len({self._phrase_of(surface) for surface in set(self.pattern.findall(text))})

    def _phrase_of(self, surface: str) -> int:
        # One group per phrase would say which phrase matched, but makes the regex four times slower; the few
        # distinct words a topic finds are mapped back to their phrase once and remembered.
        index = self._surfaces.get(surface)
        if index is None:
            index = next((n for n, phrase in enumerate(self.phrases) if phrase.fullmatch(surface)), -1)
            self._surfaces[surface] = index
        return index


@dataclass(frozen=True)
class Taxonomy:
    rules: tuple[TopicRule, ...]
    other: Topic
    title_weight: float = 3.0
    abstract_weight: float = 1.0
    keyword_weight: float = 1.0
    threshold: float = 2.0

    @property
    def topics(self) -> tuple[Topic, ...]:
        return (*(rule.topic for rule in self.rules), self.other)

    def classify(self, title: str, abstract: str, keywords: Iterable[str] = ()) -> tuple[str, ...]:
        """Slugs of the topics a paper belongs to, in taxonomy order; never empty.

        `keywords` are extra evidence, such as the feed's `ai_keywords`. Memoised across builds (the taxonomy
        is reloaded each build but compares equal), so a preview rebuild does not run the topic regexes over
        every abstract again.
        """
        return _classify(self, title, abstract, tuple(keywords))

    def classify_uncached(self, title: str, abstract: str, keywords: Iterable[str] = ()) -> tuple[str, ...]:
        texts = [(self.title_weight, f" {normalize_title(title)} "),
                 (self.abstract_weight, f" {normalize_title(abstract)} ")]
        if keywords and self.keyword_weight:
            # ' | ' keeps a phrase from spanning two keywords: phrases hold only words and spaces.
            texts.append((self.keyword_weight, f" {' | '.join(normalize_title(k) for k in keywords)} "))
        chosen = []
        for rule in self.rules:
            score = sum(weight * rule.count(text) for weight, text in texts if weight)
            if score >= self.threshold:
                chosen.append(rule.topic.slug)
        return tuple(chosen) or (self.other.slug,)


@functools.lru_cache(maxsize=1 << 17)
def _classify(taxonomy: Taxonomy, title: str, abstract: str, keywords: tuple[str, ...]) -> tuple[str, ...]:
    return taxonomy.classify_uncached(title, abstract, keywords)


DEFAULT_OTHER = Topic(OTHER_SLUG, "Other", "Papers that match no topic in the taxonomy.")


def load_taxonomy(content_dir: Path) -> Taxonomy:
    path = content_dir / TOPICS_FILE_NAME
    if not path.is_file():
        return Taxonomy(rules=(), other=DEFAULT_OTHER)
    document = load_yaml_file(path)
    return parse_taxonomy(document)


def parse_taxonomy(document: YamlDocument) -> Taxonomy:
    data = document.data
    if not isinstance(data, dict):
        raise document.error((), "expected a mapping with a 'topics' list")
    unknown = set(data) - {"topics", "scoring", "other"}
    if unknown:
        raise document.error((str(sorted(unknown)[0]),), "unknown key; use 'topics', 'scoring' or 'other'")
    scoring = _scoring(document, data.get("scoring") or {})
    topics = data.get("topics")
    if not isinstance(topics, list) or not topics:
        raise document.error(("topics",), "expected a list of topics, each with name, slug, description, phrases")
    rules = [_rule(document, index, item) for index, item in enumerate(topics)]
    other = _other(document, data.get("other"))
    seen: dict[str, int] = {other.slug: -1}
    for index, rule in enumerate(rules):
        if rule.topic.slug in seen:
            raise document.error(("topics", index, "slug"),
                                 f"duplicate slug '{rule.topic.slug}'; every topic needs its own slug")
        seen[rule.topic.slug] = index
    return Taxonomy(rules=tuple(rules), other=other, **scoring)


def _scoring(document: YamlDocument, data: Any) -> dict[str, float]:
    if not isinstance(data, dict):
        raise document.error(("scoring",), "expected a mapping with title_weight, abstract_weight, "
                                           "keyword_weight, threshold")
    result = {}
    for key, value in data.items():
        if key not in SCORING_KEYS:
            raise document.error(("scoring", str(key)),
                                 "unknown key; use title_weight, abstract_weight, keyword_weight or threshold")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise document.error(("scoring", key), f"expected a number of 0 or more, got {value!r}")
        result[key] = float(value)
    return result


def _text(document: YamlDocument, item: dict[str, Any], key_path: tuple[Any, ...], key: str,
          required: bool = True) -> str:
    value = item.get(key)
    if value is None or value == "":
        if required:
            raise document.error((*key_path, key) if key in item else key_path, f"'{key}' is missing")
        return ""
    if not isinstance(value, str):
        raise document.error((*key_path, key), f"'{key}' must be text, got {type(value).__name__}")
    return value.strip()


def _rule(document: YamlDocument, index: int, item: Any) -> TopicRule:
    key_path = ("topics", index)
    if not isinstance(item, dict):
        raise document.error(key_path, "each topic must be a mapping with name, slug, description and phrases")
    for key in item:
        if key not in ("name", "slug", "description", "phrases"):
            raise document.error((*key_path, str(key)), "unknown key; use name, slug, description or phrases")
    name = _text(document, item, key_path, "name")
    slug = _text(document, item, key_path, "slug", required=False) or slugify(name)
    if slug != slugify(slug) or not slug:
        raise document.error((*key_path, "slug"), f"slug '{slug}' must be lowercase ASCII letters, digits and hyphens")
    if slug == OTHER_SLUG:
        raise document.error((*key_path, "slug"), "'other' is reserved for papers that match no topic")
    description = _text(document, item, key_path, "description", required=False)
    phrases = item.get("phrases")
    if not isinstance(phrases, list) or not phrases:
        raise document.error((*key_path, "phrases") if "phrases" in item else key_path,
                             "'phrases' must be a non-empty list of words or phrases")
    for number, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not normalize_title(phrase.rstrip("*")):
            raise document.error((*key_path, "phrases", number), f"a phrase must be non-empty text, got {phrase!r}")
    alternatives = _phrase_alternatives(phrases)
    return TopicRule(Topic(slug, name, description), _topic_pattern(alternatives),
                     tuple(re.compile(alternative) for alternative in alternatives))


def _other(document: YamlDocument, data: Any) -> Topic:
    if data is None:
        return DEFAULT_OTHER
    if not isinstance(data, dict):
        raise document.error(("other",), "expected a mapping with name and description")
    name = _text(document, data, ("other",), "name", required=False) or DEFAULT_OTHER.name
    description = _text(document, data, ("other",), "description", required=False) or DEFAULT_OTHER.description
    return Topic(OTHER_SLUG, name, description)


def _phrase_alternatives(phrases: list[str]) -> list[str]:
    """A regex per phrase: words as written, a trailing '*' matches any word ending, plurals match.

    Longest first, so 'mixture of experts' wins over 'experts' at the same place.
    """
    alternatives = []
    for phrase in sorted(set(phrases), key=lambda p: (-len(p), p)):
        prefix = phrase.strip().endswith("*")
        words = normalize_title(phrase.rstrip("*"))
        body = re.escape(words).replace(r"\ ", " ")
        alternatives.append(body + (r"\w*" if prefix else r"(?:s|es)?"))
    return alternatives


def _topic_pattern(alternatives: list[str]) -> re.Pattern[str]:
    """One regex per topic, finding its phrases as whole words in text padded with spaces."""
    # The leading space is matched, not looked behind at: the same matches (phrases never end in a space), but
    # a literal first character lets the regex engine skip ahead to the next space, which halves classify time.
    return re.compile(r" (" + "|".join(alternatives) + r")(?= )")
