"""`digest fetch` against a real HTTP server on 127.0.0.1 that plays recorded API answers.

The server, the sockets and urllib are real; only `sleep` is replaced, by a
list that records how long the fetcher wanted to wait, so retries are fast.
No test touches the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from digest import __version__
from digest.cli import main as cli_main
from digest.commands.download import (
    DEADLINE_PER_TIMEOUT,
    MAX_REDIRECTS,
    MAX_WAIT,
    redirect_refusal,
    retry_after_seconds,
)
from digest.commands.fetch import API_VARIABLE, add_fetch_command, fetch_day, run_fetch
from digest.errors import DigestError, SnapshotError
from digest.inputs.api_json import count_papers, dump_api_items, parse_api_items, printable_excerpt
from tests.helpers import FIXTURES, Canned, FakeApi

API_FIXTURES = FIXTURES / "api"
DAY = "2025-10-08"  # a Wednesday
TODAY = date(2025, 10, 8)


def fixture(name: str) -> bytes:
    return (API_FIXTURES / name).read_bytes()


def make_items(count: int, first: int = 1) -> list[dict[str, Any]]:
    """`count` small items in the API's shape, numbered from `first`."""
    return [{"paper": {"id": f"2510.{n:05d}", "title": f"Generated Paper {n} with a Hard\n  Wrap",
                       "summary": f"Abstract {n}.", "authors": [{"_id": f"a{n}", "name": "Ann Author"}],
                       "upvotes": 100 - n % 100},
             "title": f"Generated Paper {n} with a Hard\n  Wrap", "numComments": n % 3}
            for n in range(first, first + count)]


def as_json(items: list[dict[str, Any]]) -> bytes:
    return json.dumps(items, separators=(",", ":")).encode()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy setting in the environment must not route 127.0.0.1 elsewhere."""
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.delenv(API_VARIABLE, raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def dead_api() -> str:
    """The URL of a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/daily_papers"


@pytest.fixture
def snapshots(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "snapshots"
    folder.mkdir(parents=True)
    return folder


@dataclass
class Run:
    """What one `run_fetch` said and how long it wanted to sleep."""

    said: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.said)


def fetch(snapshots: Path, api: str | None, day: str | None = DAY, *, since: str | None = None,
          force: bool = False, today: date = TODAY, environ: dict[str, str] | None = None,
          timeout: float = 5.0, retries: int = 3) -> Run:
    run = Run()
    code = run_fetch(snapshots, date.fromisoformat(day) if day else None,
                     date.fromisoformat(since) if since else None, api, force, today, run.said.append,
                     timeout=timeout, retries=retries, sleep=run.sleeps.append, environ=environ or {})
    assert code == 0
    return run


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# ---------------------------------------------------------------------------------------------------------------
# Fetching and writing


def test_a_day_is_written_as_pretty_printed_json_in_the_apis_key_order(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    run = fetch(snapshots, api.url)
    saved = (snapshots / f"{DAY}.json").read_bytes()
    original = json.loads(fixture("three-papers.json"))
    assert json.loads(saved) == original
    assert saved == dump_api_items(original)
    assert saved.startswith(b'[\n  {\n    "paper": {\n      "id": "2510.00001",\n      "authors": [\n')
    assert saved.endswith(b"\n  }\n]\n")
    assert "μLO-Fixture" in saved.decode("utf-8")  # not \u03bc: readable in git diff
    assert list(json.loads(saved)[0]) == list(original[0]) != sorted(original[0])
    assert json.loads(saved)[0]["paper"]["githubRepo"] == "https://github.com/example/zebra\n"
    assert f"{DAY}.json: wrote, 3 papers" in run.text()
    assert files_in(snapshots) == [f"{DAY}.json"]


def test_the_request_asks_for_a_page_of_the_day_with_a_user_agent(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url)
    [request] = api.requests
    assert request["query"] == {"date": [DAY], "limit": ["50"], "p": ["0"]}
    assert request["headers"]["User-Agent"] == f"paper-digest/{__version__}"
    assert request["headers"]["Accept"] == "application/json"


@pytest.mark.parametrize("second_page", [7, 0])
def test_a_full_page_of_50_is_followed_by_the_next_page(api: FakeApi, snapshots: Path, second_page: int) -> None:
    api.answer(DAY, Canned(as_json(make_items(50))), page=0)
    api.answer(DAY, Canned(as_json(make_items(second_page, first=51))), page=1)
    fetch(snapshots, api.url)
    assert [r["query"]["p"] for r in api.requests] == [["0"], ["1"]]
    saved = json.loads((snapshots / f"{DAY}.json").read_bytes())
    assert [item["paper"]["id"] for item in saved] == [f"2510.{n:05d}" for n in range(1, 51 + second_page)]


def test_an_api_that_ignores_the_page_number_is_not_asked_forever(api: FakeApi, snapshots: Path) -> None:
    page = Canned(as_json(make_items(50)))
    api.answer(DAY, page, page=0)
    api.answer(DAY, page, page=1)
    run = fetch(snapshots, api.url)
    assert len(api.requests) == 2
    assert count_papers(json.loads((snapshots / f"{DAY}.json").read_bytes())) == 50
    assert "ignore paging" in run.text()


def test_overlapping_pages_keep_each_paper_once_in_first_seen_order(api: FakeApi) -> None:
    api.answer(DAY, Canned(as_json(make_items(50))), page=0)
    api.answer(DAY, Canned(as_json(make_items(3, first=49))), page=1)  # the feed shifted between requests
    items = fetch_day(api.url, TODAY, timeout=5, retries=0, sleep=pytest.fail, say=lambda _: None)
    assert [item["paper"]["id"] for item in items] == [f"2510.{n:05d}" for n in range(1, 52)]


def test_a_day_without_papers_writes_nothing(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("empty.json")))
    run = fetch(snapshots, api.url)
    assert files_in(snapshots) == []
    assert "no papers" in run.text() and "nothing written" in run.text()


