"""Read and check `content/topics.yaml` into a `Taxonomy` (`digest/taxonomy.py`: the topics and the classifier).

Every key is checked with its line: unknown keys, wrong types, empty phrase lists, duplicate slugs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digest.inputs.yamlfile import YamlDocument, load_yaml_text, read_settings_text
from digest.taxonomy import OTHER_SLUG, Taxonomy, Topic, TopicRule
from digest.text import normalize_title, slugify

TOPICS_FILE_NAME = "topics.yaml"
SCORING_KEYS = ("title_weight", "abstract_weight", "keyword_weight", "threshold", "max_topics", "fallback")
TOPIC_KEYS = ("name", "slug", "description", "phrases", "exclude", "threshold")


DEFAULT_OTHER = Topic(OTHER_SLUG, "Other", "Papers that match no topic in the taxonomy.")


@dataclass
class TaxonomyCache:
    """The topics file's text and the taxonomy it gave: a preview rebuild reads the file but parses it (with
    PyYAML, 35 ms for the bundled taxonomy) only when the text changed."""

    text: str | None = None
    taxonomy: Taxonomy | None = None


def load_taxonomy(content_dir: Path, cache: TaxonomyCache | None = None) -> Taxonomy:
    path = content_dir / TOPICS_FILE_NAME
    if not path.is_file():
        return Taxonomy(rules=(), other=DEFAULT_OTHER)
    text = read_settings_text(path)
    if cache is not None and cache.taxonomy is not None and cache.text == text:
        return cache.taxonomy
    taxonomy = parse_taxonomy(load_yaml_text(text, path))
    if cache is not None:
        cache.text, cache.taxonomy = text, taxonomy
    return taxonomy


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


def _scoring(document: YamlDocument, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise document.error(("scoring",), "expected a mapping with title_weight, abstract_weight, "
                                           "keyword_weight, threshold, max_topics, fallback")
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key not in SCORING_KEYS:
            raise document.error(("scoring", str(key)), "unknown key; use title_weight, abstract_weight, "
                                                        "keyword_weight, threshold, max_topics or fallback")
        result[key] = _scoring_value(document, key, value)
    return result


def _scoring_value(document: YamlDocument, key: str, value: Any) -> float | int:
    """A weight or threshold is a number of 0 or more; `max_topics` a whole number, `fallback` above 0 (at 0
    a paper with no evidence at all would join a topic)."""
    number = not isinstance(value, bool) and isinstance(value, (int, float))
    if key == "max_topics":
        if not number or not isinstance(value, int) or value < 1:
            raise document.error(("scoring", key), f"expected a whole number of 1 or more, got {value!r}")
        return value
    if key == "fallback" and (not number or value <= 0):
        raise document.error(("scoring", key), f"expected a number above 0, got {value!r}")
    if not number or value < 0:
        raise document.error(("scoring", key), f"expected a number of 0 or more, got {value!r}")
    return float(value)


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
        if key not in TOPIC_KEYS:
            raise document.error((*key_path, str(key)),
                                 "unknown key; use name, slug, description, phrases, exclude or threshold")
    name = _text(document, item, key_path, "name")
    slug = _text(document, item, key_path, "slug", required=False) or slugify(name)
    if slug != slugify(slug) or not slug:
        raise document.error((*key_path, "slug"), f"slug '{slug}' must be lowercase ASCII letters, digits and hyphens")
    if slug == OTHER_SLUG:
        raise document.error((*key_path, "slug"), "'other' is reserved for papers that match no topic")
    description = _text(document, item, key_path, "description", required=False)
    phrases = _phrases(document, item, key_path, "phrases")
    exclude = _phrases(document, item, key_path, "exclude") if "exclude" in item else ()
    threshold = item.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                  or threshold < 0):
        raise document.error((*key_path, "threshold"), f"expected a number of 0 or more, got {threshold!r}")
    return TopicRule(Topic(slug, name, description), phrases, None if threshold is None else float(threshold),
                     exclude)


def _phrases(document: YamlDocument, item: dict[str, Any], key_path: tuple[Any, ...], key: str) -> tuple[str, ...]:
    phrases = item.get(key)
    if not isinstance(phrases, list) or not phrases:
        raise document.error((*key_path, key) if key in item else key_path,
                             f"'{key}' must be a non-empty list of words or phrases")
    for number, phrase in enumerate(phrases):
        if not isinstance(phrase, str) or not normalize_title(phrase.rstrip("*")):
            raise document.error((*key_path, key, number), f"a phrase must be non-empty text, got {phrase!r}")
    return tuple(phrases)


def _other(document: YamlDocument, data: Any) -> Topic:
    if data is None:
        return DEFAULT_OTHER
    if not isinstance(data, dict):
        raise document.error(("other",), "expected a mapping with name and description")
    name = _text(document, data, ("other",), "name", required=False) or DEFAULT_OTHER.name
    description = _text(document, data, ("other",), "description", required=False) or DEFAULT_OTHER.description
    return Topic(OTHER_SLUG, name, description)
