"""`digest notify` with content/interests.yaml, through Apprise to real HTTP servers on 127.0.0.1 that record every
request: muted papers left out (a day and a week), the For-you picks first with their reasons in words, a line per
saved search, in plain text, Markdown and HTML, within a 500-character service's limit; `--dry-run` shows the same.

The projects are tests/helpers.py's three days of papers (`interest_snapshots`): on 2025-10-07 a paper the file
mutes (jailbreak), one from Qwen and one with a hostile title from a hostile organization the file follows; on
2025-10-08 a paper by Tri Dao on speculative decoding and three the file does not care about.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from digest.commands.notify import NotifyOptions, run_notify
from digest.project import Project
from tests.helpers import HOSTILE_INTEREST, SIMPLEST_INTERESTS, Recorder, make_interest_project

BASE_URL = "https://digest.example.org/"
PAPERS = f"{BASE_URL}papers/"
MUTED = "Jailbreaking Speculative Decoding"
HOSTILE_PAPER = f"{HOSTILE_INTEREST} Speculative Decoding Unleashed"
INTERESTS = SIMPLEST_INTERESTS.replace(
    "organizations: [Qwen]\n", f"organizations:\n  - Qwen\n  - {json.dumps(HOSTILE_INTEREST)}\n") + """\
  - name: Draft models
    query: +draft
