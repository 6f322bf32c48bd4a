"""Search as a visitor meets it: the prebuilt index answered by the real lunr.js, in Node and in Chromium.

The expected results are computed here from the catalog with lunr's own
tokenizing rules (split on spaces and hyphens, trim punctuation, Porter stem),
so a test fails when the index, the tokenizer swap in digest/search.py or the
page script drifts from what lunr.js finds.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lunr.stemmer import porter_stemmer

from digest.commands.build import BuildReport, build_site, read_sources
from digest.project import Project
from tests.conftest import make_project

REPO = Path(__file__).resolve().parent.parent
QUERY_SCRIPT = Path(__file__).resolve().parent / "search_query.js"
MAX_RAW_PER_PAPER = 4096
MAX_GZIP_PER_PAPER = 1024

# A paper that says "federated" only in its abstract, five times, and one that says it only in the title:
# without them the bundled seeds have no abstract-only match, and the ranking check would prove nothing.
EXTRA_SNAPSHOT = """Daily Papers

Nov 2

Client Drift Under Heterogeneous Data Silos

Federated clients drift apart. We study federated averaging, federated proximal terms and \
federated momentum, and show that federated training with our correction converges faster on non-IID data.

Federated Averaging Revisited

We revisit a classic distributed optimizer and give a shorter proof of its convergence.
"""


# --- Expected results, computed the way lunr tokenizes ------------------------------------------------------------

def lunr_terms(text: str) -> set[str]:
    """lunr.js's tokenizer, trimmer and stemmer: the terms a field is indexed under."""
    words = (re.sub(r"^\W+|\W+$", "", word.lower()) for word in re.split(r"[\s\-]+", text))
    return {porter_stemmer.stem(word) for word in words if word}


def term_matches(project: Project, word: str) -> tuple[set[str], set[str]]:
    """(titles matching `word` in the title, titles matching it only in the abstract or topics)."""
    sources = read_sources(project)
    names = {topic.slug: topic.name for topic in sources.catalog.topics}
    term = porter_stemmer.stem(word)
    in_title, elsewhere = set(), set()
    for paper in sources.catalog.papers.values():
        topics = " ".join(names[slug] for slug in paper.topics)
        if term in lunr_terms(paper.title):
            in_title.add(paper.title)
        elif term in lunr_terms(paper.abstract) | lunr_terms(topics):
            elsewhere.add(paper.title)
    return in_title, elsewhere


