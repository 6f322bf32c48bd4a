"""`digest fetch` tells a weekend, a holiday and an unchanged list from a feed that has stopped moving.

The API is the recorded one the fetch tests use (tests/helpers.py's FakeApi, on 127.0.0.1); the curator's
alert goes through Apprise to a recording server.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.commands.fetch import API_VARIABLE, run_fetch
from digest.commands.freshness import EXIT_STALE_FEED, weekdays_between
from digest.inputs.api_json import dump_api_items
from tests.helpers import Canned, FakeApi, make_project, recording_server

ALERT_PASS = "alert-pass-Qw7-never-shown"


def items(*numbers: int, day: str | None = None) -> list[dict[str, Any]]:
    """Papers in the API's shape; with `day`, dated as featured that day (else undated, as older answers are)."""
    found = []
    for n in numbers:
        paper: dict[str, Any] = {"id": f"2510.{n:05d}", "title": f"Paper {n}", "summary": f"Abstract {n}.",
                                 "authors": [{"name": "Ann Author"}], "upvotes": n}
        if day:
            paper["submittedOnDailyAt"] = f"{day}T08:00:00.000Z"
        found.append({"paper": paper, "title": f"Paper {n}"})
    return found


def saved(snapshots: Path, **days: list[dict[str, Any]]) -> None:
    for day, listed in days.items():
        (snapshots / f"{day.replace('_', '-').removeprefix('d')}.json").write_bytes(dump_api_items(listed))


