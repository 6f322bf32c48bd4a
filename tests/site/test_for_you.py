"""The curator's picks as readers see them: the For-you block on the home page and each day's page, /for-you/
with its feeds, the email's first section, mutes; scraped text escaped everywhere; the new pages pass the Nu
checker, axe (light and dark) and the 360 px check as the others do (tests/site/test_site_checks.py)."""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.commands.build import build_site
from digest.project import Project
from tests.helpers import (
    HOSTILE_INTEREST,
    INTEREST_DAYS,
    NARROW,
    SIMPLEST_INTERESTS,
    VNU_JAR,
    WIDE,
    axe_violations,
    describe,
    make_interest_project,
    require_vnu,
    serve_folder,
    tree,
)

INTERESTS = SIMPLEST_INTERESTS + f"""\
  - name: ignored here
    query: draft
library: library.bib
threshold: 1
organizations:
  - Qwen
  - '{HOSTILE_INTEREST.replace("'", "''")}'
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    text = INTERESTS.replace("organizations: [Qwen]\n", "")
    project = make_interest_project(tmp_path_factory.mktemp("for-you"), text, "library.bib")
    build_site(project)
    return project


@pytest.fixture(scope="module")
def site(project: Project) -> Path:
    return project.output


def block(page: str) -> str:
    """The For-you section of a page."""
    found = re.search(r'<section class="for-you".*?</section>', page, re.S)
    assert found, "no For-you block"
    return found.group(0)


def titles(page: str) -> list[str]:
    """The titles the page's lists of picks show, in order, as the HTML writes them."""
    lists = "".join(re.findall(r'<ol class="compact-list">.*?</ol>', page, re.S))
    return re.findall(r'<li><a href="[^"]*">(.*?)</a>', lists)


