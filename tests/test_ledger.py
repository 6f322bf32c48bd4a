"""The delivery ledger: append-only lines a person can read, and a clear error for any line that does not read."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from digest.ledger import HEADER, RESENT, Delivery, LedgerError, load_ledger

ONE = Delivery("2026-12-07T21:04:05Z", "2026-12-07", "email to readers@example.org", "<digest.2026-12-07.ab@x>")
TWO = Delivery("2026-12-07T21:04:09Z", "2026-12-07", "json://hooks.example.org/${TOKEN}", "notify.2026-12-07.0a")


def test_recorded_deliveries_read_back_and_the_file_reads_as_text(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.tsv"
    ledger = load_ledger(path)
    assert ledger.deliveries == () and not path.exists()
    ledger = ledger.record(ONE).record(TWO).record(Delivery(*TWO.line().rstrip("\n").split("\t"), note=RESENT))
    assert load_ledger(path) == ledger
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER) and text.count(HEADER) == 1
    assert text.endswith("notify.2026-12-07.0a\tresent\n")
    assert ledger.find("2026-12-07", TWO.destination) == TWO
    assert ledger.find("2026-12-08", TWO.destination) is None


@pytest.mark.parametrize("line, problem", [
    ("2026-12-07T21:04:05Z\t2026-12-07\temail\n", "expected 4 or 5 tab-separated fields"),
    ("yesterday\t2026-12-07\temail\t<id>\n", "the time is not YYYY-MM-DDTHH:MM:SSZ"),
    ("2026-12-07T21:04:05Z\tDecember\temail\t<id>\n", "the edition is not a day"),
    ("2026-12-07T21:04:05Z\t2026-12-07\temail\t<id>\tmaybe\n", "the last field may only be 'resent'"),
    ("<<<<<<< HEAD\n", "expected 4 or 5 tab-separated fields"),
])
def test_a_line_that_does_not_read_is_an_error_naming_it(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "deliveries.tsv"
    path.write_text(HEADER + ONE.line() + line + TWO.line(), encoding="utf-8")
    with pytest.raises(LedgerError) as caught:
        load_ledger(path)
    assert caught.value.line == HEADER.count("\n") + 2 and problem in caught.value.message
    assert str(caught.value).startswith(f"{path}:5: ")


def test_a_file_cut_mid_line_is_an_error_not_a_shorter_ledger(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.tsv"
    path.write_text(HEADER + ONE.line() + TWO.line()[:-5], encoding="utf-8")
    with pytest.raises(LedgerError, match="cut short") as caught:
        load_ledger(path)
    assert caught.value.line == 5


def test_two_branches_that_both_added_lines_merge_cleanly(tmp_path: Path) -> None:
    """The union merge `digest init` sets in .gitattributes keeps both sides' lines."""
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=tmp_path,
                       check=True, capture_output=True)
    path = tmp_path / "deliveries.tsv"
    git("init", "-q", "-b", "main")
    (tmp_path / ".gitattributes").write_text("deliveries.tsv merge=union\n", encoding="utf-8")
    load_ledger(path).record(ONE)
    git("add", "."), git("commit", "-qm", "one")
    git("checkout", "-qb", "other")
    load_ledger(path).record(TWO)
    git("commit", "-qam", "two")
    git("checkout", "-q", "main")
    third = Delivery("2026-12-08T21:00:00Z", "2026-12-08", ONE.destination, "<digest.2026-12-08.ab@x>")
    load_ledger(path).record(third)
    git("commit", "-qam", "three")
    git("merge", "-q", "other", "-m", "merge")
    assert set(load_ledger(path).deliveries) == {ONE, TWO, third}
