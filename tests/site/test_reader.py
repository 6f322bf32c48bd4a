"""Each reader's own digest, kept in the browser (templates/static/reader.js, for-you.js, saved.js), in Chromium:
stars and /saved/ with its BibTeX and RIS read back by real parsers, follows and "New for you" against the search
documents of the built site, marks of papers new since the last visit, settings moved through a JSON file, and the
site unchanged without storage or JavaScript (no control, no console error). axe (light and dark) and the 360 px
check run on the pages with every control showing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from tests.helpers import (
    FIXTURES,
    NARROW,
    WIDE,
    axe_violations,
    bibtex_references,
    csl_references,
    describe,
    make_project,
    org_snapshots,
    reference_from_page,
    ris_references,
    serve_folder,
    stored_documents,
)

pytestmark = pytest.mark.browser

ZOTERO = "papers/zotero-ready-preprints-names-suffixes-and-100-braces-in-script-titles/"
KIMI = "papers/kimi-technical-report/"
NEWEST = "2025-10-14"
STATE = "() => JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k => k.startsWith('paper-digest:'))))"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six days of papers from organizations (tests/helpers.py's org_snapshots: 2025-10-06 to 10-13, so the
    newest week leaves two days out), then a day with names that have suffixes and an organization as an author."""
    root = tmp_path_factory.mktemp("reader-site")
    snapshots = org_snapshots()
    snapshots[f"{NEWEST}.json"] = (FIXTURES / "json" / "names.json").read_text(encoding="utf-8")
    make_project(root, snapshots)
    assert main(["build", "--quiet", "--source", str(root)]) == 0
    return root / "site"


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


def watch(page: Any) -> list[str]:
    """The page's uncaught errors, console errors and warnings, and failed requests, as they happen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", lambda message: errors.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}")
            if "ERR_ABORTED" not in (request.failure or "") else None)
    page.on("response", lambda response: errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    return errors


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (empty storage) with one tab; fails the test on any script or console error."""
    context = browser.new_context(viewport=WIDE, accept_downloads=True)
    page = context.new_page()
    page.errors = watch(page)
    yield page
    errors = list(page.errors)
    context.close()
    assert not errors, errors


def window_start(site: Path) -> tuple[int, str]:
    """The home page's window of "New for you": the first paper number in it and its first day."""
    html = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'data-first="(\d+)" data-since="([\d-]+)"', html)
    assert match, "the home page has no New for you section"
    return int(match.group(1)), match.group(2)


def new_for_you(tab: Any, server: str) -> tuple[set[str], list[str], str]:
    """The paper pages New for you lists (site paths), their reasons and its status line, once filled."""
    tab.goto(server)
    tab.wait_for_function("() => { const s = document.querySelector('#new-for-you [role=status]');"
                          " return s && / since .* on what you follow/.test(s.textContent); }")
    hrefs = tab.eval_on_selector_all("#new-for-you .paper-title a", "links => links.map(a => a.href)")
    reasons = tab.eval_on_selector_all("#new-for-you .follow-reason", "nodes => nodes.map(n => n.textContent)")
    status = tab.text_content("#new-for-you [role=status]")
    return {href.removeprefix(server) for href in hrefs}, reasons, status


def star(tab: Any, scope: Any) -> None:
    button = scope.locator(".star-button")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"