def test_a_refetch_of_the_same_data_leaves_the_file_alone(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url)
    target = snapshots / f"{DAY}.json"
    os.utime(target, (1_000_000_000, 1_000_000_000))
    before = target.read_bytes()
    reformatted = json.dumps(json.loads(fixture("three-papers.json")), indent=4).encode()
    api.answer(DAY, Canned(reformatted))  # same data, other whitespace and escapes
    run = fetch(snapshots, api.url)
    assert target.read_bytes() == before
    assert target.stat().st_mtime == 1_000_000_000
    assert "unchanged" in run.text()
    assert files_in(snapshots) == [f"{DAY}.json"]


def test_fewer_papers_keep_the_old_file_unless_forced(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url)
    target = snapshots / f"{DAY}.json"
    before = target.read_bytes()
    api.answer(DAY, Canned(fixture("two-papers.json")))
    run = fetch(snapshots, api.url)
    assert target.read_bytes() == before
    assert "warning" in run.text() and "2 papers" in run.text() and "has 3" in run.text()
    assert "--force" in run.text()

    run = fetch(snapshots, api.url, force=True)
    assert count_papers(json.loads(target.read_bytes())) == 2
    assert "updated (had 3 papers), 2 papers" in run.text()


def test_more_or_changed_papers_replace_the_file(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("two-papers.json")))
    fetch(snapshots, api.url)
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url)
    assert (snapshots / f"{DAY}.json").read_bytes() == dump_api_items(json.loads(fixture("three-papers.json")))


def test_an_unreadable_existing_file_is_kept_unless_forced(api: FakeApi, snapshots: Path) -> None:
    target = snapshots / f"{DAY}.json"
    target.write_bytes(b'{"hand": "made"}')
    api.answer(DAY, Canned(fixture("three-papers.json")))
    run = fetch(snapshots, api.url)
    assert target.read_bytes() == b'{"hand": "made"}'
    assert "not a valid API snapshot" in run.text()
    fetch(snapshots, api.url, force=True)
    assert count_papers(json.loads(target.read_bytes())) == 3


def test_a_text_snapshot_for_the_date_is_not_doubled(api: FakeApi, snapshots: Path) -> None:
    (snapshots / f"{DAY}.txt").write_text("Daily Papers\nOct 8\n\nA Title\n\nAn abstract.\n", encoding="utf-8")
    with pytest.raises(DigestError, match=r"exists already.*remove this one first") as caught:
        fetch(snapshots, api.url)
    assert caught.value.path == snapshots / f"{DAY}.txt"
    assert api.requests == []
    assert files_in(snapshots) == [f"{DAY}.txt"]


