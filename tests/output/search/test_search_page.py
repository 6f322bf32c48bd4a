"""The search page in Chromium: typing, links, the keyboard, slow and failing loads, examples, one box."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests import search_papers
from tests.helpers import free_port, query, stored_documents


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


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
    return {doc[0]: doc for doc in stored_documents(site_dir) if "federated" in str(doc[0]).lower()}


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
    released = False

    def hold(route: Any) -> None:  # shards asked for after the release (the newer search's) go straight through
        if released:
            route.continue_()
        else:
            held.append(route)

    tab.route("**/search/t/*", hold)
    try:
        fresh(tab, site_server + "search/?q=federated")
        tab.wait_for_function("() => /Searching/.test(document.getElementById('search-status').textContent)")
        tab.fill("#search-query", "merging")
        tab.press("#search-query", "Enter")
        for _ in range(100):  # the worker asks for the shards once it has started: on a busy machine, later
            if held:
                break
            tab.wait_for_timeout(50)
        assert held, "the index request was not intercepted"
        released = True
        for route in held:
            route.continue_()
        tab.wait_for_function("() => /match/.test(document.getElementById('search-status').textContent)")
    finally:
        tab.unroute("**/search/t/*")
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


@pytest.mark.browser
def test_the_examples_under_the_box_each_show_results_when_clicked(tab: Any, site_server: str) -> None:
    fresh(tab, site_server + "search/")
    examples = tab.eval_on_selector_all(".search-example", "links => links.map(a => a.textContent)")
    assert len(examples) >= 4
    for position, example in enumerate(examples):
        fresh(tab, site_server + "search/")
        tab.locator(".search-example").nth(position).click()
        assert shown_results(tab), f"the example {example!r} shows no results"
        assert tab.input_value("#search-query") == example
        assert not tab.errors, tab.errors


@pytest.mark.browser
def test_the_search_page_has_one_search_box(tab: Any, site_server: str) -> None:
    fresh(tab, site_server + "search/")
    assert tab.locator("input[type=search]").count() == 1
    assert tab.locator("form[role=search]").count() == 1


@pytest.mark.browser
def test_results_show_the_code_link_and_more_on_request(tab: Any, site_server: str, site_dir: Path) -> None:
    with_code = {doc[0]: doc[5] for doc in stored_documents(site_dir) if doc[5]}
    fresh(tab, site_server + "search/?q=learning")
    first_page = shown_results(tab)
    assert len(first_page) == 10
    tab.click("#search-more")
    tab.wait_for_function("() => document.querySelectorAll('#search-results li').length > 10")
    cards = tab.eval_on_selector_all("#search-results li", """items => items.map(li => ({
        title: li.querySelector('.paper-title a').textContent,
        code: li.querySelector('a.code-link')?.getAttribute('href') || null}))""")
    assert len({card["title"] for card in cards}) == len(cards) == 20
    for card in cards:
        assert card["code"] == with_code.get(card["title"]), card
    assert any(card["code"] for card in cards), "some result has a code link"


@pytest.mark.browser
def test_a_query_typed_before_the_index_arrives_still_runs(tab: Any, site_server: str) -> None:
    held: list[Any] = []
    tab.route("**/search/manifest.json", lambda route: held.append(route))
    try:
        fresh(tab, site_server + "search/")
        tab.fill("#search-query", "merging")
        tab.press("#search-query", "Enter")
        tab.wait_for_timeout(300)
        assert tab.eval_on_selector_all("#search-results li", "items => items.length") == 0
        for route in held:
            route.continue_()
    finally:
        tab.unroute("**/search/manifest.json")
    assert "Merging Models with Fisher-Weighted Averaging" in {result["title"] for result in shown_results(tab)}


@pytest.mark.browser
def test_an_index_that_fails_to_load_gives_a_message(tab: Any, site_server: str) -> None:
    tab.route("**/search/t/*", lambda route: route.fulfill(status=500, body="broken"))
    try:
        fresh(tab, site_server + "search/?q=federated")
        tab.wait_for_function("() => /could not be loaded/.test(document.getElementById('search-status').textContent)",
                              timeout=5000)
    finally:
        tab.unroute("**/search/t/*")
    assert "Try reloading" in tab.text_content("#search-status")


@pytest.mark.browser
def test_focusing_the_header_box_prefetches_the_manifest(tab: Any, site_server: str) -> None:
    fresh(tab, site_server + "topics/")
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    tab.focus("#site-search")
    tab.wait_for_timeout(500)
    assert any(url.endswith("search/manifest.json") for url in requested), requested
    assert any("/assets/search-index." in url for url in requested), requested


def ranked_titles(tab: Any, url: str) -> tuple[str, list[str], str]:
    """(where the engine ran, the titles shown in order, the status line) for a search page URL."""
    fresh(tab, url)
    titles = [result["title"] for result in shown_results(tab)]
    tab.wait_for_function("() => document.getElementById('search-form').dataset.ranIn")
    return tab.get_attribute("#search-form", "data-ran-in"), titles, tab.text_content("#search-status")


@pytest.mark.browser
def test_the_engine_runs_in_a_worker_and_the_page_alone_gives_the_same_results(browser: Any, tab: Any,
                                                                              site_server: str) -> None:
    """Scoring thousands of papers must not block the page, so the engine runs in a Web Worker; a browser
    without workers runs it on the page, with the same results."""
    url = site_server + "search/?q=learning+models"
    where, titles, status = ranked_titles(tab, url)
    assert where == "worker" and len(tab.workers) == 1 and titles, (where, status)
    assert not tab.errors, tab.errors
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    context.add_init_script("delete window.Worker;")
    try:
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        assert ranked_titles(page, url) == ("page", titles, status)
        assert not page.errors, page.errors
    finally:
        context.close()


@pytest.mark.browser
def test_a_worker_that_cannot_load_its_scripts_hands_the_search_to_the_page(tab: Any, site_server: str) -> None:
    tab.route("**/assets/search-worker.*", lambda route: route.fulfill(status=404, body="gone"))
    try:
        where, titles, _ = ranked_titles(tab, site_server + "search/?q=federated")
    finally:
        tab.unroute("**/assets/search-worker.*")
    assert where == "page" and "Anarchic Federated Learning" in titles


@pytest.mark.browser
def test_a_worker_whose_engine_script_fails_hands_the_search_to_the_page(tab: Any, site_server: str) -> None:
    """The worker starts but cannot import the engine: the page runs it, and the query still shows results."""
    seen: list[str] = []

    def engine_script(route: Any) -> None:
        seen.append(route.request.url)
        if len(seen) == 1:  # the worker's import fails; the page's own load of it afterwards succeeds
            route.fulfill(status=500, body="broken")
        else:
            route.continue_()

    tab.route("**/assets/search-index.*", engine_script)
    try:
        where, titles, _ = ranked_titles(tab, site_server + "search/?q=federated")
    finally:
        tab.unroute("**/assets/search-index.*")
    assert where == "page" and "Anarchic Federated Learning" in titles and len(seen) == 2


@pytest.fixture(scope="module")
def sub_path_server(site_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site served under a sub-path (as on GitHub Pages' project sites): yields .../digest/."""
    root = tmp_path_factory.mktemp("host")
    (root / "digest").symlink_to(site_dir, target_is_directory=True)
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/digest/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_the_worker_finds_its_scripts_on_a_site_under_a_sub_path(tab: Any, site_server: str,
                                                                 sub_path_server: str) -> None:
    """The worker gets lunr.js and the engine by their hashed URLs from the page, so a sub-path changes nothing."""
    requested: list[str] = []

    def note(request: Any) -> None:
        requested.append(request.url)

    tab.context.on("request", note)  # the context's events include the worker's requests
    try:
        fresh(tab, sub_path_server + "topics/")
        tab.fill("#site-search", "federated")
        with tab.expect_navigation():
            tab.press("#site-search", "Enter")
        where, titles, status = ranked_titles(tab, tab.url)
    finally:
        tab.context.remove_listener("request", note)
    assert tab.url == sub_path_server + "search/?q=federated"
    assert (where, titles, status) == ranked_titles(tab, site_server + "search/?q=federated")
    assert where == "worker" and "Anarchic Federated Learning" in titles
    host = sub_path_server.removesuffix("digest/")
    outside = [url for url in requested if url.startswith(host) and not url.startswith(sub_path_server)]
    assert not outside, outside
    assert any("/digest/assets/lunr." in url for url in requested), requested
    assert not tab.errors, tab.errors


