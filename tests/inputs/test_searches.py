"""content/interests.yaml's saved searches: what the reader takes, and an error naming the file and line for what
it cannot (a missing name or query, two searches alike, a query the search box cannot read)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.inputs.searches import SavedSearch, read_saved_searches
from tests.helpers import SIMPLEST_INTERESTS as SIMPLEST  # the file: its other keys are not this reader's
from tests.helpers import make_project


def read(tmp_path: Path, text: str) -> tuple[SavedSearch, ...]:
    (tmp_path / "interests.yaml").write_text(text, encoding="utf-8")
    return read_saved_searches(tmp_path)


def test_the_simplest_file_works_as_written(tmp_path: Path) -> None:
    assert read(tmp_path, SIMPLEST) == (SavedSearch("Test-time scaling", "+test-time +scaling", "test-time-scaling"),)


def test_no_file_no_key_or_an_empty_list_is_no_saved_search(tmp_path: Path) -> None:
    assert read_saved_searches(tmp_path) == ()
    assert read(tmp_path, "keywords: [diffusion]\nlibrary: refs.bib\n") == ()
    assert read(tmp_path, "searches: []\n") == ()
    assert read(tmp_path, "") == ()


def test_names_slug_safely_and_a_name_of_no_latin_letters_still_gets_an_address(tmp_path: Path) -> None:
    found = read(tmp_path, 'searches:\n  - {name: "<b>KV cache</b> & co", query: kv}\n  - {name: 扩散模型, query: x}\n')
    assert found[0].slug == "b-kv-cache-b-co"
    assert found[1].slug.startswith("search-") and len(found[1].slug) == len("search-") + 6


@pytest.mark.parametrize(("text", "line", "words"), [
    ("searches:\n  - name: A\n    query: a\n  - query: b\n", 4, "has no 'name'"),
    ("searches:\n  - name: A\n    query: a\n  - name: B\n", 4, "has no 'query'"),
    ("searches:\n  - name: A\n    query: a\n  - name: B\n    query: '   '\n", 5, "'query' is empty"),
    ("searches:\n  - name: Diffusion\n    query: a\n  - name: diffusion\n    query: b\n", 4, "saved twice"),
    ("searches:\n  - name: KV cache\n    query: a\n  - name: KV-Cache!\n    query: b\n", 4,
     "same page address (searches/kv-cache/)"),
    ("searches:\n  - name: A\n    query: 'title:'\n", 3, "the search box cannot read 'title:'"),
    ("searches:\n  - name: A\n    query: a\n  - name: B\n    query: 'venue:iclr'\n", 5, "possible fields"),
    ("searches:\n  - name: A\n    query: 'model^x'\n", 3, "the search box cannot read"),
    ("searches:\n  - name: A\n    query: '+'\n", 3, "the search box cannot read"),
    ("searches:\n  - name: A\n    query: '?! ...'\n", 3, "has no word"),
    ("searches:\n  - name: A\n    query: a\n    tags: [x]\n", 4, "unknown key"),
    ("searches:\n  - just a string\n", 2, "expected a search with a 'name' and a 'query'"),
    ("searches: diffusion\n", 1, "expected a list of searches"),
    ("searches:\n  - name: [a, b]\n    query: a\n", 2, "expected text for 'name'"),
])
def test_each_mistake_names_the_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read(tmp_path, text)
    assert words in str(caught.value), str(caught.value)
    assert caught.value.line == line, str(caught.value)
    assert str(caught.value).startswith(f"{tmp_path / 'interests.yaml'}:{line}:"), str(caught.value)


@pytest.mark.parametrize("command", [["build", "--output", "out", "--quiet"], ["check"]])
def test_digest_build_and_check_stop_with_one_line_and_exit_code_2(tmp_path: Path, command: list[str]) -> None:
    project = make_project(tmp_path, with_seeds=True)
    (project.content / "interests.yaml").write_text("searches:\n  - name: A\n    query: 'foo:bar'\n",
                                                     encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "digest", *command, "--source", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "interests.yaml:3:" in result.stderr and "foo" in result.stderr


def test_digest_check_counts_the_saved_searches(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    (project.content / "interests.yaml").write_text(SIMPLEST, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "digest", "check", "--source", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(", 1 saved search"), result.stdout