def query_index(site: Path, *queries: str) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install Node.js, then run `make test` (npm ci installs lunr)")
    if not (REPO / "node_modules" / "lunr" / "lunr.js").is_file():
        pytest.fail("node_modules/lunr missing: run `make test`, which runs npm ci")
    result = subprocess.run([node, str(QUERY_SCRIPT), str(site), *queries], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, f"search_query.js failed: {result.stderr}"
    return {answer["query"]: answer for answer in json.loads(result.stdout)}


def assert_title_matches_first(results: list[dict[str, Any]], in_title: set[str], elsewhere: set[str]) -> None:
    titles = [result["title"] for result in results]
    assert not [r for r in results if r.get("missing")], "a result's ref is not in documents.json"
    expected = in_title | elsewhere
    assert set(titles) == expected, (
        f"missing: {sorted(expected - set(titles))}; unexpected: {sorted(set(titles) - expected)}")
    last_title_rank = max(titles.index(title) for title in in_title)
    first_other_rank = min((titles.index(title) for title in elsewhere), default=len(titles))
    assert last_title_rank < first_other_rank, f"an abstract-only match outranks a title match: {titles}"


@pytest.fixture(scope="module")
def extra_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The bundled seeds plus EXTRA_SNAPSHOT, built once for this module."""
    project = make_project(tmp_path_factory.mktemp("extra"), {"2025-11-02.txt": EXTRA_SNAPSHOT}, with_seeds=True)
    build_site(project)
    return project


# --- (a) lunr.js in Node -----------------------------------------------------------------------------------------

def test_federated_finds_every_title_with_the_word(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    documents = json.loads((site_dir / "search" / "documents.json").read_text(encoding="utf-8"))
    expected = {doc[0] for doc in documents if "federated" in doc[0].lower()}
    assert len(expected) == 4, f"the seeds have 4 titles with 'federated', found {sorted(expected)}"
    results = query_index(site_dir, "federated")["federated"]["results"]
    titles = [result["title"] for result in results]
    assert expected <= set(titles), f"missing from results: {sorted(expected - set(titles))}"
    in_title, elsewhere = term_matches(built_site[0], "federated")
    assert in_title == expected
    assert_title_matches_first(results, in_title, elsewhere)
    for result in results:
        document = documents[int(result["ref"], 36)]
        assert [result["path"], result["date"], result["topics"]] == document[1:4]


def test_title_matches_rank_above_abstract_only_matches(extra_site: Project) -> None:
    in_title, elsewhere = term_matches(extra_site, "federated")
    assert "Federated Averaging Revisited" in in_title
    assert "Client Drift Under Heterogeneous Data Silos" in elsewhere, "the extra paper must be abstract-only"
    results = query_index(extra_site.output, "federated")["federated"]["results"]
    assert_title_matches_first(results, in_title, elsewhere)


def test_merging_ranks_titles_above_abstract_and_topic_matches(site_dir: Path,
                                                              built_site: tuple[Project, BuildReport]) -> None:
    in_title, elsewhere = term_matches(built_site[0], "merging")
    assert in_title and elsewhere, "the seeds have both title and abstract/topic matches for 'merging'"
    results = query_index(site_dir, "merging")["merging"]["results"]
    assert_title_matches_first(results, in_title, elsewhere)


def test_query_syntax_errors_are_parse_errors_not_crashes(site_dir: Path) -> None:
    """The page relies on lunr.QueryParseError to explain a bad query; these must raise exactly that."""
    answers = query_index(site_dir, "title:", "nosuchfield:word", "learning^x", "+")
    assert all(answer.get("parseError") is True for answer in answers.values()), answers


# --- Index size --------------------------------------------------------------------------------------------------

def test_index_size_per_paper(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    data = (site_dir / "search" / "index.json").read_bytes()
    papers = len(json.loads((site_dir / "search" / "documents.json").read_text(encoding="utf-8")))
    assert papers == built_site[1].papers == 96
    raw, packed = len(data), len(gzip.compress(data, compresslevel=6, mtime=0))
    print(f"\nsearch/index.json: {raw} B raw = {raw / papers:.0f} B/paper; "
          f"{packed} B gzip -6 = {packed / papers:.0f} B/paper ({papers} papers)")
    assert raw / papers < MAX_RAW_PER_PAPER, f"{raw / papers:.0f} B raw per paper"
    assert packed / papers < MAX_GZIP_PER_PAPER, f"{packed / papers:.0f} B gzipped per paper"


# --- (b) The search page in Chromium ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tab(browser: Any) -> Iterator[Any]:
    """One tab for the module; page errors (uncaught exceptions, rejected promises) are collected."""
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    context.close()


def fresh(tab: Any, url: str) -> None:
    tab.errors.clear()
    response = tab.goto(url)
    assert response is not None and response.ok, url


def shown_results(tab: Any) -> list[dict[str, Any]]:
    """What each result shows: title, link, date text, datetime and topics."""
    tab.wait_for_selector("#search-results li", timeout=5000)
    return tab.eval_on_selector_all("#search-results li", """items => items.map(li => ({
        title: li.querySelector('.paper-title a')?.textContent,
        href: li.querySelector('.paper-title a')?.getAttribute('href'),
        date: li.querySelector('time')?.textContent,
        datetime: li.querySelector('time')?.getAttribute('datetime'),
        topics: li.querySelector('.topic-list')?.textContent || ''}))""")


def federated_documents(site_dir: Path) -> dict[str, list[Any]]:
    documents = json.loads((site_dir / "search" / "documents.json").read_text(encoding="utf-8"))
    return {doc[0]: doc for doc in documents if "federated" in doc[0].lower()}


@pytest.mark.browser
def test_typing_a_query_shows_results_and_survives_reload(tab: Any, site_server: str, site_dir: Path) -> None:
    expected = federated_documents(site_dir)
    fresh(tab, site_server + "search/")
    tab.fill("#search-query", "federated")
    tab.press("#search-query", "Enter")
    results = shown_results(tab)
    assert set(expected) <= {result["title"] for result in results}
    for result in results:
        if result["title"] in expected:
            doc = expected[result["title"]]
            assert result["datetime"] == doc[2] and result["date"] and doc[2][:4] in result["date"], result
            assert result["topics"] and all(name in result["topics"] for name in doc[3]), result
    assert tab.url.endswith("search/?q=federated"), tab.url
    status = tab.text_content("#search-status")
    assert str(len(results)) in status and "federated" in status, status
    tab.reload()
    assert {result["title"] for result in shown_results(tab)} == {result["title"] for result in results}
    assert tab.input_value("#search-query") == "federated"
    assert not tab.errors, tab.errors


@pytest.mark.browser
def test_result_links_open_the_paper(tab: Any, site_server: str) -> None:
    fresh(tab, site_server + "search/?q=federated")
    first = shown_results(tab)[0]
    tab.click("#search-results li .paper-title a")
    tab.wait_for_load_state()
    assert tab.text_content("h1") == first["title"]


def tab_to(tab: Any, element_id: str, limit: int) -> int | None:
    """Press Tab until the element with `element_id` has focus; how many presses it took, or None."""
    for presses in range(1, limit + 1):
        tab.keyboard.press("Tab")
        if tab.evaluate("() => document.activeElement?.id") == element_id:
            return presses
    return None


@pytest.mark.browser
def test_keyboard_reaches_the_search_field_and_enter_submits(tab: Any, site_server: str) -> None:
    fresh(tab, site_server + "search/")
    tab.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    presses = tab_to(tab, "search-query", limit=20)
    assert presses is not None, "20 Tab presses never reached the search field"
    tab.keyboard.type("merging")
    tab.keyboard.press("Enter")
    assert shown_results(tab), f"Enter in the search field (reached after {presses} Tabs) showed no results"
    assert tab.url.endswith("?q=merging"), tab.url


@pytest.mark.browser
@pytest.mark.parametrize("query", ["title:", "nosuchfield:word", "learning^x"])
def test_a_malformed_query_explains_itself(tab: Any, site_server: str, query: str) -> None:
    fresh(tab, site_server + "search/")
    tab.fill("#search-query", query)
    tab.press("#search-query", "Enter")
    tab.wait_for_function("() => !/Searching/.test(document.getElementById('search-status').textContent)"
                          " && document.getElementById('search-status').textContent.trim()", timeout=5000)
    status = tab.text_content("#search-status").strip()
    assert len(status) > 20 and "could not" in status.lower(), f"unhelpful message: {status!r}"
    assert tab.is_visible("h1") and tab.eval_on_selector_all("#search-results li", "items => items.length") == 0
    assert not tab.errors, f"uncaught page errors for {query!r}: {tab.errors}"


@pytest.mark.browser
def test_a_link_with_a_query_shows_results_on_load(tab: Any, site_server: str) -> None:
    fresh(tab, site_server + "search/?q=merging")
    titles = {result["title"] for result in shown_results(tab)}
    assert "Merging Models with Fisher-Weighted Averaging" in titles
    assert tab.input_value("#search-query") == "merging"
    assert "merging" in tab.text_content("#search-status")
    assert not tab.errors, tab.errors


@pytest.mark.browser
def test_a_newer_search_replaces_one_still_loading(tab: Any, site_server: str) -> None:
    """On a slow connection a visitor may search again before the index arrives: only the newer search shows."""
    held: list[Any] = []
    tab.route("**/search/index.json", lambda route: held.append(route))
    try:
        fresh(tab, site_server + "search/?q=federated")
        tab.wait_for_function("() => /Searching/.test(document.getElementById('search-status').textContent)")
        tab.fill("#search-query", "merging")
        tab.press("#search-query", "Enter")
        assert held, "the index request was not intercepted"
        for route in held:
            route.continue_()
        tab.wait_for_function("() => /match/.test(document.getElementById('search-status').textContent)")
    finally:
        tab.unroute("**/search/index.json")
    titles = [result["title"] for result in shown_results(tab)]
    status = tab.text_content("#search-status")
    assert "merging" in status and "federated" not in status, status
    assert "Anarchic Federated Learning" not in titles, f"results of the older search leaked in: {titles}"
    assert len(titles) == len(set(titles)) and str(len(titles)) in status, (status, titles)
    tab.go_back()
    tab.wait_for_function("() => /federated/.test(document.getElementById('search-status').textContent)")
    assert "Anarchic Federated Learning" in {result["title"] for result in shown_results(tab)}
    assert tab.input_value("#search-query") == "federated"


@pytest.mark.browser
@pytest.mark.parametrize("start", ["", "papers/anarchic-federated-learning/", "topics/", "about/"])
def test_the_header_search_box_opens_the_search_page(tab: Any, site_server: str, start: str) -> None:
    fresh(tab, site_server + start)
    tab.fill("#site-search", "federated")
    with tab.expect_navigation():
        tab.press("#site-search", "Enter")
    assert tab.url == site_server + "search/?q=federated"
    assert "Anarchic Federated Learning" in {result["title"] for result in shown_results(tab)}
    assert not tab.errors, tab.errors
