"""The one rule for which files under content/ are sources, shared by the readers and the watcher."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digest.commands.build import build_site
from digest.errors import SnapshotError
from digest.inputs.sources import find_snapshot_files, is_source_name, read_snapshot
from digest.preview.watch import is_watched_path
from tests.helpers import make_project


@pytest.mark.parametrize("name", [".#about.md", "#about.md#", "about.md~", ".about.md.swp", "4913", ".DS_Store",
                                  "2025-10-08.txt.part", "2025-10-08.txt.tmp"])
def test_editor_and_hidden_files_are_not_sources(name: str) -> None:
    assert not is_source_name(name)


@pytest.mark.parametrize("name", ["about.md", "2025-10-08.txt", "2025-10-08.json", "notes-v2.md"])
def test_ordinary_files_are_sources(name: str) -> None:
    assert is_source_name(name)


def test_an_editor_lock_file_beside_a_page_or_snapshot_does_not_break_the_build(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    # Emacs leaves a lock file as a dangling symlink; others leave swap files. None of them is content.
    (project.pages / ".#about.md").symlink_to("user@host.1234:1700000000")
    (project.snapshots / ".#2025-10-08.txt").write_text("not a snapshot", encoding="utf-8")
    (project.snapshots / "2025-10-08.txt~").write_text("not a snapshot", encoding="utf-8")
    assert [p.name for p in find_snapshot_files(project.snapshots)] == ["2025-03-19.txt", "2025-10-08.txt"]
    assert build_site(project).papers == 96
    for litter in (project.pages / ".#about.md", project.snapshots / "2025-10-08.txt~"):
        assert not is_watched_path(litter, project)
    assert is_watched_path(project.pages / "about.md", project)


def test_a_file_with_no_reader_is_an_error_naming_the_suffix(tmp_path: Path) -> None:
    path = tmp_path / "2025-10-08.csv"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"no reader for '\.csv'"):
        read_snapshot(path, date(2025, 10, 8))