def download(tab: Any, button: str) -> str:
    with tab.expect_download() as info:
        tab.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_starred_papers_are_listed_on_saved_and_export_as_the_pages_cite_them(tab: Any, server: str,
                                                                             site: Path) -> None:
    tab.goto(server + ZOTERO)
    star(tab, tab.locator(".reader-row"))
    tab.goto(server)
    star(tab, tab.locator(".paper-card", has_text="Kimi Technical Report"))
    tab.goto(server + "saved/")
    assert tab.text_content("#saved-status") == "2 saved papers, newest saved first."
    titles = tab.eval_on_selector_all("#saved-list .paper-title", "nodes => nodes.map(n => n.textContent)")
    assert titles[0] == "Kimi Technical Report" and titles[1].startswith("Zotero-Ready Preprints")

    expected = {reference_from_page(site, page + "index.html") for page in (ZOTERO, KIMI)}
    bibtex = download(tab, "Download BibTeX")
    assert set(bibtex_references(bibtex)) == expected
    assert "Daumé III, Hal" in bibtex and "{The Soofi-Team}" in bibtex and "{Kimi Team}" in bibtex
    assert re.search(r"eprinttype\s*= \{arxiv\}", bibtex) and "doi           = {10.48550/arXiv.2510.10001}" in bibtex
    ris = download(tab, "Download RIS")
    assert set(ris_references(ris)) == expected
    assert "AU  - Daumé III, Hal\n" in ris and "AU  - The Soofi-Team\n" in ris
    csl = download(tab, "Download CSL-JSON")
    assert set(csl_references(csl)) == expected and '{"literal": "Kimi Team"}' in csl

    # Unstarred on /saved/, a paper leaves the exports (and the list after a reload).
    tab.locator("#saved-list .paper-card", has_text="Kimi").locator(".star-button").click()
    assert [ref.title for ref in bibtex_references(download(tab, "Download BibTeX"))] == [
        reference_from_page(site, ZOTERO + "index.html").title]
    tab.reload()
    assert tab.locator("#saved-list .paper-card").count() == 1


def test_new_for_you_lists_the_newest_weeks_papers_of_what_the_reader_follows(tab: Any, server: str,
                                                                             site: Path) -> None:
    tab.goto(server)
    assert tab.locator("#new-for-you").is_hidden()  # following nothing: the home page as built
    first, since = window_start(site)
    documents = stored_documents(site)
    in_window = list(enumerate(documents))[first:]
    assert first > 0 and all(doc[2] >= since for _, doc in in_window)
    assert all(doc[2] < since for doc in documents[:first])  # two days of papers are older than the window

    # A topic, followed from its page.
    names = [name for _, doc in in_window for name in doc[3]]
    topic = max(set(names), key=names.count)
    tab.goto(server + "topics/")
    tab.get_by_role("link", name=topic, exact=True).first.click()
    tab.get_by_role("button", name=f"Follow the topic {topic}").click()
    matching = sorted(((doc[2], n, doc[1]) for n, doc in in_window if topic in doc[3]), reverse=True)
    assert 30 < len(matching) < len(in_window)
    expected = {path for _, _, path in matching}
    requested: list[str] = []

    def record(request: Any) -> None:
        requested.append(request.url.removeprefix(server))

    tab.on("request", record)
    shown, reasons, status = new_for_you(tab, server)
    assert shown == {path for _, _, path in matching[:30]}  # the newest 30 are shown
    assert set(reasons) == {f"in {topic}"}
    assert status == f"{len(matching)} papers since Oct 8, 2025 on what you follow; the newest 30 shown."
    # A followed topic costs one small file of the build's, and no search engine.
    data = [url for url in requested if url.endswith(".json")]
    assert len(data) == 1 and data[0].startswith("new-for-you/topics/"), requested
    assert not any("search" in url or "lunr" in url for url in requested), requested
    tab.remove_listener("request", record)


    # An organization, from its page: its papers of the window, by the dates its cards carry.
    tab.goto(server + "orgs/")
    tab.get_by_role("link", name="Qwen", exact=True).click()
    org_name = "Qwen"
    tab.get_by_role("button", name="Follow the organization Qwen").click()
    org_papers = {json.loads(value)["u"] for value in tab.eval_on_selector_all(
        ".paper-card[data-star]", "cards => cards.map(c => c.dataset.star)") if json.loads(value)["d"] >= since}
    assert org_papers
    # An author, from a paper page's menu.
    tab.goto(server + KIMI.replace("kimi-technical-report", "organization-study-1-of-federated-diffusion-agents"))
    tab.locator(".follow-authors summary").click()
    author = tab.get_by_role("button", name="Follow the author Shared Author")
    author.click()
    assert author.get_attribute("aria-pressed") == "true"
    by_author = {doc[1] for _, doc in in_window if "Shared Author" in doc[6]}

    shown, reasons, status = new_for_you(tab, server)
    every = expected | org_papers | by_author
    assert status.startswith(f"{len(every)} papers since")
    assert shown <= every and len(shown) == 30
    assert any(reason == f"in {topic} · from {org_name}" or "from " + org_name in reason for reason in reasons)
    assert "by Shared Author" in " ".join(reasons)