def test_a_missing_content_folder_is_an_error_not_a_new_tree(api: FakeApi, tmp_path: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    with pytest.raises(DigestError, match="no content/ folder"):
        fetch(tmp_path / "typo" / "content" / "snapshots", api.url)
    assert not (tmp_path / "typo").exists()


def test_a_future_day_is_refused(snapshots: Path, dead_api: str) -> None:
    with pytest.raises(DigestError, match="after today"):
        fetch(snapshots, dead_api, day="2025-10-09")


# ---------------------------------------------------------------------------------------------------------------
# --since


def test_since_fetches_only_the_weekdays_without_a_snapshot(api: FakeApi, snapshots: Path) -> None:
    (snapshots / "2025-10-10.txt").write_text("Oct 10\n", encoding="utf-8")  # Friday: present
    for day, first in (("2025-10-09", 1), ("2025-10-13", 11), ("2025-10-14", 21)):
        api.answer(day, Canned(as_json(make_items(2, first))))
    run = fetch(snapshots, api.url, day=None, since="2025-10-09", today=date(2025, 10, 14))
    assert api.dates_asked() == ["2025-10-09", "2025-10-13", "2025-10-14"]  # not Sat 11, Sun 12, nor 10
    assert files_in(snapshots) == ["2025-10-09.json", "2025-10-10.txt", "2025-10-13.json", "2025-10-14.json"]
    assert "3 weekday(s)" in run.text()

    again = fetch(snapshots, api.url, day=None, since="2025-10-09", today=date(2025, 10, 14))
    assert len(api.requests) == 3
    assert "nothing to fetch" in again.text()


def test_since_stops_at_the_first_failing_day_and_keeps_the_days_before(api: FakeApi, snapshots: Path) -> None:
    api.answer("2025-10-06", Canned(as_json(make_items(2))))
    api.answer("2025-10-07", Canned(fixture("html-error.html"), content_type="text/html"))
    with pytest.raises(DigestError, match="2025-10-07"):
        fetch(snapshots, api.url, day=None, since="2025-10-06")
    assert files_in(snapshots) == ["2025-10-06.json"]


def test_a_date_and_since_together_are_refused(snapshots: Path, dead_api: str) -> None:
    with pytest.raises(DigestError, match="not both"):
        fetch(snapshots, dead_api, since="2025-10-01")


# ---------------------------------------------------------------------------------------------------------------
# Retries, timeouts and bad answers


def test_a_server_error_is_retried_after_a_backoff(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(b"oops", status=500, content_type="text/plain"), Canned(fixture("three-papers.json")))
    run = fetch(snapshots, api.url)
    assert len(api.requests) == 2
    assert run.sleeps == [1.0]
    assert "HTTP 500" in run.text() and "try 2 of 4" in run.text()
    assert (snapshots / f"{DAY}.json").is_file()


def test_a_server_that_stays_down_gives_up_with_the_url(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(b"<h1>Service Unavailable</h1>", status=503, content_type="text/html"))
    with pytest.raises(DigestError) as caught:
        fetch(snapshots, api.url)
    assert len(api.requests) == 4
    message = str(caught.value)
    assert api.url in message and "failed 4 times" in message and "HTTP 503" in message
    assert "<h1>Service Unavailable</h1>" in message
    assert files_in(snapshots) == []


def test_429_waits_as_long_as_retry_after_says(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(b'{"error":"slow down"}', status=429, headers=(("Retry-After", "7"),)),
               Canned(fixture("three-papers.json")))
    run = fetch(snapshots, api.url)
    assert run.sleeps == [7.0]
    assert (snapshots / f"{DAY}.json").is_file()


def test_a_refused_connection_is_retried_then_reported(snapshots: Path, dead_api: str) -> None:
    run = Run()
    with pytest.raises(DigestError) as caught:
        run_fetch(snapshots, TODAY, None, dead_api, False, TODAY, run.said.append, sleep=run.sleeps.append)
    message = str(caught.value)
    assert dead_api in message and "connection refused" in message and "failed 4 times" in message
    assert run.sleeps == [1.0, 2.0, 4.0]  # exponential backoff between the 4 tries
    assert files_in(snapshots) == []


def test_a_slow_answer_times_out(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json"), delay=1.0))
    started = time.monotonic()
    with pytest.raises(DigestError, match=r"no answer within 0\.3 s"):
        fetch(snapshots, api.url, timeout=0.3, retries=1)
    assert time.monotonic() - started < 0.95
    assert len(api.requests) == 2
    assert files_in(snapshots) == []


def test_a_truncated_body_is_not_saved(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("truncated.json")))
    with pytest.raises(DigestError) as caught:
        fetch(snapshots, api.url)
    message = str(caught.value)
    assert api.url in message and "invalid JSON" in message and "truncated?" in message
    assert "HTTP 200" in message and "application/json" in message
    assert len(api.requests) == 1  # a complete answer with bad content: asking again will not help
    assert files_in(snapshots) == []


def test_a_connection_dropped_mid_body_is_retried(api: FakeApi, snapshots: Path) -> None:
    whole = fixture("three-papers.json")
    api.answer(DAY, Canned(whole[:100], claimed_length=len(whole)), Canned(whole))
    run = fetch(snapshots, api.url)
    assert "closed after 100 bytes" in run.text()
    assert run.sleeps == [1.0]
    assert count_papers(json.loads((snapshots / f"{DAY}.json").read_bytes())) == 3


def test_an_html_page_with_status_200_is_an_error(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("html-error.html"), content_type="text/html"))
    with pytest.raises(DigestError) as caught:
        fetch(snapshots, api.url)
    message = str(caught.value)
    assert "did not answer with a list of papers" in message
    assert "text/html" in message and "<!DOCTYPE html> <html> <head><title>502 Bad Gateway" in message
    assert "\n" not in message
    assert files_in(snapshots) == []


