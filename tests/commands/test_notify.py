"""`digest notify` through Apprise to real HTTP servers on 127.0.0.1 that record every request.

The destinations are Apprise's own plugins (json://, form://, ntfy://, gotify://, mmost://, apprise://), not
stubs: what the servers record is what a Slack-like service would get. Retries wait through an injected
`sleep` that records the waits, so the suite never sleeps for seconds.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.commands.notify import EXIT_DELIVERY_FAILED, NotifyOptions, run_notify
from digest.ledger import LEDGER_NAME, load_ledger
from digest.project import Project
from tests.helpers import FIXTURES, Recorder, make_project

BASE_URL = "https://digest.example.org/"
DAY = "2025-10-08"
SECRETS = {"DIGEST_HOOK_PASS": "hook-pass-5Yx2-never-shown", "DIGEST_GOTIFY_TOKEN": "AgotifyTok3n77never",
           "DIGEST_MM_TOKEN": "mmHookToken9qv8never", "DIGEST_NTFY_PASS": "ntfy-pass-Kd93-never",
           "DIGEST_APPRISE_KEY": "apprisekey4never"}
HOSTILE_TITLE = "Breaking <script>alert(1)</script> [click](javascript:alert(1)) **bold**"

pytestmark = pytest.mark.usefixtures("no_proxy")


def api_item(number: int, day: str, title: str, upvotes: int, summary: str | None = None) -> dict[str, Any]:
    paper: dict[str, Any] = {"id": f"2510.{number:05d}", "title": title, "summary": f"Abstract of paper {number}.",
                             "authors": [{"name": "Ann Author"}], "upvotes": upvotes,
                             "submittedOnDailyAt": f"{day}T08:00:00.000Z", "publishedAt": f"{day}T00:00:00.000Z"}
    if summary:
        paper["ai_summary"] = summary
    return {"paper": paper, "title": title, "numComments": 0}


def snapshots() -> dict[str, str]:
    older = [api_item(1, "2025-10-07", "Yesterday's Paper on Agents", 12, "Agents plan.")]
    newer = [api_item(2, DAY, "Diffusion Models Learn to Count", 250, "A diffusion model that counts objects."),
             api_item(3, DAY, HOSTILE_TITLE, 90, "Summary with <b>tags</b> & [brackets]."),
             api_item(4, DAY, "A Paper Without an AI Summary", 40),
             *older]
    return {"2025-10-07.json": json.dumps(older), f"{DAY}.json": json.dumps(newer)}


def site_yaml(to: list[str], extra: str = "") -> str:
    destinations = ", ".join(json.dumps(url) for url in to)
    return (f"title: Paper Digest\nbase_url: {BASE_URL}\n"
            f"notify:\n  to: [{destinations}]\n  retries: 2\n  backoff: 0.01\n{extra}")


@dataclass
class Run:
    """What one `digest notify` said, complained, and how long it wanted to wait."""

    code: int = 0
    said: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.said + self.complaints)


def notify(project: Project, *, day: str | None = DAY, week: str | None = None, environ: dict[str, str] | None = None,
           **options: bool) -> Run:
    run = Run()
    run.code = run_notify(project, date.fromisoformat(day) if day else None, week, NotifyOptions(**options),
                          run.said.append, run.complaints.append, SECRETS if environ is None else environ,
                          run.sleeps.append)
    return run




def project_with(tmp_path: Path, to: list[str], extra: str = "") -> Project:
    return make_project(tmp_path, snapshots(), site_yaml=site_yaml(to, extra))


def six_destinations(server: Recorder) -> list[str]:
    return [server.url("json", "hook", "hook:${DIGEST_HOOK_PASS}"), server.url("form", "form"),
            server.url("ntfy", "digest", "reader:${DIGEST_NTFY_PASS}"),
            server.url("gotify", "${DIGEST_GOTIFY_TOKEN}"), server.url("mmost", "${DIGEST_MM_TOKEN}"),
            server.url("apprise", "${DIGEST_APPRISE_KEY}")]


# --- what readers get -------------------------------------------------------------------------------------


def test_every_destination_gets_the_title_top_papers_and_links(tmp_path: Path, server: Recorder) -> None:
    project = project_with(tmp_path, six_destinations(server))
    run = notify(project)
    assert run.code == 0, run.text
    assert "Delivered to 6 of 6 destinations" in run.text
    (hook,) = server.to("/hook")
    payload = hook.json()
    assert payload["title"] == "Paper Digest, 8 October 2025: 3 new papers"
    message = payload["message"]
    assert message.startswith("1. Diffusion Models Learn to Count · 250 upvotes\n"
                              "AI summary: A diffusion model that counts objects.\n"
                              f"{BASE_URL}papers/")
    assert "A Paper Without an AI Summary · 40 upvotes\nhttps://" in message, "no summary line where the feed has none"
    assert message.endswith(f"All 3 new papers: {BASE_URL}snapshots/{DAY}/")
    assert "Yesterday's Paper" not in message, "returning papers are not news"
    assert hook.headers["Authorization"].startswith("Basic ")
    (form,) = server.to("/form")
    assert form.form()["title"] == payload["title"] and form.form()["message"] == message
    (ntfy,) = server.to("/")
    assert ntfy.json()["topic"] == "digest" and ntfy.json()["message"] == message
    (gotify,) = server.to("/message")
    assert gotify.headers["X-Gotify-Key"] == SECRETS["DIGEST_GOTIFY_TOKEN"], "the secret reaches only the service"
    assert gotify.json()["message"] == message
    (mattermost,) = server.to(f"/hooks/{SECRETS['DIGEST_MM_TOKEN']}")
    assert mattermost.json()["text"].startswith("Paper Digest, 8 October 2025: 3 new papers\r\n1. Diffusion")
    (apprise_api,) = server.to("/notify")
    assert apprise_api.headers["X-Apprise-Config-ID"] == SECRETS["DIGEST_APPRISE_KEY"]
    assert apprise_api.form()["title"] == payload["title"] and apprise_api.form()["body"] == message


def test_markdown_goes_where_it_is_asked_for_with_scraped_text_escaped(tmp_path: Path, server: Recorder) -> None:
    project = project_with(tmp_path, [server.url("json", "md?format=markdown"), server.url("json", "html?format=html")])
    assert notify(project).code == 0
    markdown = server.to("/md")[0].json()["message"]
    assert markdown.startswith("1. **[Diffusion Models Learn to Count](https://digest.example.org/papers/")
    assert r"Breaking \<script\>alert(1)\</script\> \[click\](javascript:alert(1)) \*\*bold\*\*" in markdown
    assert markdown.endswith(f"[All 3 new papers]({BASE_URL}snapshots/{DAY}/)")
    html = server.to("/html")[0].json()["message"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'<p><a href="{BASE_URL}snapshots/{DAY}/">All 3 new papers</a></p>' in html
    assert "javascript:" not in html.replace("[click](javascript:alert(1))", ""), "only our own URLs are links"


def test_a_week_links_to_the_weeks_page(tmp_path: Path, server: Recorder) -> None:
    project = project_with(tmp_path, [server.url("json", "hook")])
    assert notify(project, day=None, week="2025-W41").code == 0
    payload = server.to("/hook")[0].json()
    assert payload["title"].startswith("Paper Digest, Week 41 of 2025: 4 new papers")
    assert payload["message"].endswith(f"All 4 new papers: {BASE_URL}weeks/2025-W41/")


def test_a_day_without_new_papers_notifies_nobody_unless_asked(tmp_path: Path, server: Recorder) -> None:
    quiet = {**snapshots(), "2025-10-09.json": json.dumps([api_item(2, DAY, "Diffusion Models Learn to Count", 300)])}
    project = make_project(tmp_path, quiet, site_yaml=site_yaml([server.url("json", "hook")]))
    run = notify(project, day="2025-10-09")
    assert run.code == 0 and "no new papers, so nobody was notified" in run.text and not server.requests
    assert notify(project, day="2025-10-09", send_empty=True).code == 0
    assert server.to("/hook")[0].json()["message"] == f"No new papers: {BASE_URL}snapshots/2025-10-09/"


def test_dry_run_prints_each_destinations_message_and_sends_nothing(tmp_path: Path, server: Recorder) -> None:
    destinations = [server.url("mmost", "${DIGEST_MM_TOKEN}"), server.url("json", "md?format=markdown")]
    project = project_with(tmp_path, destinations)
    run = notify(project, dry_run=True)
    assert run.code == 0 and not server.requests
    assert not (tmp_path / LEDGER_NAME).exists()
    assert "Dry run: mmost://127.0.0.1:" in run.text and "(Mattermost, text, " in run.text
    assert "(JSON, markdown, " in run.text and "1. **[Diffusion Models" in run.text
    assert SECRETS["DIGEST_MM_TOKEN"] not in run.text


@pytest.mark.parametrize("interests", [None, "keywords: [quantum chemistry]\nmute: [protein folding]\n"])
def test_without_interests_every_message_is_byte_for_byte_what_it_was(tmp_path: Path, server: Recorder,
                                                                      interests: str | None) -> None:
    """tests/fixtures/notify/without-interests.json holds the requests this project's notifications made before
    interests.yaml counted (d44611e): without the file, or with one that picks and mutes nothing of these
    papers, every service (text, Markdown, HTML, a 500-character one, one without a title field) gets the same
    bytes."""
    expected = json.loads((FIXTURES / "notify" / "without-interests.json").read_text(encoding="utf-8"))
    destinations = [server.url("json", "text"), server.url("json", "markdown?format=markdown"),
                    server.url("json", "html?format=html"), server.url("mastodon", "", "token"),
                    server.url("mmost", "mattermost-token")]
    project = project_with(tmp_path, destinations)
    if interests is not None:
        (project.content / "interests.yaml").write_text(interests, encoding="utf-8")
    for edition, run in (("day", lambda: notify(project)), ("week", lambda: notify(project, day=None,
                                                                                   week="2025-W41"))):
        server.requests.clear()
        assert run().code == 0
        assert {request.path: request.body.decode() for request in server.requests} == expected[edition]


# --- secrets ------------------------------------------------------------------------------------------------


def test_secrets_never_reach_output_logs_ledger_or_site(tmp_path: Path, server: Recorder,
                                                         caplog: pytest.LogCaptureFixture,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Apprise logs at DEBUG and names URLs; with every logger open, no secret may show anywhere."""
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    broken = server.url("json", "down", "hook:${DIGEST_HOOK_PASS}")
    server.answer("/down", 500)
    server.answer("/hooks/" + SECRETS["DIGEST_MM_TOKEN"], 503)
    project_with(tmp_path, [*six_destinations(server), broken, "json://${DIGEST_UNSET_URL}/x"])
    caplog.set_level(logging.DEBUG)  # the root logger at DEBUG: what a host application might configure
    code = main(["notify", DAY, "--source", str(tmp_path)])
    assert code == EXIT_DELIVERY_FAILED
    assert main(["notify", DAY, "--source", str(tmp_path), "--dry-run"]) == 0
    assert main(["check", "--source", str(tmp_path)]) == 0
    assert main(["build", "--source", str(tmp_path), "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert "3 of 8 destinations failed" in err and "${DIGEST_UNSET_URL} is not set" in err
    seen = {"stdout": out, "stderr": err, "logs": caplog.text,
            "ledger": (tmp_path / LEDGER_NAME).read_text(encoding="utf-8"),
            **{str(path): path.read_bytes().decode("utf-8", "replace")
               for path in (tmp_path / "site").rglob("*") if path.is_file()}}
    assert "urllib3" in caplog.text or "apprise" in caplog.text or out, "something was logged or printed"
    for where, text in seen.items():
        for secret in SECRETS.values():
            assert secret not in text, f"{secret} leaked into {where}"


# --- failures: contained, retried, summarised --------------------------------------------------------------


def test_503_twice_then_200_is_delivered_on_the_third_try(tmp_path: Path, server: Recorder) -> None:
    server.answer("/hook", 503, 503, 200)
    project = project_with(tmp_path, [server.url("json", "hook")])
    run = notify(project)
    assert run.code == 0, run.text
    assert len(server.to("/hook")) == 3
    assert run.sleeps == [0.01, 0.02], "backoff from notify.backoff, doubling"
    assert "error=503; trying again in 0.01 s (try 2 of 3)" in run.text
    assert len(load_ledger(tmp_path / LEDGER_NAME).deliveries) == 1


def test_one_destination_answering_500_leaves_the_others_delivered(tmp_path: Path, server: Recorder) -> None:
    server.answer("/broken", 500)
    server.answer("/refused", 401)
    destinations = [server.url("json", "first"), server.url("json", "broken"), server.url("json", "refused"),
                    server.url("form", "last")]
    project = project_with(tmp_path, destinations)
    run = notify(project)
    assert run.code == EXIT_DELIVERY_FAILED
    assert len(server.to("/first")) == len(server.to("/last")) == 1
    assert len(server.to("/broken")) == 3, "a server error is retried (notify.retries: 2)"
    assert len(server.to("/refused")) == 1, "a 401 will not pass: not retried"
    (summary,) = run.complaints
    assert summary.startswith("error: 2 of 4 destinations failed: ")
    broken, refused = summary.removeprefix("error: 2 of 4 destinations failed: ").split("; ")
    assert broken.startswith(f"{destinations[1]}: Failed to send JSON POST notification: ")
    assert broken.endswith("error=500 (after 3 tries)")
    assert refused.startswith(f"{destinations[2]}: Failed to send JSON POST notification: ")
    assert refused.endswith("error=401")
    recorded = [d.destination for d in load_ledger(tmp_path / LEDGER_NAME).deliveries]
    assert recorded == [destinations[0], destinations[3]]
    assert notify(project).code == EXIT_DELIVERY_FAILED
    assert len(server.to("/first")) == 1 and len(server.to("/broken")) == 6, "the next run retries only the failed"


def test_a_refused_connection_is_retried_then_named(tmp_path: Path, server: Recorder) -> None:
    dead = "json://127.0.0.1:1/nothing-listens"
    project = project_with(tmp_path, [dead, server.url("json", "hook")])
    run = notify(project)
    assert run.code == EXIT_DELIVERY_FAILED and len(run.sleeps) == 2
    assert f"{dead}: A Connection error occurred sending JSON notification to 127.0.0.1 (after 3 tries)" \
        in run.complaints[0]
    assert len(server.to("/hook")) == 1


def test_the_command_exits_1_and_names_the_failure_on_stderr(tmp_path: Path, server: Recorder,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    server.answer("/hook", 404)
    project_with(tmp_path, [server.url("json", "hook")])
    assert main(["notify", DAY, "--source", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: 1 of 1 destinations failed" in err and "error=404" in err


# --- the ledger -------------------------------------------------------------------------------------------------


def test_a_second_run_sends_nothing_and_force_sends_again(tmp_path: Path, server: Recorder) -> None:
    project = project_with(tmp_path, [server.url("json", "hook")])
    assert notify(project).code == 0
    again = notify(project)
    assert again.code == 0 and len(server.to("/hook")) == 1
    assert f"{DAY} was delivered at " in again.text and "not sent again (--force sends it again)" in again.text
    forced = notify(project, force=True)
    assert forced.code == 0 and len(server.to("/hook")) == 2
    assert "again as --force asked" in forced.text
    first, second = load_ledger(tmp_path / LEDGER_NAME).deliveries
    assert (first.note, second.note) == ("", "resent") and first.message_id == second.message_id


def test_two_editions_in_one_ledger(tmp_path: Path, server: Recorder) -> None:
    project = project_with(tmp_path, [server.url("json", "hook")])
    assert notify(project, day="2025-10-07").code == 0
    assert notify(project).code == 0
    assert notify(project, day=None, week="2025-W41").code == 0
    assert [d.edition for d in load_ledger(tmp_path / LEDGER_NAME).deliveries] == ["2025-10-07", DAY, "2025-W41"]
    assert len(server.to("/hook")) == 3
    assert all(notify(project, day=day).code == 0 for day in ("2025-10-07", DAY)) and len(server.to("/hook")) == 3


def test_a_truncated_ledger_is_an_error_naming_the_line_and_nothing_is_sent(tmp_path: Path, server: Recorder,
                                                                            capsys: pytest.CaptureFixture[str]
                                                                            ) -> None:
    project_with(tmp_path, [server.url("json", "hook")])
    assert main(["notify", "2025-10-07", "--source", str(tmp_path)]) == 0
    ledger = tmp_path / LEDGER_NAME
    ledger.write_bytes(ledger.read_bytes()[:-7])  # cut inside the last line
    capsys.readouterr()
    assert main(["notify", DAY, "--source", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {ledger}:4: the line is cut short") and "Traceback" not in err
    assert len(server.requests) == 1, "nothing sent after the first run"


def test_apprise_warnings_never_reach_stderr_unmasked(tmp_path: Path, server: Recorder) -> None:
    """With no logging set up, Python prints warnings to stderr (logging.lastResort): Apprise's included."""
    server.answer("/hook", 500)
    project_with(tmp_path, [server.url("json", "hook", "hook:${DIGEST_HOOK_PASS}"), "nosuch://${DIGEST_MM_TOKEN}/x"])
    environ = {**{k: v for k, v in os.environ.items() if not k.startswith("DIGEST_")}, **SECRETS, "no_proxy": "*"}
    result = subprocess.run([sys.executable, "-m", "digest", "notify", DAY, "--source", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, env=environ)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: 2 of 2 destinations failed: ") and "error=500 (after 3 tries)" in line
    assert "nosuch://${DIGEST_MM_TOKEN}/x: not a URL Apprise can send to: it knows no service 'nosuch://'" in line
    for secret in SECRETS.values():
        assert secret not in result.stdout + result.stderr
