"""`digest topics`: each topic's share, warnings, and the words typical of the papers under Other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.cli import main
from tests.helpers import make_project

TOPICS = """\
scoring: {title_weight: 3, abstract_weight: 1, threshold: 3}
topics:
  - {name: Agents, slug: agents, description: LLM agents., phrases: [agent*, tool use]}
  - {name: Speech and Audio, slug: speech, description: Speech and sound., phrases: [speech, audio]}
  - {name: Robotics, slug: robotics, description: Robots., phrases: [robot*]}
"""

PAPERS = [
    ("Web Agents That Plan Ahead", "An agent browses the web and plans its clicks."),
    ("Tool Use for Language Agents", "Agents call tools to answer questions."),
    ("Agents in the Kitchen", "We put language agents in charge of recipes."),
    ("Multi-Agent Debate Improves Answers", "Several agents argue until they agree."),
    ("Speech Recognition at Scale", "A speech model trained on a million hours."),
    ("Graph Neural Networks for Traffic Forecasting",
     "We forecast road traffic with graph neural networks over sensor data and roadside audio."),
    ("Message Passing on Road Graphs", "Graph neural networks predict traffic jams from road sensors and audio."),
    ("Tabular Data Is Still Hard", "Gradient boosted trees beat deep networks on tabular data."),
]

SHARE_LINE = re.compile(r"^\s*(\d+\.\d) %\s+(\d+)\s+(.+?)\s{2,}(\S+)$")


def snapshot(papers: list[tuple[str, str]]) -> str:
    return "Daily Papers\n\nOct 8\n\n" + "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in papers)


def run(project_root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["topics", "--source", str(project_root), *args])
    return status, capsys.readouterr().out


@pytest.fixture
def project_root(tmp_path: Path) -> Path:
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": snapshot(PAPERS)})
    (project.content / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    return project.root


def test_shares_add_up_and_other_comes_last(project_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(project_root, capsys)
    assert status == 0
    assert out.startswith("8 papers: 5 (62.5 %) under a topic, 3 (37.5 %) under Other.\n")
    rows = [SHARE_LINE.match(line).groups() for line in out.splitlines() if SHARE_LINE.match(line)]
    assert [(name, slug, int(count)) for _, count, name, slug in rows] == [
        ("Agents", "agents", 4), ("Speech and Audio", "speech", 1), ("Robotics", "robotics", 0), ("Other", "other", 3)]
    for share, count, _, _ in rows:
        assert float(share) == round(100 * int(count) / 8, 1)


def test_warns_about_big_and_empty_topics_and_a_big_other(project_root: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = run(project_root, capsys)[1]
    assert "warning: Agents (agents) holds 50.0 % of the papers, more than 25 %" in out
    assert "warning: Robotics (robotics) holds 0.0 % of the papers, less than 1 %" in out
    assert "warning: Other (other) holds 37.5 % of the papers, more than 2 %" in out
    assert "Speech and Audio (speech) holds" not in out


def test_lists_the_words_typical_of_other_with_counts_and_an_example(project_root: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = run(project_root, capsys)[1]
    terms = out.split("an example title):\n\n", 1)[1].splitlines()
    listed = {line.split("  ")[1].strip(): line for line in terms}
    assert "graph neural" in listed and "traffic" in listed
    assert re.search(r"traffic\s+2 / 0\s+Graph Neural Networks for Traffic Forecasting", listed["traffic"])
    assert "road graphs" not in listed  # in one paper only
    assert "audio" not in listed  # a topic's phrase already: nothing to add
    assert not {"the", "we", "and"} & set(listed)


def test_top_limits_the_list(project_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(project_root, capsys, "--top", "2")[1]
    assert len(out.split("an example title):\n\n", 1)[1].splitlines()) == 2


def test_the_bundled_content_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run(make_project(tmp_path, with_seeds=True).root, capsys)
    assert status == 0
    assert out.startswith("96 papers: 96 (100.0 %) under a topic, 0 (0.0 %) under Other.")


def test_a_project_without_snapshots_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["topics", "--source", str(make_project(tmp_path).root)]) == 2
    assert "error: " in capsys.readouterr().err
