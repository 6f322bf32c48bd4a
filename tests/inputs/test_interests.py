"""content/interests.yaml as a curator writes it: the simplest file, weights, ids, a library in three formats,
and every mistake reported with the file and its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from digest.errors import ConfigError
from digest.inputs.interests import DEFAULT_THRESHOLD, load_interests
from tests.helpers import LIBRARY_FIXTURES, SIMPLEST_INTERESTS, make_interest_project


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "interests.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_no_file_means_no_interests(tmp_path: Path) -> None:
    assert load_interests(tmp_path) is None


def test_the_simplest_file_of_the_issue_reads_as_written_and_leaves_searches_alone(tmp_path: Path) -> None:
    interests = load_interests(write(tmp_path, SIMPLEST_INTERESTS))
    assert interests is not None
    assert [(entry.text, entry.weight, entry.line) for entry in interests.keywords] == [
        ("speculative decoding", 1.0, 1), ("mixture of experts", 1.0, 1)]
    assert [entry.text for entry in interests.authors] == ["Tri Dao"]
    assert [entry.text for entry in interests.organizations] == ["Qwen"]
    assert [(mute.kind, mute.text) for mute in interests.mute] == [("phrase", "jailbreak")]
    assert interests.threshold == DEFAULT_THRESHOLD and not interests.has_profile


def test_weights_ids_mutes_and_the_threshold(tmp_path: Path) -> None:
    interests = load_interests(write(tmp_path, """\
keywords:
  - speculative decoding: 2.5
  - KV cache
authors:
  - Tri Dao: 3
papers: [2510.01234, "arXiv:2211.17192v2", 2401.10774v3]
mute:
  - jailbreak
  - author: Some One
  - topic: Robotics
threshold: 2
"""))
    assert interests is not None
    assert [(e.text, e.weight, e.line) for e in interests.keywords] == [("speculative decoding", 2.5, 2),
                                                                      ("KV cache", 1.0, 3)]
    assert interests.authors[0].weight == 3.0
    assert [entry.text for entry in interests.papers] == ["2510.01234", "2211.17192", "2401.10774"]
    assert [(m.kind, m.text, m.line) for m in interests.mute] == [
        ("phrase", "jailbreak", 8), ("author", "Some One", 9), ("topic", "Robotics", 10)]
    assert interests.threshold == 2.0


@pytest.mark.parametrize("name", ["library.bib", "library.ris", "library.json"])
def test_a_library_in_each_format_gives_titles_abstracts_authors_and_arxiv_ids(tmp_path: Path, name: str) -> None:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / name).write_bytes((LIBRARY_FIXTURES / name).read_bytes())
    interests = load_interests(write(tmp_path, f"library: refs/{name}\n"))
    assert interests is not None and interests.has_profile and interests.library_line == 1
    first, second = interests.library
    assert first.title == "Fast Inference from Transformers via Speculative Decoding"
    assert "acceptance rate" in first.abstract
    assert first.authors[0] == "Yaniv Leviathan" and first.arxiv_id == "2211.17192"
    assert second.title.startswith("FlashAttention: Fast")  # BibTeX's protecting braces are gone
    assert second.authors[0] == "Tri Dao" and second.arxiv_id == "2205.14135"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("keywords: [a]\ntopics: [b]\n", 2, "unknown key"),
    ("keywords:\n  - speculative decoding: heavy\n", 2, "a weight must be a number"),
    ("keywords:\n  - speculative decoding: 0\n", 2, "a weight must be a number"),
    ("authors:\n  - Tri Dao\n  - tri  dao\n", 3, "listed twice"),
    ("papers:\n  - 2510.01234\n  - not-an-id\n", 3, "not an arXiv id"),
    ("mute:\n  - jailbreak\n  - venue: NeurIPS\n", 3, "mute an author, a topic or a phrase"),
    ("keywords: {a: b, c: d}\n", 1, "expected a list"),
    ("keywords:\n  - [nested]\n", 2, "expected text"),
    ("threshold: -1\n", 1, "threshold"),
    ("library: missing.bib\n", 1, "no library export"),
    ("keywords: [a\n", 2, "invalid YAML"),
    ("- just a list\n", 1, "expected keys"),
])
def test_each_mistake_names_the_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_interests(write(tmp_path, text))
    assert caught.value.path == tmp_path / "interests.yaml"
    assert caught.value.line == line
    assert words in str(caught.value)


@pytest.mark.parametrize(("name", "text", "words"), [
    ("broken.bib", "@article{x,\n  title = {Unclosed\n", "BibTeX that cannot be parsed"),
    ("broken.json", '[{"title": "x",}]', "CSL-JSON that cannot be parsed"),
    ("empty.ris", "nothing here\n", "no references"),
    ("refs.xml", "<xml/>", "BibTeX (.bib), RIS (.ris) or CSL-JSON (.json)"),
    ("latin1.bib", "@misc{x, title={Caf\xe9}}", "not UTF-8"),
])
def test_an_unreadable_library_is_an_error_naming_the_library(tmp_path: Path, name: str, text: str,
                                                               words: str) -> None:
    data = text.encode("latin-1") if name == "latin1.bib" else text.encode("utf-8")
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        load_interests(write(tmp_path, f"library: {name}\n"))
    assert caught.value.path == tmp_path / name
    assert words in str(caught.value)


def test_digest_check_reports_the_file_and_line_and_exits_2(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    project = make_interest_project(tmp_path, "keywords: [speculative decoding]\nmute:\n  - topic: Knitting\n")
    assert main(["check", "--source", str(project.root)]) == 2
    error = capsys.readouterr().err
    assert f"{project.content / 'interests.yaml'}:3" in error and "Knitting" in error and "Traceback" not in error
    (project.content / "interests.yaml").write_text(SIMPLEST_INTERESTS, encoding="utf-8")
    assert main(["check", "--source", str(project.root)]) == 0
    assert "interests.yaml" in capsys.readouterr().out