def test_a_followed_author_reads_one_small_file_and_no_search_engine(tab: Any, server: str) -> None:
    tab.goto(server + ZOTERO)  # "Hal Daumé III": the file is found by a hash of the name's UTF-8 bytes
    tab.locator(".follow-authors summary").click()
    tab.get_by_role("button", name="Follow the author Hal Daumé III").click()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url.removeprefix(server)))
    shown, reasons, status = new_for_you(tab, server)
    assert shown == {ZOTERO} and reasons == ["by Hal Daumé III"] and status.startswith("1 paper since")
    data = [url for url in requested if url.endswith(".json")]
    assert len(data) == 1 and data[0].startswith("new-for-you/authors/"), requested
    assert not any("search" in url or "lunr" in url for url in requested), requested


def test_a_followed_search_is_run_by_the_search_engine(tab: Any, server: str, site: Path) -> None:
    tab.goto(server + "search/?q=kimi")
    tab.wait_for_selector("#search-results li")
    button = tab.get_by_role("button", name="Follow this search")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    shown, reasons, _ = new_for_you(tab, server)
    assert shown == {KIMI} and reasons == ["matches “kimi”"]
    tab.goto(server + "search/?q=kimi")
    assert tab.get_by_role("button", name="Follow this search").get_attribute("aria-pressed") == "true"


def test_papers_new_since_the_last_visit_are_marked(tab: Any, server: str) -> None:
    tab.goto(server)
    assert tab.locator(".new-mark").count() == 0  # a first visit: nothing to compare with
    assert tab.evaluate(STATE)["visit"]["seen"] == NEWEST
    tab.goto(server + "snapshots/2025-10-13/")
    assert tab.locator(".new-mark").count() == 0

    # The last visit saw up to 2025-10-10, and ended over half an hour ago.
    tab.evaluate("(key) => { const s = JSON.parse(localStorage.getItem(key));"
                 " s.visit = {previous: null, seen: '2025-10-10', at: 0}; localStorage.setItem(key, JSON.stringify(s)); }",
                 tab.evaluate("() => Object.keys(localStorage).find(k => k.startsWith('paper-digest:'))"))
    tab.goto(server)
    cards = tab.locator("[data-marks-new] .paper-card")
    assert cards.count() == 2 and tab.locator("[data-marks-new] .new-mark").count() == 2
    assert tab.locator(".new-mark").first.is_visible()  # a word, not a colour alone
    assert tab.locator(".new-mark").first.text_content() == "New since your last visit"
    tab.goto(server + "snapshots/2025-10-13/")
    assert tab.locator(".new-mark").count() == tab.locator("[data-marks-new] .paper-card").count() > 0
    tab.goto(server + "snapshots/2025-10-10/")
    assert tab.locator(".new-mark").count() == 0  # seen on the last visit
    tab.reload()  # the same visit: the marks stay
    tab.goto(server)
    assert tab.locator(".new-mark").count() == 2


def test_settings_move_through_a_file_and_a_bad_file_changes_nothing(tab: Any, server: str, tmp_path: Path) -> None:
    tab.goto(server + ZOTERO)
    star(tab, tab.locator(".reader-row"))
    tab.goto(server + "search/?q=kimi")
    tab.get_by_role("button", name="Follow this search").click()
    tab.goto(server + "saved/")
    exported = download(tab, "Download settings")
    before = tab.evaluate(STATE)
    assert json.loads(exported)["stars"] == before["stars"] and json.loads(exported)["follows"] == before["follows"]

    tab.evaluate("() => localStorage.clear()")
    tab.reload()
    assert tab.locator("#saved-list .paper-card").count() == 0
    settings = tmp_path / "settings.json"
    settings.write_text(exported, encoding="utf-8")
    tab.set_input_files("#import-settings", str(settings))
    tab.wait_for_function("() => /^Loaded/.test(document.getElementById('settings-status').textContent)")
    assert tab.locator("#saved-list .paper-card").count() == 1
    assert tab.evaluate(STATE)["follows"] == before["follows"]

    bad = {"not json.json": "{stars: [", "other.json": '{"format": "something else"}',
           "unsafe.json": json.dumps({**json.loads(exported), "stars": [{**before["stars"][0], "u": "javascript:alert(1)"}]})}
    for name, text in bad.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        tab.set_input_files("#import-settings", str(tmp_path / name))
        tab.wait_for_function("(name) => document.getElementById('settings-status').textContent.includes(name)", arg=name)
        message = tab.text_content("#settings-status")
        assert message.startswith(f"“{name}” was not loaded: ") and message.endswith("Nothing was changed."), message
        assert tab.evaluate(STATE)["stars"] == before["stars"]
    assert "saved paper 1 is incomplete or malformed" in message


