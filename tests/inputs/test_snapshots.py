"""Reading snapshot files: the real seeds, tolerated quirks and every error a user can make."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digest.errors import SnapshotError
from digest.inputs.text_snapshot import parse_snapshot, read_snapshot
from tests.helpers import FIXTURES, REPO

SNAPSHOT_FIXTURES = FIXTURES / "snapshots"
TODAY = date(2026, 11, 22)


def read_fixture(name: str, as_name: str | None = None) -> object:
    """Parse a fixture file, optionally pretending it has another file name (which carries the date)."""
    path = SNAPSHOT_FIXTURES / name
    return parse_snapshot(path.read_bytes(), path.with_name(as_name or name), TODAY)


def test_seed_snapshots_have_the_known_paper_counts() -> None:
    march = read_snapshot(REPO / "content/snapshots/2025-03-19.txt", TODAY)
    october = read_snapshot(REPO / "content/snapshots/2025-10-08.txt", TODAY)
    assert (march.date, len(march.entries)) == (date(2025, 3, 19), 79)
    assert (october.date, len(october.entries)) == (date(2025, 10, 8), 66)
    assert october.entries[0].title.startswith("Regression Transformer")
    assert october.entries[0].line == 13  # after the 11-line header and a blank line
    assert not march.year_inferred


def test_bundled_snapshots_are_the_seeds_byte_for_byte() -> None:
    seeds = REPO.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    assert (REPO / "content/snapshots/2025-03-19.txt").read_bytes() == (seeds / "001_b4a235713ea0d47b.txt").read_bytes()
    assert (REPO / "content/snapshots/2025-10-08.txt").read_bytes() == (seeds / "000_bdd8891943881bc8.txt").read_bytes()


def test_crlf_byte_order_mark_trailing_spaces_and_no_final_newline_are_tolerated() -> None:
    snapshot = read_fixture("crlf-bom.txt", "2025-10-08-windows.txt")
    assert [entry.title for entry in snapshot.entries] == ["Windows Paper Title", "Second Paper"]
    assert snapshot.entries[0].abstract == "An abstract written on Windows with trailing spaces."
    assert snapshot.entries[1].abstract == "Another abstract with no final newline."


def test_a_name_without_a_date_takes_the_latest_such_day_and_says_so() -> None:
    snapshot = read_fixture("minimal.txt")
    assert snapshot.date == date(2026, 10, 8)
    assert snapshot.year_inferred
    later = parse_snapshot((SNAPSHOT_FIXTURES / "minimal.txt").read_bytes(), Path("x.txt"), date(2026, 10, 7))
    assert later.date == date(2025, 10, 8)  # Oct 8 2026 would be in the future


def test_feb_29_without_a_year_goes_back_to_a_leap_year() -> None:
    data = b"Mar 1\n\nT\n\nAbstract one. Two.\n".replace(b"Mar 1", b"Feb 29")
    assert parse_snapshot(data, Path("leap.txt"), TODAY).date == date(2024, 2, 29)


def test_file_name_date_that_disagrees_with_the_header_is_an_error() -> None:
    with pytest.raises(SnapshotError) as caught:
        read_fixture("minimal.txt", "2025-10-09.txt")
    assert caught.value.line == 3
    assert "Oct 8" in str(caught.value) and "2025-10-09" in str(caught.value)


@pytest.mark.parametrize(("name", "line", "words"), [
    ("empty.txt", None, "empty"),
    ("binary.txt", 3, "binary"),  # the first NUL byte is on line 3
    ("latin1.txt", 5, "UTF-8"),
    ("no-date.txt", 1, "no date line"),
    ("missing-abstract.txt", 9, "'Second Paper Without Abstract' has no abstract"),
    ("trailing-title.txt", 9, "'A Title Left Dangling' has no abstract"),
])
def test_malformed_snapshots_name_the_file_line_and_fix(name: str, line: int | None, words: str) -> None:
    with pytest.raises(SnapshotError) as caught:
        read_fixture(name, "2025-10-08.txt")
    error = caught.value
    assert error.path is not None and error.path.name == "2025-10-08.txt"
    assert error.line == line
    assert words in str(error)


def test_an_abstract_without_a_title_is_reported() -> None:
    long_abstract = "This abstract has no title above it. " * 12
    data = f"Oct 8\n\nTitle\n\nFirst abstract. Fine.\n\n{long_abstract}\n".encode()
    with pytest.raises(SnapshotError, match="no title before it") as caught:
        parse_snapshot(data, Path("2025-10-08.txt"), TODAY)
    assert caught.value.line == 7


def test_control_characters_are_dropped_from_scraped_text() -> None:
    data = b"Oct 8\n\nTitle\x07 with bell\n\nAbstract\x1b[31m here. Done.\n"
    entry = parse_snapshot(data, Path("2025-10-08.txt"), TODAY).entries[0]
    assert entry.title == "Title with bell"
    assert "\x1b" not in entry.abstract


def test_a_title_line_is_a_title_whatever_its_length() -> None:
    title = "A Very Long Title " + "with many words " * 22 + "and no end"
    assert len(title) >= 380
    data = f"Oct 8\n\n{title}\n\nThe abstract. It is short.\n\nShort Title\n\nAnother abstract.\n".encode()
    snapshot = parse_snapshot(data, Path("2025-10-08.txt"), TODAY)
    assert [entry.title for entry in snapshot.entries] == [" ".join(title.split()), "Short Title"]


def test_a_title_that_reads_like_a_sentence_is_still_a_title_in_a_well_formed_file() -> None:
    data = b"Oct 8\n\nWhy Do Models Fail. A Study\n\nAbstract one. Two.\n\nTitle Two\n\nAbstract two ends in https://x.org/a\n"
    snapshot = parse_snapshot(data, Path("2025-10-08.txt"), TODAY)
    assert [entry.title for entry in snapshot.entries] == ["Why Do Models Fail. A Study", "Title Two"]


def test_bidi_controls_are_removed_from_text_snapshot_titles_and_abstracts() -> None:
    data = "Oct 8\n\nGood \u202eeltiT\u202c Paper\n\nAn \u2066abstract\u2069 here. Done.\n".encode()
    entry = parse_snapshot(data, Path("2025-10-08.txt"), TODAY).entries[0]
    assert (entry.title, entry.abstract) == ("Good eltiT Paper", "An abstract here. Done.")
