"""Saved searches as a curator, a reader and a feed reader see them: content/interests.yaml's `searches:` on a
site of the bundled seeds and tests/helpers.py's SEARCH_PAPERS (pages newest first, paginated, feeds, the list
of feeds, hostile names and queries), no file or no key changing nothing, and the Nu checker, axe (light and
dark) and the 360 px check on the new pages, as tests/site/test_site_checks.py runs them on the bundled site.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest

from digest.commands.build import BuildState, build_site
from digest.project import Project
from tests.helpers import (
    assert_accessible_light_dark_and_narrow,
    HOSTILE_QUERY,
    HOSTILE_SEARCH,
    NARROW,
    REPO,
    SAVED_SEARCHES,
    SEARCH_PAPERS,
    VNU_JAR,
    WIDE,
    axe_violations,
    describe,
    interests_yaml,
    make_project,
    require_vnu,
    search_snapshots,
    serve_folder,
    tree,
)

SITE_YAML = (REPO / "content" / "site.yaml").read_text(encoding="utf-8").replace("papers_per_page: 50",
                                                                                 "papers_per_page: 5")
BASE_URL = "https://paper-digest.netlify.app/"
PAPER_LINK = re.compile(r'<h2 class="paper-title"><a href="([^"]+)">(.*?)</a>')


def searches_project(root: Path, interests: str | None) -> Project:
    project = make_project(root, search_snapshots(), with_seeds=True, site_yaml=SITE_YAML)
    if interests is not None:
        (project.content / "interests.yaml").write_text(interests, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = searches_project(tmp_path_factory.mktemp("searches"), interests_yaml(head="keywords: [decoding]"))
    build_site(project)
    return project.output


def listed(site: Path, slug: str) -> list[tuple[str, str]]:
    """(title, date first seen) of every paper a saved search's pages list, page after page."""
    folder = site / "searches" / slug
    pages = [folder / "index.html", *sorted(folder.glob("page/*/index.html"), key=lambda p: int(p.parent.name))]
    papers = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        titles = [html.unescape(title) for _, title in PAPER_LINK.findall(text)]
        dates = re.findall(r'First seen <time datetime="([0-9-]+)"', text)
        papers += list(zip(titles, dates, strict=True))
    return papers


def ours(site: Path, slug: str) -> set[str]:
    """The titles of SEARCH_PAPERS a saved search lists (the bundled seeds have papers of their own)."""
    written = {title for title, _, _ in SEARCH_PAPERS}
    return {title for title, _ in listed(site, slug) if title in written}


def search_pages(site: Path) -> dict[str, Path]:
    """Each saved search's first page by the name it shows (its <h1>, count aside)."""
    pages = {}
    for file in site.glob("searches/*/index.html"):
        heading = re.search(r"<h1>(.*?) <span class=\"count\">", file.read_text(encoding="utf-8"), re.S)
        assert heading, file
        pages[html.unescape(heading.group(1))] = file
    return pages


def test_each_saved_search_lists_the_papers_matching_every_word_newest_first(site: Path) -> None:
    assert ours(site, "test-time-scaling") == {"Test-Time Scaling for Reasoning Models",
                                                 "Scaling Test-Time Compute with Verifiers"}
    assert ours(site, "speculative-decoding-no-surveys") == {"Speculative Decoding with Draft Trees", "Speculative Sampling at Scale"}
    assert ours(site, "distillation-in-titles") == {
        "Knowledge Distillation for Small Models", "Distilled Reasoners", "Distilling Diffusion into One Step"}
    assert ours(site, "tri-dao") == {"Test-Time Scaling for Reasoning Models",
                                                              "Speculative Decoding with Draft Trees"}
    moe = ours(site, "moe-routing")  # every word but the stop word "of", in any field (a topic's name too)
    assert "Mixture of Experts Routing" in moe and "Experts Everywhere" not in moe
    for slug in ("test-time-scaling", "distill-anything", "moe-routing"):
        dates = [day for _, day in listed(site, slug)]
        assert dates == sorted(dates, reverse=True), slug


def test_a_long_result_is_paginated_like_a_topic_and_an_empty_one_says_so(site: Path) -> None:
    distill = listed(site, "distill-anything")
    assert len(distill) > 5 and (site / "searches/distill-anything/page/2/index.html").is_file()
    first = (site / "searches/distill-anything/index.html").read_text(encoding="utf-8")
    assert f'<span class="count">{len(distill)} papers</span>' in first
    assert 'rel="next" href="../../searches/distill-anything/page/2/"' in first
    nothing = (site / "searches/nothing-yet/index.html").read_text(encoding="utf-8")
    assert "No paper matches this search yet." in nothing and '<span class="count">0 papers</span>' in nothing