PAGES = ["", ZOTERO, "topics/agents/", "orgs/qwen/", "snapshots/2025-10-13/", "search/?q=kimi", "saved/"]


@pytest.mark.parametrize("kind", ["throws", "full"])
def test_without_storage_the_pages_work_and_show_no_controls(browser: Any, server: str, kind: str) -> None:
    context = browser.new_context(viewport=WIDE)
    if kind == "throws":  # storage disabled: touching localStorage throws, as with cookies blocked
        context.add_init_script("Object.defineProperty(window, 'localStorage', "
                                "{get() { throw new DOMException('The operation is insecure.', 'SecurityError'); }});")
    else:  # storage full
        context.add_init_script("Storage.prototype.setItem = function () {"
                                " throw new DOMException('full', 'QuotaExceededError'); };")
    page = context.new_page()
    errors = watch(page)
    for path in PAGES:
        page.goto(server + path)
        if path.startswith("search/"):
            page.wait_for_selector("#search-results li")
        assert page.locator(".star-button, .follow-button, .follow-authors, .new-mark").count() == 0, path
        assert page.locator(".paper-card").count() or path not in ("", "snapshots/2025-10-13/")
        if path == "":
            assert page.locator("#new-for-you").is_hidden()
        if path == "saved/":
            assert "does not let this site keep anything" in page.text_content("#saved-status")
    context.close()
    assert not errors, errors


def test_without_javascript_no_control_is_shown(browser: Any, server: str) -> None:
    context = browser.new_context(viewport=WIDE, java_script_enabled=False)
    page = context.new_page()
    for path in PAGES:
        page.goto(server + path)
        assert page.locator(".star-button, .follow-button, .new-mark, .follow-authors").count() == 0, path
        assert page.locator("button:visible").filter(has_not_text="Search").count() == 0, path
    assert "Your reading list lives in your browser and needs JavaScript." in page.inner_text("#saved-status")
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_with_every_control_pass_axe_and_fit_360px(tab: Any, server: str, scheme: str) -> None:
    tab.emulate_media(color_scheme=scheme)
    tab.goto(server + ZOTERO)
    star(tab, tab.locator(".reader-row"))
    tab.locator(".follow-authors summary").click()
    tab.get_by_role("button", name="Follow the author Hal Daumé III").click()
    tab.evaluate("(key) => { const s = JSON.parse(localStorage.getItem(key));"
                 " s.visit = {previous: null, seen: '2025-10-10', at: 0}; localStorage.setItem(key, JSON.stringify(s)); }",
                 tab.evaluate("() => Object.keys(localStorage).find(k => k.startsWith('paper-digest:'))"))
    checked = {ZOTERO: ".follow-authors[open]", "": "#new-for-you .paper-card", "saved/": "#saved-list .paper-card",
               "snapshots/2025-10-13/": ".new-mark"}
    for path, ready in checked.items():
        for viewport in (WIDE, NARROW):
            tab.set_viewport_size(viewport)
            tab.goto(server + path)
            if path == ZOTERO:
                tab.locator(".follow-authors summary").click()
            tab.wait_for_selector(ready)
            if viewport is WIDE:
                violations = axe_violations(tab)
                assert not violations, f"{path or 'home'} ({scheme}):\n{describe(violations)}"
            else:
                width = tab.evaluate("() => document.documentElement.scrollWidth")
                assert width <= NARROW["width"], f"{path or 'home'} is {width}px wide at 360px"
