"""`digest interests`: the newest days' picks with their reasons, the muted papers, and the entries that matched
nothing, for tuning the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.cli import main
from tests.helpers import INTEREST_DAYS, make_interest_project


def test_it_prints_the_picks_and_why_and_the_entries_that_matched_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_interest_project(tmp_path, "keywords: [speculative decoding, knitting]\nauthors: [Tri Dao]\n"
                                              "organizations: [Qwen]\nmute: [jailbreak]\npapers: [2211.17192]\n")
    assert main(["interests", "--source", str(project.root), "--days", "2"]) == 0
    out = capsys.readouterr().out
    newest, older = INTEREST_DAYS[2], INTEREST_DAYS[1]
    assert f"{newest}: 1 of 4 new papers picked" in out and f"{older}: 2 of 3 new papers picked, 1 muted" in out
    assert INTEREST_DAYS[0] not in out  # two days only
    assert ("   2.00  Acceptance Rate of Draft Models in Speculative Decoding\n"
            "         by Tri Dao (followed)\n"
            "         mentions speculative decoding\n") in out
    assert "  muted: Jailbreaking Speculative Decoding" in out
    unmatched = out.split("Entries that matched no paper of these days:")[1]
    assert "interests.yaml:1: keywords: knitting (no paper of the whole site either)" in unmatched
    assert "interests.yaml:5: papers: 2211.17192 (not on this site, so its text is unknown)" in unmatched
    assert "speculative decoding" not in unmatched and "Qwen" not in unmatched


def test_without_a_file_it_says_how_to_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_interest_project(tmp_path, None)
    assert main(["interests", "--source", str(project.root)]) == 2
    assert "no interests.yaml" in capsys.readouterr().err


def test_days_must_be_a_positive_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["interests", "--source", str(tmp_path), "--days", "0"])
    assert "1 or more" in capsys.readouterr().err