def test_each_page_links_the_search_page_with_its_query_filled_in(site: Path) -> None:
    for name, query in SAVED_SEARCHES:
        page = search_pages(site)[name]
        hrefs = re.findall(r'<a href="([^"]*search/\?q=[^"]*)">Run it on the search page', page.read_text("utf-8"))
        assert len(hrefs) == 1, name
        href = html.unescape(hrefs[0])
        assert href.startswith("../../search/?q=")
        assert parse_qs(urlsplit(href).query)["q"] == [query]


def test_the_index_lists_every_search_in_the_files_order(site: Path) -> None:
    index = (site / "searches" / "index.html").read_text(encoding="utf-8")
    names = [html.unescape(name) for name in re.findall(r'<a href="[^"]+/">([^<]*)</a> <span class="count">', index)]
    assert names == [name for name, _ in SAVED_SEARCHES]
    assert f'<span class="count">{len(SAVED_SEARCHES)}</span>' in index
    search_page = (site / "search" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../searches/">saved searches</a>' in search_page
    assert '<a href="../searches/test-time-scaling/">Test-time scaling</a>' in search_page


def test_each_saved_search_has_atom_and_json_feeds_with_its_newest_papers(site: Path) -> None:
    feedparser = pytest.importorskip("feedparser")
    for folder in sorted(path for path in (site / "searches").iterdir() if path.is_dir()):
        on_page = [title for title, _ in listed(site, folder.name)]
        parsed = feedparser.parse((folder / "feed.xml").read_bytes())
        assert not parsed.bozo, (folder.name, parsed.get("bozo_exception"))
        assert [entry.title for entry in parsed.entries] == on_page[:50], folder.name
        assert parsed.feed.link == BASE_URL + f"searches/{folder.name}/"
        document = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert [item["title"] for item in document["items"]] == on_page[:50]
        assert document["feed_url"] == BASE_URL + f"searches/{folder.name}/feed.json"


def test_feeds_opml_the_feeds_page_and_the_sitemap_list_them(site: Path) -> None:
    slugs = {path.name for path in (site / "searches").iterdir() if path.is_dir()}
    assert len(slugs) == len(SAVED_SEARCHES)
    outlines = ElementTree.parse(site / "feeds.opml").getroot().iter("outline")
    assert {f"searches/{slug}/feed.xml" for slug in slugs} <= {
        url[len(BASE_URL):] for outline in outlines if (url := outline.get("xmlUrl"))}
    feeds_page = (site / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "<h2>Saved searches</h2>" in feeds_page
    assert all(f'href="../searches/{slug}/feed.json"' in feeds_page for slug in slugs)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE_URL}searches/</loc>" in sitemap
    assert all(f"<loc>{BASE_URL}searches/{slug}/</loc>" in sitemap for slug in slugs)


def test_hostile_names_and_queries_stay_text_everywhere(site: Path) -> None:
    for file in site.rglob("*"):  # JSON holds them as plain text, which a JSON Feed's title and description are
        if file.suffix in (".html", ".xml", ".opml"):
            text = file.read_text(encoding="utf-8")
            assert '<script>alert("search")' not in text and "<img src=x" not in text, file
    for file in (site / "feeds.opml", *site.glob("searches/*/feed.xml")):
        ElementTree.parse(file)  # well-formed, whatever the names
    page = site / "searches" / "script-alert-search-script-alerts-r-d" / "index.html"
    text = page.read_text(encoding="utf-8")
    assert html.escape(HOSTILE_SEARCH, quote=False) in text.replace("&#34;", '"').replace("&#39;", "'")
    assert "&lt;img src=x onerror=alert(1)&gt; +scaling" in text
    document = json.loads((page.parent / "feed.json").read_text(encoding="utf-8"))
    assert document["title"] == f"Paper Digest: {HOSTILE_SEARCH}" and HOSTILE_QUERY in document["description"]


def test_no_file_and_a_file_without_searches_make_no_saved_search_pages(tmp_path: Path) -> None:
    """No file builds the site as before; a file of other keys (the For-you interests) makes no saved search: no
    /searches/ pages, no saved-search feeds on /feeds/ or in the OPML, and the search page of no file."""
    sites = []
    for name, interests in (("none", None), ("other-keys", "keywords: [speculative decoding]\nauthors: [Tri Dao]\n"
                                                            "mute: [jailbreak]\n")):
        project = searches_project(tmp_path / name, interests)
        build_site(project)
        sites.append(project.output)
        assert not (project.output / "searches").exists()
        for listing in ("feeds.opml", "feeds/index.html"):
            assert "searches/" not in (project.output / listing).read_text(encoding="utf-8")
    assert (sites[0] / "search/index.html").read_bytes() == (sites[1] / "search/index.html").read_bytes()


def test_a_preview_follows_each_edit_of_the_saved_searches_as_a_cold_build_would(tmp_path: Path) -> None:
    """interests.yaml is under content/, which the preview watches: each edit rebuilds the pages, feeds and lists,
    and so does a new paper a saved search finds (the preview keeps its search corpus only while no text changed)."""
    project = searches_project(tmp_path / "served", None)
    state = BuildState()
    build_site(project, state=state)
    interests = project.content / "interests.yaml"
    new_day = [{"paper": {"id": "2510.29999", "title": "Test-Time Scaling Revisited", "summary": "More samples.",
                          "upvotes": 1, "authors": [{"name": "Tri Dao"}]}}]
    edits = [interests_yaml(SAVED_SEARCHES[:2]), interests_yaml(SAVED_SEARCHES[1:4]),
             interests_yaml(SAVED_SEARCHES[:2]), "new day", "keywords: [x]\n", None]
    for number, edit in enumerate(edits):
        if edit == "new day":
            (project.snapshots / "2025-10-20.json").write_text(json.dumps(new_day), encoding="utf-8")
        elif edit is None:
            interests.unlink()
        else:
            interests.write_text(edit, encoding="utf-8")
        build_site(project, state=state)
        cold = Project.at(tmp_path / f"cold-{number}")
        shutil.copytree(project.content, cold.content)
        build_site(cold)
        assert tree(project.output) == tree(cold.output), edit
    assert not (project.output / "searches").exists()


# --- Valid, accessible and narrow-screen safe -------------------------------------------------------------------

@pytest.mark.slow
def test_nu_html_checker_accepts_the_saved_search_pages(site: Path) -> None:
    java = require_vnu()
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only", "--format", "json",
                             "--stdout", str(site / "searches"), str(site / "feeds")],
                            capture_output=True, text=True, timeout=300)
    errors = [m for m in json.loads(result.stdout)["messages"] if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in errors[:20])


