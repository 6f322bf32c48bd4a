"""JSON snapshots (the Daily Papers API's items): what the reader keeps, and every bad file a user can have."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from digest.cli import main
from digest.errors import SnapshotError
from digest.inputs.json_snapshot import parse_snapshot
from digest.inputs.sources import read_snapshot
from tests.helpers import FIXTURES, make_project

JSON = FIXTURES / "json"
TODAY = date(2026, 11, 22)


def read_fixture(name: str, as_name: str = "2025-10-08.json") -> object:
    return parse_snapshot((JSON / name).read_bytes(), Path(as_name), date(2026, 1, 1))


def test_an_item_becomes_an_entry_with_every_field_the_page_needs() -> None:
    snapshot = read_snapshot(JSON / "2025-10-08.json", TODAY)
    assert snapshot.date == date(2025, 10, 8) and len(snapshot.entries) == 2
    tattoo, earn = snapshot.entries
    assert tattoo.title == "TaTToo: Tool-Grounded Thinking PRM for Test-Time Scaling in Tabular Reasoning"
    assert tattoo.abstract == ("Process Reward Models (PRMs) have recently emerged as a powerful framework for "
                               "enhancing the reasoning of large reasoning models.\n\nWe propose TaTToo, a "
                               "table-grounded PRM that reasons over tables. Code: https://github.com/abstract/tattoo.")
    assert tattoo.arxiv_id == "2510.06217"
    assert len(tattoo.authors) == 14 and tattoo.authors[:2] == ("Ada Lovelace", "Alan Turing")
    assert tattoo.authors[-1] == "Shafi Goldwasser"
    assert tattoo.published == date(2025, 10, 7)
    assert (tattoo.upvotes, tattoo.comments) == (35, 4)
    assert tattoo.github_repo == "https://github.com/sirano1004/TaTToo-Tabular"  # the newline is gone
    assert tattoo.github_stars == 1234
    assert tattoo.project_page == "https://tattoo.example.org/"
    assert tattoo.ai_keywords == ("Process Reward Models", "tabular reasoning")
    assert earn.title == r"Earn $1 Million with \LaTeX{}: Braces { and Backslashes \ in Titles"
    assert earn.alternate_titles == (r"$\textit{Earn}$ $1 Million with \LaTeX{}: Braces { and Backslashes \ in Titles",)
    assert (earn.github_repo, earn.github_stars, earn.project_page) == (None, None, None)
    assert [entry.line for entry in snapshot.entries] == [2, 98]  # where each item starts, for messages


def test_a_version_suffix_is_not_part_of_the_id() -> None:
    snapshot = read_fixture("2025-10-09.json", "2025-10-09.json")
    assert [entry.arxiv_id for entry in snapshot.entries] == ["2510.07000", "2510.06217"]


def test_bidi_controls_and_non_web_links_are_dropped() -> None:
    (entry,) = read_fixture("hostile.json").entries
    assert "\u202e" not in entry.title and "\u202c" not in entry.title
    assert entry.authors[2] == "Mallory evil"
    assert (entry.github_repo, entry.project_page) == (None, None)


def test_an_empty_array_is_a_day_without_papers() -> None:
    snapshot = read_fixture("empty-day.json", "2025-10-11.json")
    assert snapshot.entries == () and snapshot.date == date(2025, 10, 11)


def test_the_date_comes_from_the_file_name() -> None:
    with pytest.raises(SnapshotError, match=r"rename it to YYYY-MM-DD\.json"):
        read_fixture("empty-day.json", "latest.json")
    with pytest.raises(SnapshotError, match="impossible date '2025-02-30'"):
        read_fixture("empty-day.json", "2025-02-30.json")


BAD_FILES = [
    ("invalid.json", r"2025-10-10\.json:4: invalid JSON at column 5"),
    ("truncated.json", r"2025-10-10\.json:\d+: invalid JSON at column \d+: .*truncated"),
    ("error-object.json", r"2025-10-10\.json:\d+: a JSON error object, not a list of papers: error is 'Rate limit"),
    ("no-data.json", r"2025-10-10\.json:\d+: a JSON error object, not a list of papers: status is 'no_data'"),
    ("string-items.json", r"2025-10-10\.json:\d+: item 1 is a string, not an object"),
    ("no-id.json", r"2025-10-10\.json:\d+: item 1 has no paper\.id"),
    ("no-title.json", r"2025-10-10\.json:\d+: item 1 .*has no title"),
    ("bad-id.json", r"2025-10-10\.json:2: item 1: paper\.id 'not-an-id' is not an arXiv id"),
]


@pytest.mark.parametrize(("name", "message"), BAD_FILES)
def test_a_bad_json_snapshot_stops_the_build_naming_the_file(tmp_path: Path, name: str, message: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path, {"2025-10-08.json": (JSON / "2025-10-08.json").read_bytes()})
    assert main(["build", "--quiet", "--source", str(tmp_path)]) == 0
    before = {path: path.read_bytes() for path in project.output.rglob("*") if path.is_file()}
    capsys.readouterr()
    shutil.copy(JSON / name, project.snapshots / "2025-10-10.json")
    assert main(["build", "--quiet", "--source", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "Traceback" not in error and error.count("\n") == 1
    assert str(project.snapshots / "2025-10-10.json") in error
    assert re.search(message, error), error
    after = {path: path.read_bytes() for path in project.output.rglob("*") if path.is_file()}
    assert after == before  # nothing published


def test_keep_going_skips_a_bad_json_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path, {"2025-10-08.json": (JSON / "2025-10-08.json").read_bytes(),
                            "2025-10-10.json": (JSON / "no-data.json").read_bytes()})
    assert main(["build", "--quiet", "--keep-going", "--source", str(tmp_path)]) == 0
    assert "2025-10-10.json:1: a JSON error object" in capsys.readouterr().err


def test_a_text_and_a_json_snapshot_for_one_date_is_an_error_naming_both(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    minimal = (FIXTURES / "snapshots" / "minimal.txt").read_text()
    project = make_project(tmp_path, {"2025-10-08.txt": minimal,
                                      "2025-10-08.json": (JSON / "2025-10-08.json").read_bytes()})
    assert main(["build", "--quiet", "--source", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert str(project.snapshots / "2025-10-08.txt") in error and str(project.snapshots / "2025-10-08.json") in error
    assert "2025-10-08" in error and not project.output.exists()


def test_an_empty_snapshots_folder_names_both_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_project(tmp_path)
    assert main(["build", "--quiet", "--source", str(tmp_path)]) == 2
    assert "no snapshot files (*.txt, *.json)" in capsys.readouterr().err


def test_an_author_listed_twice_in_a_row_is_listed_once_and_the_rest_stay_as_the_feed_has_them() -> None:
    zotero, kimi = read_fixture("names.json").entries
    # The feed repeats "Hal Daumé III"; "Guangyi", "Zhang" may be one name split in two, but no rule can tell.
    assert zotero.authors == ("Hal Daumé III", "The Soofi-Team", "Guangyi", "Zhang", "Antonio Laverghetta Jr.",
                              "Guangyi")
    assert kimi.authors == ("Kimi Team",)