# --- Names, close spellings, counts, upvotes and AI summaries as a reader sees them -----------------------------

@pytest.fixture(scope="module")
def names_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The day of tests/search_papers.py built and served: yields (base URL, site folder)."""
    site = search_papers.build(tmp_path_factory.mktemp("names-page"), small_files=True).output
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", site
    server.shutdown()
    server.server_close()


def status_after(tab: Any, url: str) -> tuple[list[str], str]:
    """(the titles shown, the status line) once a search page URL has shown its results."""
    fresh(tab, url)
    titles = [result["title"] for result in shown_results(tab)]
    return titles, tab.text_content("#search-status").strip()


@pytest.mark.browser
def test_tri_dao_shows_his_papers_first_and_counts_the_papers_with_both_words(
        tab: Any, names_server: tuple[str, Path]) -> None:
    base, _ = names_server
    titles, status = status_after(tab, base + "search/?q=Tri+Dao")
    assert set(titles[:2]) == search_papers.TRI_DAO and set(titles[2:]) >= search_papers.TRY_ON, titles
    some = len(titles) - 3
    assert status == f"3 papers match every word of “Tri Dao”, {some} more match some.", status
    assert not tab.errors, tab.errors


@pytest.mark.browser
def test_a_two_word_query_says_how_many_papers_have_every_word(tab: Any, names_server: tuple[str, Path]) -> None:
    """Never "9,283 of 9,877 papers match" for `world model`: those with both words, then how many more have one."""
    base, site = names_server
    answer = query(site, "world model")["world model"]
    every, total = answer["all"], len(answer["results"])
    assert every >= 1 and total > every
    titles, status = status_after(tab, base + "search/?q=world+model")
    verb = "paper matches" if every == 1 else "papers match"
    assert status.startswith(f"{every} {verb} every word of “world model”, {total - every} more match some"), status
    assert titles[0] == "World Models for Robot Planning"


@pytest.mark.browser
def test_a_misspelling_shows_close_spellings_and_says_so(tab: Any, names_server: tuple[str, Path]) -> None:
    base, _ = names_server
    titles, status = status_after(tab, base + "search/?q=difusion")
    assert set(titles) == search_papers.DIFFUSION
    assert status == "No exact match for “difusion”; showing close spellings. 2 papers match.", status
    titles, status = status_after(tab, base + "search/?q=diffusion")
    assert set(titles) == search_papers.DIFFUSION and status == "2 papers match “diffusion”.", status
    fresh(tab, base + "search/?q=zzzzzzz")
    tab.wait_for_function("() => /No papers match/.test(document.getElementById('search-status').textContent)")
    assert not tab.errors, tab.errors


@pytest.mark.browser
def test_results_show_upvotes_and_the_ai_summary_marked_as_machine_written(
        tab: Any, names_server: tuple[str, Path]) -> None:
    base, _ = names_server
    fresh(tab, base + "search/?q=diffusion")
    shown_results(tab)
    cards = tab.eval_on_selector_all("#search-results li", """items => items.map(li => ({
        title: li.querySelector('.paper-title a').textContent,
        votes: li.querySelector('.card-votes')?.textContent.trim(),
        label: li.querySelector('.paper-snippet .ai-label')?.textContent || null,
        snippet: li.querySelector('.paper-snippet').textContent}))""")
    by_title = {card["title"]: card for card in cards}
    synthesis, video = by_title["Denoising Diffusion for Image Synthesis"], by_title["Latent Diffusion for Video"]
    assert synthesis["votes"] == "80 upvotes" and video["votes"] == "5 upvotes"
    assert synthesis["label"] == "AI summary"
    assert synthesis["snippet"] == "AI summary Diffusion synthesizes images from noise in many small steps."
    assert video["label"] is None and video["snippet"] == "We run diffusion in a latent space to make video."