@pytest.mark.parametrize(("name", "said"), [
    ("error-object.json", "error is 'Invalid date: expected YYYY-MM-DD [31mred[0m'"),
    ("status-object.json", "status is 'no_data'"),
])
def test_a_json_error_object_is_an_error(api: FakeApi, snapshots: Path, name: str, said: str) -> None:
    api.answer(DAY, Canned(fixture(name)))
    with pytest.raises(DigestError) as caught:
        fetch(snapshots, api.url)
    assert "error object, not a list of papers" in str(caught.value)
    assert said in str(caught.value)
    assert "\x1b" not in str(caught.value)


def test_a_client_error_is_not_retried(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(b'{"error":"Invalid date"}', status=400))
    run = Run()
    with pytest.raises(DigestError, match=r"answered with an error: HTTP 400 Bad Request.*Invalid date"):
        run_fetch(snapshots, TODAY, None, api.url, False, TODAY, run.said.append, sleep=run.sleeps.append)
    assert len(api.requests) == 1 and run.sleeps == []


@pytest.mark.parametrize("bad", [
    Canned(b"down", status=500, content_type="text/plain"),
    Canned(fixture("truncated.json")),
    Canned(fixture("html-error.html"), content_type="text/html"),
    Canned(fixture("error-object.json")),
    Canned(b"[1, 2]"),
])
def test_a_failed_fetch_leaves_the_good_file_byte_identical(api: FakeApi, snapshots: Path, bad: Canned) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url)
    target = snapshots / f"{DAY}.json"
    before, mtime = target.read_bytes(), target.stat().st_mtime_ns
    api.answer(DAY, bad)
    with pytest.raises(DigestError):
        fetch(snapshots, api.url, force=True)
    assert target.read_bytes() == before and target.stat().st_mtime_ns == mtime
    assert files_in(snapshots) == [f"{DAY}.json"]  # no temp file left behind


# ---------------------------------------------------------------------------------------------------------------
# Redirects and answers that trickle in


def saved_snapshot(api: FakeApi, snapshots: Path) -> tuple[Path, bytes]:
    """A good DATE.json fetched first, so a test can show that a failed fetch leaves it byte for byte."""
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url)
    target = snapshots / f"{DAY}.json"
    return target, target.read_bytes()


def redirect(location: str, status: int = 302) -> Canned:
    return Canned(b"", status=status, headers=(("Location", location),))


def one_line_failure(snapshots: Path, api: FakeApi, **options: Any) -> str:
    """The message of a fetch (forced, so only a failure keeps the file) that must fail; one line naming the URL."""
    with pytest.raises(DigestError) as caught:
        fetch(snapshots, api.url, force=True, **options)
    message = str(caught.value)
    assert "\n" not in message and f"{api.url}?date={DAY}" in message
    return message


def test_a_redirect_to_ftp_is_refused_without_connecting(api: FakeApi, snapshots: Path) -> None:
    target, before = saved_snapshot(api, snapshots)
    with socket.socket() as ftp:
        ftp.bind(("127.0.0.1", 0))
        ftp.listen()
        ftp.setblocking(False)
        location = f"ftp://127.0.0.1:{ftp.getsockname()[1]}/daily_papers"
        api.answer(DAY, redirect(location))
        message = one_line_failure(snapshots, api)
        with pytest.raises(BlockingIOError):
            ftp.accept()  # nothing connected to the FTP port
    assert f"redirected to {location}; not followed: only http:// and https:// redirects" in message
    assert len(api.requests) == 2  # the good fetch, then the redirect once: a refusal is not retried
    assert target.read_bytes() == before


