"""The topic taxonomy: coverage of the bundled content and errors in topics.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.inputs.topics import load_taxonomy, parse_taxonomy
from digest.inputs.yamlfile import load_yaml_file, load_yaml_text
from tests.test_catalog import seed_catalog

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "topics"


def test_default_taxonomy_fits_the_bundled_content() -> None:
    catalog = seed_catalog()
    total = len(catalog.papers)
    filed = [p for p in catalog.papers.values() if p.topics != ("other",)]
    assert len(filed) / total >= 0.90
    for topic in catalog.topics:
        members = catalog.papers_by_topic[topic.slug]
        assert len(members) <= 0.40 * total, topic.slug
        if topic.slug != "other":
            assert len(members) >= 3, topic.slug


def test_title_matches_weigh_more_than_abstract_matches() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {title_weight: 3, abstract_weight: 1, threshold: 2}\n"
        "topics:\n  - {name: Federated, slug: fed, phrases: [federated, clients]}\n", Path("t.yaml")))
    assert taxonomy.classify("Federated Averaging", "Nothing here.") == ("fed",)
    assert taxonomy.classify("Averaging", "Uses federated data once.") == ("other",)
    assert taxonomy.classify("Averaging", "Federated learning with many clients.") == ("fed",)


def test_phrases_match_whole_words_plurals_and_prefixes() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {threshold: 1}\n"
        "topics:\n  - {name: Q, slug: q, phrases: [quantiz*, 'mixture of expert']}\n", Path("t.yaml")))
    assert taxonomy.classify("Quantized Models", "") == ("q",)
    assert taxonomy.classify("Mixture-of-Experts", "") == ("q",)
    assert taxonomy.classify("Unquantized", "") == ("other",)


@pytest.mark.parametrize(("name", "line", "words"), [
    ("missing-name.yaml", 2, "'name' is missing"),
    ("duplicate-slug.yaml", 6, "duplicate slug 'alpha'"),
    ("wrong-type.yaml", 4, "'phrases' must be a non-empty list"),
])
def test_bad_taxonomy_names_the_key_and_line(name: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_taxonomy(load_yaml_file(FIXTURES / name))
    assert caught.value.line == line
    assert words in str(caught.value)
    assert name in str(caught.value)


def test_a_project_without_topics_yaml_files_everything_under_other(tmp_path: Path) -> None:
    taxonomy = load_taxonomy(tmp_path)
    assert [topic.slug for topic in taxonomy.topics] == ["other"]


def test_keywords_are_extra_evidence_weighed_by_keyword_weight() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {title_weight: 3, abstract_weight: 1, keyword_weight: 2, threshold: 3}\n"
        "topics:\n  - {name: Agents, slug: agents, phrases: [agent*, tool use]}\n", Path("t.yaml")))
    assert taxonomy.keyword_weight == 2
    abstract = "We study agents."
    assert taxonomy.classify("A Study", abstract) == ("other",)
    assert taxonomy.classify("A Study", abstract, ["LLM agents"]) == ("agents",)
    assert taxonomy.classify("A Study", abstract, ("LLM", "tool-use")) == ("agents",)
    assert taxonomy.classify("A Study", "", ["gentle"]) == ("other",)
    # A phrase never spans two keywords.
    assert taxonomy.classify("A Study", "", ["tool", "use"]) == ("other",)


def test_keyword_weight_defaults_to_one_and_zero_turns_keywords_off() -> None:
    text = "topics:\n  - {name: Agents, slug: agents, phrases: [agent*, tool use]}\n"
    default = parse_taxonomy(load_yaml_text("scoring: {threshold: 3}\n" + text, Path("t.yaml")))
    assert default.classify("A Study", "Agents.", ["tool use"]) == ("other",)
    assert default.classify("A Study", "Agents.", ["tool use", "agentic"]) == ("agents",)
    off = parse_taxonomy(load_yaml_text("scoring: {threshold: 3, keyword_weight: 0}\n" + text, Path("t.yaml")))
    assert off.classify("A Study", "Agents.", ["tool use", "agentic", "agent"]) == ("other",)


def test_each_phrase_counts_once_whatever_its_form() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {title_weight: 3, abstract_weight: 1, threshold: 2}\n"
        "topics:\n  - {name: Eval, slug: eval, phrases: [evaluat*, benchmark, leaderboard]}\n", Path("t.yaml")))
    assert taxonomy.classify("X", "We evaluate; the evaluation evaluated benchmarks and a benchmark.") == ("eval",)
    assert taxonomy.classify("X", "We evaluate; the evaluation was evaluated.") == ("other",)
    assert taxonomy.classify("X", "Benchmarks and a benchmark.") == ("other",)


def test_classify_is_memoised_with_keywords() -> None:
    taxonomy = parse_taxonomy(load_yaml_text(
        "scoring: {threshold: 1}\ntopics:\n  - {name: A, slug: a, phrases: [agent]}\n", Path("t.yaml")))
    assert taxonomy.classify("T", "", ["agent"]) == ("a",)
    assert taxonomy.classify("T", "", ("agent",)) == ("a",)
    assert taxonomy.classify("T", "") == ("other",)