@pytest.fixture
def snapshots(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "snapshots"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.delenv(API_VARIABLE, raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def fetch(snapshots: Path, api: FakeApi, day: str, stale_after: int = 3) -> tuple[int, str]:
    said: list[str] = []
    code = run_fetch(snapshots, None, None, api.url, False, date.fromisoformat(day), said.append,
                     sleep=lambda _: None, environ={}, stale_after=stale_after)
    return code, "\n".join(said)


def test_weekdays_between_skips_weekends() -> None:
    assert weekdays_between(date(2025, 10, 3), date(2025, 10, 8)) == 3  # Friday to Wednesday: Mon, Tue, Wed
    assert weekdays_between(date(2025, 10, 10), date(2025, 10, 12)) == 0  # Friday to Sunday


def test_a_weekend_without_papers_is_expected(api: FakeApi, snapshots: Path) -> None:
    saved(snapshots, d2025_10_09=items(1, 2), d2025_10_10=items(1, 2, 3))
    api.answer("2025-10-11", Canned(b"[]"))
    code, said = fetch(snapshots, api, "2025-10-11")
    assert code == 0
    assert "feed on 2025-10-11: a weekend, when the feed lists no papers; none expected" in said


def test_a_weekday_without_papers_is_a_holiday_until_it_lasts(api: FakeApi, snapshots: Path) -> None:
    saved(snapshots, d2025_10_06=items(1), d2025_10_07=items(1, 2))
    api.answer("2025-10-08", Canned(b"[]"))
    code, said = fetch(snapshots, api, "2025-10-08")
    assert code == 0
    assert ("feed on 2025-10-08: a weekday without papers (a holiday?); 1 of 3 weekdays without new papers "
            "since 2025-10-07 (fetch.stale_weekdays)") in said


def test_an_unchanged_list_is_saved_and_named(api: FakeApi, snapshots: Path) -> None:
    saved(snapshots, d2025_10_06=items(1), d2025_10_07=items(1, 2))
    api.answer("2025-10-08", Canned(json.dumps(items(2, 1)).encode()))  # the same papers, undated
    code, said = fetch(snapshots, api, "2025-10-08")
    assert code == 0 and (snapshots / "2025-10-08.json").is_file()
    assert "feed on 2025-10-08: the list holds no paper that the previous snapshot did not: the feed did not move; " \
           "1 of 3 weekdays without new papers since 2025-10-07" in said


def test_new_papers_are_news(api: FakeApi, snapshots: Path) -> None:
    saved(snapshots, d2025_10_07=items(1, 2))
    api.answer("2025-10-08", Canned(json.dumps(items(2, 3, day="2025-10-08")).encode()))
    code, said = fetch(snapshots, api, "2025-10-08")
    assert code == 0 and said.endswith("2025-10-08.json: wrote, 2 papers\nfeed on 2025-10-08: new papers")


STALE_DAYS = {"d2025_10_02": items(1), "d2025_10_03": items(1, 2), "d2025_10_06": items(2, 1),
              "d2025_10_07": items(1, 2)}


def test_n_stale_weekdays_exit_with_their_own_status(api: FakeApi, snapshots: Path) -> None:
    saved(snapshots, **STALE_DAYS)
    api.answer("2025-10-08", Canned(b"[]"))
    code, said = fetch(snapshots, api, "2025-10-08")
    assert code == EXIT_STALE_FEED == 3
    assert ("error: The Daily Papers feed is stale: no new papers for 3 weekdays, the last on 2025-10-03 "
            "(fetch.stale_weekdays is 3)") in said
    assert fetch(snapshots, api, "2025-10-08", stale_after=4)[0] == 0, "the setting decides"


def test_the_command_alerts_the_curator_and_exits_3(api: FakeApi, snapshots: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    saved(snapshots, **STALE_DAYS)
    api.answer("2025-10-08", Canned(b"[]"))
    with recording_server() as server:
        alert = server.url("json", "curator", "me:${DIGEST_ALERT_PASS}")
        site = (f"title: Paper Digest\nbase_url: https://digest.example.org/\n"
                f"notify:\n  alerts: ['{alert}']\n  backoff: 0.01\nfetch:\n  stale_weekdays: 3\n")
        root = snapshots.parent.parent
        make_project(root, site_yaml=site)
        monkeypatch.setenv("DIGEST_ALERT_PASS", ALERT_PASS)
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2025, 10, 8, 21, tzinfo=UTC).timestamp())))
        code = main(["fetch", "--source", str(root), "--api", api.url])
        (request,) = server.to("/curator")
    out, err = capsys.readouterr()
    assert code == 3
    assert err.startswith("error: The Daily Papers feed is stale: no new papers for 3 weekdays")
    payload = request.json()
    assert payload["title"] == "Paper Digest: the feed is stale"
    assert payload["message"].startswith("The Daily Papers feed is stale: no new papers for 3 weekdays, the last "
                                         "on 2025-10-03")
    assert f"alert to {alert}: sent" in out
    assert ALERT_PASS not in out + err


def test_a_quiet_day_alerts_nobody(api: FakeApi, snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved(snapshots, d2025_10_07=items(1, 2))
    api.answer("2025-10-08", Canned(b"[]"))
    with recording_server() as server:
        root = snapshots.parent.parent
        alerts = f"notify:\n  alerts: ['{server.url('json', 'c')}']\n"
        make_project(root, site_yaml=f"title: T\nbase_url: https://e.org/\n{alerts}")
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2025, 10, 8, 21, tzinfo=UTC).timestamp())))
        assert main(["fetch", "--source", str(root), "--api", api.url]) == 0
        assert not server.requests


def test_a_broken_site_yaml_does_not_cost_the_days_papers(api: FakeApi, snapshots: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = snapshots.parent.parent
    make_project(root, site_yaml="title: T\nbase_url: https://e.org/\nfetch:\n  stale_weekdays: zero\n")
    api.answer("2025-10-08", Canned(json.dumps(items(1, day="2025-10-08")).encode()))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2025, 10, 8, 21, tzinfo=UTC).timestamp())))
    assert main(["fetch", "--source", str(root), "--api", api.url]) == 0
    assert (snapshots / "2025-10-08.json").is_file()
    err = capsys.readouterr().err
    assert f"warning: {root / 'content' / 'site.yaml'}:4: 'fetch.stale_weekdays': expected a whole number" in err