"""

pytestmark = pytest.mark.usefixtures("no_proxy")




def project_to(root: Path, destinations: list[str], interests: str = INTERESTS) -> Project:
    project = make_interest_project(root, interests)
    to = ", ".join(json.dumps(url) for url in destinations)
    (project.content / "site.yaml").write_text(f"title: Paper Digest\nbase_url: {BASE_URL}\nnotify:\n  to: [{to}]\n",
                                               encoding="utf-8")
    return project


def notify(project: Project, day: str | None = None, week: str | None = None, **options: bool) -> list[str]:
    said: list[str] = []
    code = run_notify(project, date.fromisoformat(day) if day else None, week, NotifyOptions(**options),
                      said.append, said.append, {})
    assert code == 0, said
    return said


def message(server: Recorder, path: str) -> str:
    (request,) = server.to(path)
    return request.json()["message"]


def test_picks_lead_with_their_reasons_then_the_other_papers_in_text(tmp_path: Path, server: Recorder) -> None:
    notify(project_to(tmp_path, [server.url("json", "text")]), "2025-10-08")
    text = message(server, "/text")
    assert text == (
        "For you\n\n"
        "1. Acceptance Rate of Draft Models in Speculative Decoding · 17 upvotes\n"
        "Why: by Tri Dao (followed); mentions speculative decoding\n"
        f"{PAPERS}acceptance-rate-of-draft-models-in-speculative-decoding/\n\n"
        "Also new\n\n"
        f"1. Federated Learning with Noisy Clients · 20 upvotes\n{PAPERS}federated-learning-with-noisy-clients/\n\n"
        f"2. Diffusion Models for Image Editing · 19 upvotes\n{PAPERS}diffusion-models-for-image-editing/\n\n"
        f"3. Robot Manipulation from Videos · 18 upvotes\n{PAPERS}robot-manipulation-from-videos/\n\n"
        f"Saved searches\nDraft models (1 new): {BASE_URL}searches/draft-models/\n\n"
        f"All 4 new papers: {BASE_URL}snapshots/2025-10-08/")


def test_a_muted_paper_is_left_out_of_the_list_the_count_and_the_searches(tmp_path: Path, server: Recorder) -> None:
    project = project_to(tmp_path, [server.url("json", "text"), server.url("json", "md?format=markdown")])
    notify(project, "2025-10-07")
    payload = server.to("/text")[0].json()
    assert payload["title"] == "Paper Digest, 7 October 2025: 2 new papers", "the muted paper is not counted"
    for text in (payload["message"], message(server, "/md")):
        assert MUTED not in text and "jailbreak" not in text.lower()
        assert "Draft models (1 new)" in text or r"Draft models](" in text
    assert "(1 new)" in message(server, "/md"), "the muted paper matches the search but is not counted there"


def test_a_week_leaves_muted_papers_out_and_leads_with_its_picks(tmp_path: Path, server: Recorder) -> None:
    notify(project_to(tmp_path, [server.url("json", "text")]), week="2025-W41")
    text = message(server, "/text")
    assert MUTED not in text
    picks, others = text.split("\n\nAlso new\n\n")
    assert picks.startswith("For you\n\n1. Acceptance Rate of Draft Models in Speculative Decoding · 17 upvotes\n"
                            "Why: by Tri Dao (followed); mentions speculative decoding\n")
    assert picks.count("\nWhy: ") == 5, "notify.top (5) picks"
    assert "Why: from Qwen (followed)" in picks and "Why: mentions mixture of experts" in picks
    assert others.startswith("1. Federated Learning with Noisy Clients · 20 upvotes\n"), "the others, most upvoted"
    assert "Why:" not in others and "Acceptance Rate" not in others, "a pick is listed once"
    assert text.endswith(f"All 9 new papers: {BASE_URL}weeks/2025-W41/")


def test_markdown_and_html_show_the_picks_and_reasons_with_scraped_text_escaped(tmp_path: Path,
                                                                                 server: Recorder) -> None:
    notify(project_to(tmp_path, [server.url("json", "md?format=markdown"), server.url("json", "html?format=html")]),
           "2025-10-07")
    markdown = message(server, "/md")
    assert markdown.startswith("**For you**\n\n1. **[\\<script\\>alert(\"why\")\\</script\\> & 'Lab' Speculative "
                               f"Decoding Unleashed]({PAPERS}script-alert-why-script-lab-speculative-decoding"
                               "-unleashed/)** · 16 upvotes  \n"
                               "   Why: from \\<script\\>alert(\"why\")\\</script\\> & 'Lab' (followed); "
                               "mentions speculative decoding\n\n"
                               f"2. **[A Qwen Report on Tool Use]({PAPERS}a-qwen-report-on-tool-use/)** · 15 "
                               "upvotes  \n"
                               "   Why: from Qwen (followed)\n\n")
    assert f"**Saved searches**\n\n- [Draft models]({BASE_URL}searches/draft-models/) (1 new)" in markdown
    assert markdown.endswith(f"[All 2 new papers]({BASE_URL}snapshots/2025-10-07/)")
    assert "Also new" not in markdown, "no heading over an empty list"
    html = message(server, "/html")
    assert "<script>" not in html and html.count("&lt;script&gt;alert(&quot;why&quot;)&lt;/script&gt;") == 2
    assert html.startswith('<p><b>For you</b></p><ol><li><a href="https://digest.example.org/papers/script-alert')
    assert "<br>Why: from Qwen (followed)</li></ol>" in html
    assert (f'<p><b>Saved searches</b></p><ul><li><a href="{BASE_URL}searches/draft-models/">Draft models</a> '
            "(1 new)</li></ul>") in html


def test_a_500_character_service_still_gets_the_picks_first_and_whole_links(tmp_path: Path, server: Recorder) -> None:
    notify(project_to(tmp_path, [server.url("mastodon", "", "token")]), week="2025-W41")
    (request,) = server.to("/api/v1/statuses")
    status = request.json()["status"]
    assert len(status) <= 500
    title, body = status.split("\r\n", 1)
    assert title == "Paper Digest, Week 41 of 2025: 9 new papers"
    assert body.startswith("For you\n\n1. Acceptance Rate of Draft Models in Speculative Decoding · 17 upvotes\n"
                           "Why: by Tri Dao (followed); mentions speculative decoding\n")
    links = re.findall(r"https?://\S+", body)
    assert links == [f"{PAPERS}acceptance-rate-of-draft-models-in-speculative-decoding/",
                     f"{BASE_URL}weeks/2025-W41/"], "whole links only, the week's page last"
    assert "Saved searches" not in body, "the searches' lines go before any paper"


def test_dry_run_shows_what_would_be_sent(tmp_path: Path, server: Recorder) -> None:
    said = "\n".join(notify(project_to(tmp_path, [server.url("json", "text")]), "2025-10-07", dry_run=True))
    assert not server.requests
    assert "For you\n\n1. " in said and "Why: from Qwen (followed)" in said and MUTED not in said
    assert f"Draft models (1 new): {BASE_URL}searches/draft-models/" in said


def test_a_day_whose_new_papers_are_all_muted_notifies_nobody(tmp_path: Path, server: Recorder) -> None:
    interests = "mute:\n  - draft model\n  - author: Eve Sun\n"  # all three of 2025-10-07
    said = notify(project_to(tmp_path, [server.url("json", "text")], interests), "2025-10-07")
    assert not server.requests
    assert said == ["2025-10-07: no new papers but 3 muted in interests.yaml, so nobody was notified "
                    "(pass --send-empty to notify anyway)"]


def test_a_picks_many_reasons_are_cut_at_a_word(tmp_path: Path, server: Recorder) -> None:
    words = ["measure", "acceptance rate", "draft model", "changes", "speedup", "speculative decoding", "acceptance",
             "rate", "draft", "model", "speculative", "decoding"]
    interests = f"keywords: {json.dumps(words)}\n"
    notify(project_to(tmp_path, [server.url("json", "text")], interests), "2025-10-08")
    why = next(line for line in message(server, "/text").splitlines() if line.startswith("Why: "))
    assert why.startswith("Why: mentions measure; mentions acceptance rate; mentions draft model; ")
    assert why.endswith("…") and len(why) <= len("Why: ") + 200