def test_the_home_page_opens_with_the_newest_days_picks_most_relevant_first_with_reasons(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    picks = block(home)
    assert home.index('class="for-you"') < home.index('id="new-heading"')
    assert titles(picks) == ["Acceptance Rate of Draft Models in Speculative Decoding"]
    assert "by <em>Tri Dao</em> (followed) · mentions <em>speculative decoding</em>" in picks
    assert "like <em>Fast Inference from Transformers via Speculative Decoding</em> in your library (shared: " in picks
    assert "Robot Manipulation from Videos" not in picks and "Robot Manipulation from Videos" in home


def test_each_day_page_has_its_own_block_and_keeps_every_paper(site: Path) -> None:
    day = (site / "snapshots" / INTEREST_DAYS[1] / "index.html").read_text(encoding="utf-8")
    picks = titles(block(day))
    assert picks[0].startswith("&lt;script&gt;") and "A Qwen Report on Tool Use" in picks
    assert "Jailbreaking Speculative Decoding" not in picks  # muted
    assert "Jailbreaking Speculative Decoding" in day  # but a day's page is the archive: still listed
    assert "from <em>Qwen</em> (followed)" in block(day)


def test_a_muted_paper_leaves_the_home_page_but_stays_in_topics_and_search(tmp_path: Path) -> None:
    project = make_interest_project(tmp_path, "mute:\n  - author: Gus Hale\n")
    build_site(project)
    home = (project.output / "index.html").read_text(encoding="utf-8")
    assert "Acceptance Rate of Draft Models" not in home and "1 new paper muted" in home
    everywhere = b"".join(data for name, data in tree(project.output).items()
                          if name.startswith(("topics/", "snapshots/", "search/d/")))
    assert b"Acceptance Rate of Draft Models" in everywhere


def test_scraped_text_in_titles_and_reasons_is_escaped_everywhere(site: Path) -> None:
    for name, data in tree(site).items():
        if name.endswith((".html", ".xml", ".opml")):  # JSON holds text as text: json.dumps escapes its quotes
            assert b"<script>alert(" not in data, name
    day = (site / "snapshots" / INTEREST_DAYS[1] / "index.html").read_text(encoding="utf-8")
    assert "from <em>&lt;script&gt;alert(&#34;why&#34;)&lt;/script&gt; &amp; &#39;Lab&#39;</em> (followed)" in day


def test_the_for_you_page_lists_the_last_days_picks_by_day_newest_first(site: Path) -> None:
    page = (site / "for-you" / "index.html").read_text(encoding="utf-8")
    days = re.findall(r'<h2 id="day-(\d{4}-\d\d-\d\d)">', page)
    assert days == [INTEREST_DAYS[2], INTEREST_DAYS[1], INTEREST_DAYS[0]]
    listed = titles(page)
    assert "Tiled Attention Kernels" in listed and "Jailbreaking Speculative Decoding" not in listed
    assert "Diffusion Models for Image Editing" not in listed


def test_the_feeds_parse_and_say_why(site: Path) -> None:
    feedparser = pytest.importorskip("feedparser")
    atom = feedparser.parse((site / "for-you" / "feed.xml").read_bytes())
    assert not atom.bozo, atom.bozo_exception
    page = (site / "for-you" / "index.html").read_text(encoding="utf-8")
    assert [entry.title for entry in atom.entries] == [html.unescape(title) for title in titles(page)]
    assert atom.entries[0].summary.startswith("Why: by Tri Dao (followed); mentions speculative decoding")
    document = json.loads((site / "for-you" / "feed.json").read_text(encoding="utf-8"))
    assert [item["title"] for item in document["items"]] == [entry.title for entry in atom.entries]
    opml = (site / "feeds.opml").read_text(encoding="utf-8")
    assert "for-you/feed.xml" in opml and "for-you/feed.xml" in (site / "feeds" / "index.html").read_text("utf-8")
    assert "/for-you/</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_the_email_opens_with_the_picks_and_leaves_muted_papers_out(project: Project, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["email", INTEREST_DAYS[1], "--source", str(project.root), "--out", str(tmp_path)]) == 0
    email = (tmp_path / f"digest-{INTEREST_DAYS[1]}.html").read_text(encoding="utf-8")
    text = (tmp_path / f"digest-{INTEREST_DAYS[1]}.txt").read_text(encoding="utf-8")
    body = email[email.index('<td class="cell"'):]
    assert body.index(">For you</h2>") < body.index("A Qwen Report on Tool Use")
    assert "Why: from Qwen (followed)" in email and "Jailbreaking" not in email
    assert text.index("FOR YOU") < text.index("A Qwen Report") and "Why: from Qwen (followed)" in text
    assert "<script>alert(" not in email
    published = (project.output / "snapshots" / INTEREST_DAYS[1] / "email.html").read_text(encoding="utf-8")
    assert ">For you</h2>" in published


def test_the_weeks_email_opens_with_the_picks_and_leaves_muted_papers_out(project: Project, tmp_path: Path) -> None:
    assert main(["email", "--week", "2025-W41", "--source", str(project.root), "--out", str(tmp_path)]) == 0
    email = (tmp_path / "digest-2025-W41.html").read_text(encoding="utf-8")
    body = email[email.index('<td class="cell"'):]
    assert body.index(">For you</h2>") < body.index("A Qwen Report on Tool Use")
    assert "Why: from Qwen (followed)" in email and "Jailbreaking" not in email


def test_the_email_cuts_the_picks_with_the_other_lists(tmp_path: Path) -> None:
    project = make_interest_project(tmp_path, "keywords: [speculative decoding, draft model]\n")
    site_yaml = project.content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace("max_new: 40", "max_new: 1"), encoding="utf-8")
    assert main(["email", INTEREST_DAYS[1], "--source", str(project.root), "--out", str(tmp_path / "out")]) == 0
    email = (tmp_path / "out" / f"digest-{INTEREST_DAYS[1]}.html").read_text(encoding="utf-8")
    assert email.count("Why: ") == 1 and "1 more pick for you" in email


def test_without_the_file_nothing_mentions_for_you(tmp_path: Path) -> None:
    project = make_interest_project(tmp_path, None)
    build_site(project)
    files = tree(project.output)
    assert not any(name.startswith("for-you/") or name.endswith("for-you.bib") for name in files)
    # The reader's own "New for you" (reader.js, for-you.js) is there on every site; the curator's picks are not.
    assert not any(b'href="for-you/' in data or b"for-you/feed" in data or b">For you<" in data
                   or b'class="for-you"' in data for data in files.values())


def test_nu_html_checker_accepts_the_new_pages(site: Path) -> None:
    java = require_vnu()
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout",
                             str(site / "index.html"), str(site / "for-you" / "index.html"),
                             str(site / "snapshots" / INTEREST_DAYS[1] / "index.html"),
                             str(site / "feeds" / "index.html")],
                            capture_output=True, text=True, timeout=300)
    errors = [m for m in json.loads(result.stdout)["messages"] if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in errors[:20])


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "for-you/", f"snapshots/{INTEREST_DAYS[1]}/"])
def test_axe_light_and_dark_and_a_360px_screen(browser: Any, server: str, path: str) -> None:
    context = browser.new_context(viewport=WIDE)
    tab = context.new_page()
    try:
        for scheme in ("light", "dark"):
            tab.emulate_media(color_scheme=scheme)
            assert tab.goto(server + path).ok, path
            violations = axe_violations(tab)
            assert not violations, f"{path} ({scheme}):\n{describe(violations)}"
        tab.set_viewport_size(NARROW)
        width = tab.evaluate("() => document.documentElement.scrollWidth")
        assert width <= NARROW["width"], f"{path}: {width}px wide at 360px"
    finally:
        context.close()
