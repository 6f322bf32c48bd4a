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
