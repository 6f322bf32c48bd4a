"""The writer swaps a complete site in, or leaves the old one alone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.errors import BuildError
from digest.output.writer import WriteCache, write_ahead, write_site


def test_unchanged_files_are_not_rewritten_and_stale_ones_go(tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site({"index.html": b"home", "a/index.html": b"a", "old.html": b"old"}, output)
    inode = (output / "a/index.html").stat().st_ino
    report = write_site({"index.html": b"home 2", "a/index.html": b"a"}, output)
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert (output / "a/index.html").stat().st_ino == inode
    assert (output / "index.html").read_bytes() == b"home 2"
    assert not (output / "old.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folders left behind


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/x", "a/../../x", "a\\b"])
def test_paths_outside_the_output_are_refused_and_the_old_site_stays(tmp_path: Path, bad: str) -> None:
    output = tmp_path / "site"
    write_site({"index.html": b"previous"}, output)
    with pytest.raises(BuildError, match="outside the output folder"):
        write_site({"index.html": b"new", bad: b"x"}, output)
    assert (output / "index.html").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failure_while_writing_keeps_the_previous_site(tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site({"index.html": b"previous", "keep/index.html": b"k"}, output)

    class Exploding(dict):  # a mapping whose items fail halfway, like a disk filling up
        def items(self):  # type: ignore[override]
            yield "index.html", b"new"
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_site(Exploding(), output)
    assert (output / "index.html").read_bytes() == b"previous"
    assert (output / "keep/index.html").exists()


def test_a_hard_linked_file_is_not_modified_in_place(tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site({"a.html": b"same", "b.html": b"one"}, output)
    old_inode = (output / "b.html").stat().st_ino
    write_site({"a.html": b"same", "b.html": b"two"}, output)
    assert (output / "b.html").stat().st_ino != old_inode or os.name != "posix"
    assert (output / "b.html").read_bytes() == b"two"


def test_in_place_updates_touch_only_changed_files_and_clear_stale_ones(tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site({"index.html": b"home", "a/index.html": b"a", "old/deep/x.html": b"x"}, output)
    kept = (output / "a/index.html").stat().st_ino
    report = write_site({"index.html": b"home 2", "a/index.html": b"a"}, output, in_place=True)
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert (output / "a/index.html").stat().st_ino == kept
    assert (output / "index.html").read_bytes() == b"home 2"
    assert not (output / "old").exists()  # emptied folders go too
    assert sorted(p.name for p in output.iterdir()) == ["a", "index.html"]  # no temporary files left
    assert write_site({"index.html": b"home 2", "a/index.html": b"a"}, output, in_place=True).written == 0


def test_in_place_removal_keeps_folders_that_still_hold_something(tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site({"papers/a/index.html": b"a", "papers/b/index.html": b"b"}, output)
    (output / "mine").mkdir()  # a folder the build did not make and removed nothing from
    write_site({"papers/b/index.html": b"b"}, output, in_place=True)
    assert not (output / "papers" / "a").exists()
    assert (output / "papers" / "b" / "index.html").read_bytes() == b"b"
    assert (output / "mine").is_dir()


def test_in_place_with_a_bad_path_changes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site({"index.html": b"previous"}, output)
    with pytest.raises(BuildError, match="outside the output folder"):
        write_site({"index.html": b"new", "../x.html": b"x"}, output, in_place=True)
    assert (output / "index.html").read_bytes() == b"previous"


def test_in_place_with_a_cache_compares_in_memory_and_still_removes_stale_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    cache = WriteCache()
    write_site({"a.html": b"a", "dir/b.html": b"b", "c.html": b"c"}, site)
    first = write_site({"a.html": b"a", "dir/b.html": b"b", "c.html": b"c"}, site, in_place=True, cache=cache)
    assert (first.written, first.unchanged) == (0, 3), "the first in-place write compares against the disk"
    before = (site / "a.html").stat().st_ino
    second = write_site({"a.html": b"a", "c.html": b"c2"}, site, in_place=True, cache=cache)
    assert (second.written, second.unchanged, second.removed) == (1, 1, 1)
    assert (site / "a.html").stat().st_ino == before and (site / "c.html").read_bytes() == b"c2"
    assert not (site / "dir").exists(), "a folder emptied by the removal goes too"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "a.html").write_bytes(b"x")
    elsewhere = write_site({"a.html": b"a"}, tmp_path / "other", in_place=True, cache=cache)
    assert elsewhere.written == 1, "a cache of another folder is not trusted"


def test_files_written_ahead_are_whole_counted_once_and_known_to_the_next_write(tmp_path: Path) -> None:
    """A preview writes the open pages before the rest: only changed bytes, and the rebuild's own write then finds
    them unchanged (and still removes what went stale)."""
    site = tmp_path / "site"
    cache = WriteCache()
    write_site({"index.html": b"old home", "a.html": b"a", "gone.html": b"g"}, site, in_place=True, cache=cache)
    before = (site / "a.html").stat().st_ino
    assert write_ahead({"index.html": b"new home", "a.html": b"a"}, site, cache) == ("index.html",)
    assert (site / "index.html").read_bytes() == b"new home" and (site / "a.html").stat().st_ino == before
    assert not [path for path in site.iterdir() if ".new-" in path.name], "no temporary file is left"
    report = write_site({"index.html": b"new home", "a.html": b"a", "b.html": b"b"}, site, in_place=True, cache=cache)
    assert (report.written, report.unchanged, report.removed) == (1, 2, 1)
    assert sorted(path.name for path in site.iterdir()) == ["a.html", "b.html", "index.html"]
    with pytest.raises(BuildError, match="outside the output folder"):
        write_ahead({"../x.html": b"x"}, site, cache)