@pytest.mark.parametrize(("location", "said"), [
    ("http://localhost:{port}/api/daily_papers", "followed only within 127.0.0.1 (give the final URL as --api)"),
    ("http://127.0.0.1@localhost:{port}/api/daily_papers", "followed only within 127.0.0.1"),
    ("//localhost:{port}/api/daily_papers", "followed only within 127.0.0.1"),
    ("file:///etc/passwd", "only http:// and https:// redirects are followed"),  # urllib's own refusal, same words
    ("http://[::1/api", "not followed: it is not a valid URL"),
])
def test_a_redirect_off_the_apis_host_is_refused(api: FakeApi, snapshots: Path, location: str, said: str) -> None:
    target, before = saved_snapshot(api, snapshots)
    location = location.format(port=api.port)
    api.answer(DAY, redirect(location, status=307))
    message = one_line_failure(snapshots, api)
    assert said in message
    assert len(api.requests) == 2  # localhost is this very server: it was never asked
    assert target.read_bytes() == before


def test_a_redirect_on_the_same_host_is_followed_with_the_same_headers(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, redirect(f"/v2/daily_papers?date={DAY}", status=301))
    api.answer_at("/v2/daily_papers", redirect(f"http://127.0.0.1:{api.port}/v3/daily_papers", status=308))
    api.answer_at("/v3/daily_papers", Canned(fixture("three-papers.json")))
    run = fetch(snapshots, api.url)
    assert [urlsplit(r["path"]).path for r in api.requests] == ["/api/daily_papers", "/v2/daily_papers",
                                                               "/v3/daily_papers"]
    assert api.requests[-1]["headers"]["User-Agent"] == f"paper-digest/{__version__}"
    assert f"{DAY}.json: wrote, 3 papers" in run.text()


def test_a_redirect_loop_is_one_line_and_exits_2(api: FakeApi, snapshots: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from digest.cli import main

    target, before = saved_snapshot(api, snapshots)
    api.answer(DAY, redirect("/loop/a"))
    api.answer_at("/loop/a", redirect("/loop/b"))
    api.answer_at("/loop/b", redirect("/loop/a"))
    code = main(["fetch", DAY, "--api", api.url, "--source", str(snapshots.parent.parent), "--force"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ")
    base = f"http://127.0.0.1:{api.port}"
    assert f"{api.url}?date={DAY}" in err
    assert f"redirected in a loop ({base}/loop/b → {base}/loop/a, asked before); not followed" in err
    assert len(api.requests) == 4  # the good fetch, the page, a, b: once, not retried
    assert target.read_bytes() == before


def test_a_long_chain_of_redirects_is_cut_short(api: FakeApi, snapshots: Path) -> None:
    target, before = saved_snapshot(api, snapshots)
    api.answer(DAY, redirect("/hop/0"))
    for hop in range(10):
        api.answer_at(f"/hop/{hop}", redirect(f"/hop/{hop + 1}"))
    message = one_line_failure(snapshots, api)
    assert f"redirected more than {MAX_REDIRECTS} times (last http://127.0.0.1:{api.port}/hop/4 → " in message
    assert len(api.requests) == 1 + 1 + MAX_REDIRECTS
    assert target.read_bytes() == before


@pytest.mark.parametrize(("origin", "target", "refused"), [
    ("https://huggingface.co/api/daily_papers", "/api/v2?date=x", None),
    ("https://huggingface.co/api/daily_papers", "https://HuggingFace.co:8443/api", None),  # any port
    ("http://127.0.0.1:8000/api", "https://127.0.0.1/api", None),  # up to https is fine
    ("https://huggingface.co/api/daily_papers", "http://huggingface.co/api", "from https:// down to http://"),
    ("https://huggingface.co/api/daily_papers", "ftp://huggingface.co/api", "only http:// and https://"),
    ("https://huggingface.co/api/daily_papers", "https://cdn.huggingface.co/api", "only within huggingface.co"),
    ("https://huggingface.co/api/daily_papers", "https://huggingface.co@example.com/", "only within huggingface.co"),
    ("https://huggingface.co/api/daily_papers", "//example.com/api", "only within huggingface.co"),
    ("https://huggingface.co/api/daily_papers", "http://[::1/", "not a valid URL"),
])
def test_which_redirects_are_followed(origin: str, target: str, refused: str | None) -> None:
    problem = redirect_refusal(origin, target)
    assert problem is None if refused is None else refused in (problem or "")


def test_a_body_dripping_in_fails_at_the_deadline_and_is_retried(api: FakeApi) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json"), drip=0.5))  # a byte per 0.5 s: never 2 s without data
    said: list[str] = []
    sleeps: list[float] = []
    started = time.monotonic()
    with pytest.raises(DigestError) as caught:
        fetch_day(api.url, TODAY, timeout=2, retries=1, sleep=sleeps.append, say=said.append, deadline=1.2)
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert f"{api.url}?date={DAY}" in message and "\n" not in message
    assert "failed 2 times; the last time: the answer took longer than 1.2 s" in message
    assert said == [f"{api.url}?date={DAY}&limit=50&p=0: the answer took longer than 1.2 s; "
                    "trying again in 1 s (try 2 of 2)"]
    assert sleeps == [1.0] and len(api.requests) == 2
    assert 2.4 <= elapsed < 4.0


def test_headers_dripping_in_fail_at_four_times_the_timeout(api: FakeApi, snapshots: Path) -> None:
    target, before = saved_snapshot(api, snapshots)
    api.answer(DAY, Canned(fixture("three-papers.json"), header_drip=0.1))  # one header line per 0.1 s
    started = time.monotonic()
    message = one_line_failure(snapshots, api, timeout=0.3, retries=0)
    assert "the answer took longer than 1.2 s" in message  # DEADLINE_PER_TIMEOUT x --timeout
    assert 1.2 <= time.monotonic() - started < 2.5
    assert target.read_bytes() == before


def test_the_help_states_the_redirect_and_deadline_rules() -> None:
    parser = argparse.ArgumentParser(prog="digest")
    text = " ".join(add_fetch_command(parser.add_subparsers()).format_help().split())
    assert "redirects are followed only over http(s) to this URL's host, never from https to http" in text
    assert f"takes longer than {DEADLINE_PER_TIMEOUT} times this" in text


# ---------------------------------------------------------------------------------------------------------------
# Which API


def test_the_environment_variable_overrides_the_default_api(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, None, environ={API_VARIABLE: api.url})
    assert len(api.requests) == 1


def test_an_explicit_api_overrides_the_environment_variable(api: FakeApi, snapshots: Path, dead_api: str) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url, environ={API_VARIABLE: dead_api})
    assert len(api.requests) == 1


def test_an_api_url_keeps_its_own_query(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url + "?token=abc")
    assert api.requests[0]["query"]["token"] == ["abc"]
    assert api.requests[0]["query"]["date"] == [DAY]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.invalid/x", "huggingface.co/api", "http://",
                                 "http://[::1/api"])
