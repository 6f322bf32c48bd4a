"""Hostile snapshots in both formats: each is built or refused with its file and line, never a traceback."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from digest.cli import main
from digest.commands.build import build_site
from digest.errors import SnapshotError
from digest.inputs.sources import read_snapshot
from tests import fuzz
from tests.helpers import make_project

TODAY = date(2026, 6, 1)


def test_hundreds_of_mutants_are_read_or_refused_in_one_line_and_what_is_read_builds(tmp_path: Path) -> None:
    total, read, problems = fuzz.run(400, seed=2026, root=tmp_path)
    assert problems == []
    assert total == 400 and 100 < read < 350  # both paths taken: a fuzzer that only refuses proves nothing
    assert len(list((tmp_path / "site" / "papers").iterdir())) > 300


def api_item(**paper: object) -> dict[str, object]:
    fields: dict[str, object] = {"id": "2510.00001", "title": "A Plain Title", "summary": "An abstract.",
                                 "authors": [{"name": "Ann Author"}], "ai_keywords": ["plain"],
                                 "githubRepo": "https://github.com/a/b"}
    return {"paper": {**fields, **paper}, "title": paper.get("title", "A Plain Title")}


def json_bytes(*items: dict[str, object]) -> bytes:
    return json.dumps(list(items), indent=2).encode()


@pytest.mark.parametrize("field", ["title", "summary", "authors", "ai_keywords", "githubRepo", "projectPage"])
def test_a_lone_surrogate_in_any_field_builds_and_shows_a_replacement_character(tmp_path: Path, field: str) -> None:
    value: object = "Lone \ud800 half"
    if field == "authors":
        value = [{"name": "Ann \udfff Author"}]
    elif field == "ai_keywords":
        value = ["half \ud83d emoji"]
    elif field in ("githubRepo", "projectPage"):
        value = "https://github.com/a/\ud800b"
    project = make_project(tmp_path, {"2025-10-08.json": json_bytes(api_item(**{field: value}))})
    assert b"\\ud" in (project.snapshots / "2025-10-08.json").read_bytes()  # the escape json.dumps wrote
    assert main(["check", "--source", str(tmp_path)]) == 0
    build_site(project)
    page = next((tmp_path / "site" / "papers").glob("*/index.html")).read_text(encoding="utf-8")
    if field in ("title", "summary", "authors"):
        assert "\ufffd" in page


@pytest.mark.parametrize(("name", "accepted"), [
    ("9999-12-31.json", False), ("0001-01-01.json", False), ("1990-12-31.json", False), ("2027-06-02.json", False),
    ("1991-01-01.json", True), ("2027-06-01.json", True),
])
def test_snapshot_dates_must_lie_between_arxivs_first_year_and_a_year_from_today(name: str, accepted: bool,
                                                                                 tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(json_bytes(api_item()))
    if accepted:
        assert read_snapshot(path, TODAY).date == date.fromisoformat(name[:10])
        return
    with pytest.raises(SnapshotError, match=r"outside 1991-01-01 … 2027-06-01") as caught:
        read_snapshot(path, TODAY)
    assert caught.value.path == path


def test_a_far_future_text_snapshot_is_refused_by_check_and_build_alike(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    text = "Daily Papers\n\nDec 31\n\nA Title\n\nAn abstract.\n"
    make_project(tmp_path, {"9999-12-31.txt": text, "2025-10-08.json": json_bytes(api_item())})
    for command in ("check", "build"):
        assert main([command, "--source", str(tmp_path)]) == 2
        error = capsys.readouterr().err
        assert re.search(r"9999-12-31\.txt:\d+: the date 9999-12-31 is outside", error), error
        assert "Traceback" not in error and error.count("\n") == 1
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("title", ["\x00\x00", "\u200b\u200c\u200d\ufeff", "\u202e\u2066\u2069", " \u0301 ", "\u2060"])
def test_a_title_with_nothing_visible_is_refused_with_its_line(tmp_path: Path, title: str) -> None:
    path = tmp_path / "2025-10-08.json"
    path.write_bytes(json_bytes(api_item(), api_item(id="2510.00002", title=title)))
    with pytest.raises(SnapshotError, match="item 2 has no title: it holds no visible character") as caught:
        read_snapshot(path, TODAY)
    assert caught.value.line is not None and caught.value.line > 2
    if "\x00" in title:
        return  # a text snapshot with a NUL byte is refused as a binary file
    text = tmp_path / "2025-10-09.txt"
    text.write_text(f"Daily Papers\n\nOct 9\n\nVisible\n\nAbstract.\n\n{title}\n\nAnother abstract.\n")
    with pytest.raises(SnapshotError, match="no visible character") as caught:
        read_snapshot(text, TODAY)
    assert caught.value.line == 9


def test_json_nested_ten_thousand_deep_is_refused_with_its_line_by_check_and_build(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = b"[\n" + b"[" * 10_000 + b"]" * 10_000 + b"\n]"
    make_project(tmp_path, {"2025-10-08.json": data})
    for command in ("check", "build"):
        assert main([command, "--source", str(tmp_path)]) == 2
        error = capsys.readouterr().err
        assert re.search(r"2025-10-08\.json:2: JSON nested deeper than it can be read", error), error


def test_a_bad_byte_after_a_byte_order_mark_is_placed_where_it_is(tmp_path: Path) -> None:
    good = json_bytes(api_item())
    for name, data in (("2025-10-08.json", b"\xef\xbb\xbf" + good[:40] + b"\xff" + good[40:]),
                       ("2025-10-09.txt", b"\xef\xbb\xbfDaily Papers\n\nOct 9\n\nT\xff\n\nAbstract.\n")):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(SnapshotError, match=r"bad byte 0xff at byte (\d+)") as caught:
            read_snapshot(path, TODAY)
        offset = int(re.search(r"at byte (\d+)", caught.value.message).group(1))  # type: ignore[union-attr]
        assert data[offset] == 0xFF and caught.value.line == data[:offset].count(b"\n") + 1


def test_an_id_with_a_hidden_character_is_shown_with_it(tmp_path: Path) -> None:
    path = tmp_path / "2025-10-08.json"
    path.write_bytes(json_bytes(api_item(id="2510.00001\x00")))
    with pytest.raises(SnapshotError, match=re.escape("paper.id '2510.00001\\x00' is not an arXiv id")):
        read_snapshot(path, TODAY)


def test_every_item_shape_error_names_its_line(tmp_path: Path) -> None:
    good = api_item()
    for bad, starts in (("a string", '"a string"'), ({"paper": "no"}, "{"), ({"paper": {"title": "No id"}}, "{")):
        path = tmp_path / "2025-10-08.json"
        path.write_bytes(json_bytes(good, bad))  # type: ignore[arg-type]
        with pytest.raises(SnapshotError, match="item 2") as caught:
            read_snapshot(path, TODAY)
        line = caught.value.line
        assert line is not None and line > 2, caught.value
        assert path.read_text().split("\n")[line - 1].strip() == starts  # the line where item 2 starts


def test_sizes_past_any_real_day_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "2025-10-08.json"
    path.write_bytes(json_bytes(api_item(title="word " * 1_000)))
    with pytest.raises(SnapshotError, match=r"item 1's title is too long \(4,999; at most 2,000\)"):
        read_snapshot(path, TODAY)
    path.write_bytes(json_bytes(api_item(authors=[{"name": f"Author {n}"} for n in range(10_001)])))
    with pytest.raises(SnapshotError, match="author list is too long"):
        read_snapshot(path, TODAY)