@pytest.fixture(scope="module")
def searches_server(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


CHECKED = ("searches/", "searches/distill-anything/", "searches/distill-anything/page/2/", "searches/nothing-yet/",
           "searches/script-alert-search-script-alerts-r-d/", "feeds/")


@pytest.mark.browser
@pytest.mark.parametrize("path", CHECKED)
def test_axe_light_and_dark_and_a_360px_screen_on_the_saved_search_pages(browser: Any, searches_server: str,
                                                                         path: str) -> None:
    assert_accessible_light_dark_and_narrow(browser, searches_server + path)


# --- The same papers as the search page finds in the browser ----------------------------------------------------

def every_word_count(status: str) -> int:
    """How many papers the search page's status line says match every word (all of them, for one word)."""
    status = re.sub(r"^No exact match for “.*?”; showing close spellings\. ", "", status, flags=re.S)
    if status.startswith(("No papers match", "No paper matches")):
        return 0
    found = re.match(r"([0-9,]+) papers? match", status)
    assert found, status
    return int(found.group(1).replace(",", ""))


def site_path(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


@pytest.mark.browser
def test_each_saved_search_lists_the_papers_the_search_page_finds_matching_every_word(
        browser: Any, searches_server: str, site: Path) -> None:
    """Each saved search's pages against the search page in Chromium, reached by the page's own link.

    Compared as sets: the saved search lists its papers newest first (as topic pages and feeds do), the search
    page by score (BM25 times the upvote prior), so the order differs by design; the papers the search page
    counts as matching every word come first there, and those are the saved search's papers.
    """
    context = browser.new_context(viewport=WIDE)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for name, page in sorted(search_pages(site).items()):
            slug = page.parent.name
            tab.goto(f"{searches_server}searches/{slug}/")
            listed_paths = set()
            while True:
                listed_paths |= {site_path(href) for href in tab.eval_on_selector_all(
                    ".paper-list .paper-title a", "links => links.map(a => a.href)")}
                following = tab.query_selector('a[rel="next"]')
                if following is None:
                    break
                following.click()
            tab.goto(f"{searches_server}searches/{slug}/")
            tab.click("text=Run it on the search page")
            tab.wait_for_function("() => /match/.test(document.getElementById('search-status').textContent)")
            while tab.is_visible("#search-more"):
                shown = tab.locator("#search-results li").count()
                tab.click("#search-more")
                tab.wait_for_function(f"() => document.querySelectorAll('#search-results li').length > {shown}")
            status = tab.text_content("#search-status").strip()
            found = [site_path(href) for href in tab.eval_on_selector_all(
                "#search-results .paper-title a", "links => links.map(a => a.href)")]
            every = every_word_count(status)
            assert listed_paths == set(found[:every]), (name, status)
            assert len(listed_paths) == every, (name, status)
        assert not errors, errors
    finally:
        context.close()