def test_only_http_urls_are_accepted(snapshots: Path, url: str) -> None:
    with pytest.raises(DigestError, match="http:// or https://"):
        fetch(snapshots, url)


# ---------------------------------------------------------------------------------------------------------------
# The command line


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="digest")
    add_fetch_command(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_the_command_fetches_into_the_source_folder(api: FakeApi, snapshots: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    project = snapshots.parent.parent
    args = parse(["fetch", DAY, "--api", api.url, "--source", str(project), "--timeout", "5"])
    assert args.run(args) == 0
    assert (snapshots / f"{DAY}.json").is_file()
    assert "3 papers" in capsys.readouterr().out


def test_the_command_fetches_today_from_the_api_in_the_environment(
        api: FakeApi, snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api.answer(DAY, Canned(fixture("three-papers.json")))
    monkeypatch.setenv(API_VARIABLE, api.url)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2025, 10, 8, 23, 59, tzinfo=UTC).timestamp())))
    args = parse(["fetch", "--source", str(snapshots.parent.parent)])
    assert args.run(args) == 0
    assert api.dates_asked() == [DAY]


def test_the_command_with_since(api: FakeApi, snapshots: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    api.answer("2025-10-07", Canned(as_json(make_items(1))))
    api.answer(DAY, Canned(as_json(make_items(1, first=2))))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2025, 10, 8, tzinfo=UTC).timestamp())))
    args = parse(["fetch", "--since", "2025-10-07", "--api", api.url, "--source", str(snapshots.parent.parent)])
    assert args.run(args) == 0
    assert files_in(snapshots) == ["2025-10-07.json", f"{DAY}.json"]


@pytest.mark.parametrize("argv", [
    ["fetch", "2025-13-01"], ["fetch", DAY, "--since", DAY], ["fetch", "--timeout", "0"], ["fetch", "--timeout", "x"],
])
def test_bad_arguments_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse(argv)
    assert caught.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_a_bad_source_date_epoch_is_a_user_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    args = parse(["fetch", "--source", str(tmp_path)])
    with pytest.raises(DigestError, match="SOURCE_DATE_EPOCH"):
        args.run(args)


# ---------------------------------------------------------------------------------------------------------------
# The API's JSON shape


def test_valid_items_parse_and_an_empty_day_is_valid() -> None:
    assert len(parse_api_items(fixture("three-papers.json"), "x.json")) == 3
    assert parse_api_items(b"[]\n", "x.json") == []


def test_invalid_json_names_the_file_line_and_column() -> None:
    with pytest.raises(SnapshotError) as caught:
        parse_api_items(b'[\n  {"paper": {"id": "1"}\n  "title" 1}\n]', "file.json")
    assert str(caught.value) == "file.json:3: invalid JSON at column 3: Expecting ',' delimiter"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"\xff[]", "not UTF-8"),
    (b'"hello"', "a string, not a list of papers"),
    (b"NaN", "NaN is not a JSON value"),
    (b'{"data": []}', "a JSON object (keys: data), not a list of papers"),
    (b'[{"paper": {"id": "1", "title": "T"}}, "2510.00002"]', "item 2 is a string, not an object"),
    (b'[{"title": "T"}]', "item 1 has no 'paper' object"),
    (b'[{"paper": {"title": "T"}}]', "item 1 has no paper.id"),
    (b'[{"paper": {"id": 2510.1, "title": "T"}}]', "item 1 has no paper.id"),
    (b'[{"paper": {"id": "2510.00001", "title": " "}, "title": ""}]', "item 1 (paper 2510.00001) has no title"),
])
def test_what_is_not_a_day_of_papers(data: bytes, message: str) -> None:
    with pytest.raises(SnapshotError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_api_items(data, "x.json")


def test_the_item_title_stands_in_for_a_missing_paper_title() -> None:
    [item] = parse_api_items(b'[{"paper": {"id": "2510.00001"}, "title": "From the item"}]', "x.json")
    assert item["paper"]["id"] == "2510.00001"


def test_dump_keeps_key_order_and_unicode_and_ends_with_a_newline() -> None:
    items = [{"paper": {"id": "1", "title": "Z"}, "b": "é\n", "a": [1]}]
    assert dump_api_items(items) == (
        '[\n  {\n    "paper": {\n      "id": "1",\n      "title": "Z"\n    },\n'
        '    "b": "é\\n",\n    "a": [\n      1\n    ]\n  }\n]\n').encode()
    assert dump_api_items([]) == b"[]\n"


def test_a_lone_surrogate_becomes_a_replacement_character_and_a_pair_stays_an_emoji() -> None:
    items = parse_api_items(b'[{"paper": {"id": "1", "title": "half \\ud83d emoji, whole \\ud83d\\ude00"}}]', "x.json")
    assert items[0]["paper"]["title"] == "half \ufffd emoji, whole \U0001f600"
    data = dump_api_items(items)
    assert parse_api_items(data, "x.json") == items
    data.decode("utf-8")


def test_counting_papers_counts_each_paper_once() -> None:
    assert count_papers(make_items(3) + make_items(1)) == 3


def test_an_excerpt_is_one_safe_short_line() -> None:
    assert printable_excerpt("a\n\tb\x00c\x1b[0m\u202e d", 80) == "a bc[0m d"
    assert printable_excerpt("x" * 300, 10) == "x" * 9 + "…"


def test_retry_after_as_seconds_or_date_is_capped() -> None:
    now = datetime(2025, 10, 8, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("86400", now) == MAX_WAIT
    later = now + timedelta(seconds=30)
    assert retry_after_seconds(later.strftime("%a, %d %b %Y %H:%M:%S GMT"), now) == 30.0
    assert retry_after_seconds("Wed, 01 Jan 2020 00:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


# ---------------------------------------------------------------------------------------------------------------
# The `digest` command


def test_digest_fetch_writes_the_day_through_the_real_cli(api: FakeApi, snapshots: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from digest.cli import main

    api.answer(DAY, Canned(fixture("three-papers.json")))
    code = main(["fetch", DAY, "--api", api.url, "--source", str(snapshots.parent.parent)])
    assert code == 0
    assert files_in(snapshots) == [f"{DAY}.json"]
    assert DAY in capsys.readouterr().out


def test_digest_fetch_of_an_html_error_page_exits_2_naming_the_url(api: FakeApi, snapshots: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from digest.cli import main

    api.answer(DAY, Canned(fixture("html-error.html"), content_type="text/html"))
    code = main(["fetch", DAY, "--api", api.url, "--source", str(snapshots.parent.parent)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and api.url in err and "Traceback" not in err
    assert files_in(snapshots) == []


# ---------------------------------------------------------------------------------------------------------------
# What is saved is what the builder reads, and that day's list


def saved_then(api: FakeApi, snapshots: Path, answer: bytes) -> tuple[bytes, Path]:
    """A good snapshot of DAY saved, then the API scripted to answer `answer`: the saved bytes and the file."""
    api.answer(DAY, Canned(fixture("three-papers.json")))
    fetch(snapshots, api.url)
    api.answer(DAY, Canned(answer))
    target = snapshots / f"{DAY}.json"
    return target.read_bytes(), target


def with_featured_day(items: list[dict[str, Any]], day: str) -> list[dict[str, Any]]:
    for item in items:
        item["paper"]["submittedOnDailyAt"] = f"{day}T13:22:01.000Z"
    return items


def test_an_item_the_reader_would_refuse_keeps_the_saved_day_byte_identical(api: FakeApi, snapshots: Path) -> None:
    items = json.loads(fixture("three-papers.json")) + make_items(1, first=90)
    items[-1]["paper"]["id"] = "not-an-arxiv-id"
    before, target = saved_then(api, snapshots, as_json(items))
    with pytest.raises(DigestError) as caught:
        fetch(snapshots, api.url)
    message = str(caught.value)
    assert f"the API's answer for {DAY} is not a snapshot the site can read" in message
    assert "item 4: paper.id 'not-an-arxiv-id' is not an arXiv id" in message and "is unchanged" in message
    assert "\n" not in message
    assert target.read_bytes() == before


@pytest.mark.parametrize("title", ["\u200b\u200b", "x" * 3_000])
def test_a_title_the_reader_would_refuse_is_not_saved(api: FakeApi, snapshots: Path, title: str) -> None:
    items = make_items(4)
    items[2]["paper"]["title"] = items[2]["title"] = title
    api.answer(DAY, Canned(as_json(items)))
    with pytest.raises(DigestError, match="item 3"):
        fetch(snapshots, api.url)
    assert files_in(snapshots) == []


def test_a_lone_surrogate_is_saved_as_a_replacement_character_and_the_day_builds(api: FakeApi, snapshots: Path,
                                                                                 capsys: pytest.CaptureFixture[str]
                                                                                 ) -> None:
    body = as_json(make_items(3)).replace(b'"title":"Generated Paper 2', b'"title":"Generated \\ud800Paper 2', 1)
    api.answer(DAY, Canned(body))
    fetch(snapshots, api.url)
    saved = (snapshots / f"{DAY}.json").read_text(encoding="utf-8")
    assert "Generated \ufffdPaper 2" in saved
    project = snapshots.parent.parent
    (project / "content" / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n", encoding="utf-8")
    capsys.readouterr()
    assert cli_main(["build", "--source", str(project), "--quiet"]) == 0, capsys.readouterr().err


def test_another_days_longer_list_does_not_replace_the_day(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(as_json(with_featured_day(make_items(2), DAY))))
    fetch(snapshots, api.url)
    target = snapshots / f"{DAY}.json"
    before = target.read_bytes()
    api.answer(DAY, Canned(as_json(with_featured_day(make_items(9), "2025-10-07"))))  # ?date= ignored
    with pytest.raises(DigestError, match=r"is the list of another day: papers featured on 2025-10-07"):
        fetch(snapshots, api.url)
    assert target.read_bytes() == before


def test_a_list_holding_papers_of_a_later_day_is_refused(api: FakeApi, snapshots: Path) -> None:
    items = with_featured_day(make_items(5), DAY)
    items[-1]["paper"]["submittedOnDailyAt"] = "2025-10-09T08:00:00.000Z"
    api.answer(DAY, Canned(as_json(items)))
    with pytest.raises(DigestError, match="papers featured on 2025-10-09"):
        fetch(snapshots, api.url)
    older = make_items(3)
    for item in older:
        item["publishedAt"] = "2025-10-20T08:00:00.000Z"  # an older API answer: the item's own date only
    api.answer(DAY, Canned(as_json(older)))
    with pytest.raises(DigestError, match="lists a paper featured on 2025-10-20, after that day"):
        fetch(snapshots, api.url)
    assert files_in(snapshots) == []


def test_a_day_whose_papers_were_submitted_earlier_is_still_that_days_list(api: FakeApi, snapshots: Path) -> None:
    items = with_featured_day(make_items(5), DAY)
    items[0]["paper"]["submittedOnDailyAt"] = "2025-10-06T08:00:00.000Z"  # as on real days in March 2025
    api.answer(DAY, Canned(as_json(items)))
    fetch(snapshots, api.url)
    assert count_papers(json.loads((snapshots / f"{DAY}.json").read_bytes())) == 5


def test_json_nested_ten_thousand_deep_is_a_clean_refusal(api: FakeApi, snapshots: Path) -> None:
    api.answer(DAY, Canned(b"[" * 10_000 + b"]" * 10_000))
    with pytest.raises(DigestError, match="nested deeper than it can be read"):
        fetch(snapshots, api.url)
    assert files_in(snapshots) == []
