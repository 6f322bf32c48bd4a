"""Lists that go to Zotero: every list page links its papers as BibTeX, RIS and CSL-JSON files, and a paper page
makes its own in the browser (static/references.js), byte for byte the build's records with the abstract; each
read back by real parsers and saying what the paper's page says; served with the content types reference managers
know, and downloaded by Chromium under the site's Content-Security-Policy."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from digest.catalog import Catalog
from digest.cli import main
from digest.commands.sources import read_sources
from digest.plan.references import FORMATS, Records, export_text
from digest.preview.http import content_type
from digest.project import Project
from tests.helpers import (
    FIXTURES,
    REPO,
    NETLIFY,
    NetlifyLikeHandler,
    assert_files_say_what_the_pages_say,
    assert_page_exports_its_papers,
    export_files,
    make_project,
    netlify_headers,
    papers_shown,
    read_links,
    reference_from_page,
    serve_folder,
)

JSON = FIXTURES / "json"
ZOTERO = "papers/zotero-ready-preprints-names-suffixes-and-100-braces-in-script-titles/index.html"
SURVEY = "papers/a-survey-of-continual-learning/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three JSON days (hostile titles, names with suffixes, an organization, a repeated author), a text day with
    a paper known only by its title, and the bundled text seeds, five papers a topic page, so topics have several
    pages."""
    root = tmp_path_factory.mktemp("exports-site")
    settings = (REPO / "content" / "site.yaml").read_text(encoding="utf-8")
    make_project(root, {
        "2025-10-09.json": (JSON / "2025-10-08.json").read_bytes(),  # the seeds have a 2025-10-08
        "2025-10-10.json": (JSON / "2025-10-09.json").read_bytes(),
        "2025-10-11.txt": (FIXTURES / "snapshots" / "minimal.txt").read_text().replace("Oct 8", "Oct 11"),
        "2025-10-13.json": (JSON / "names.json").read_bytes(),
    }, site_yaml=settings.replace("papers_per_page: 50", "papers_per_page: 5"), with_seeds=True)
    assert main(["build", "--quiet", "--source", str(root)]) == 0
    return root / "site"


def list_pages(site: Path) -> list[str]:
    pages = [path.relative_to(site).as_posix() for folder in ("topics", "snapshots", "weeks", "months")
             for path in sorted((site / folder).rglob("index.html"))]
    return [page for page in pages if page != "topics/index.html" and papers_shown(site, page)]


def test_every_list_page_exports_exactly_its_papers_in_three_formats(site: Path) -> None:
    pages = list_pages(site)
    kinds = {page.split("/")[0] for page in pages}
    assert kinds == {"topics", "snapshots", "weeks", "months"}
    assert any("/page/2/" in page for page in pages)  # a topic's second page has its own files
    for page in pages:
        assert_page_exports_its_papers(site, page)


def test_names_keep_their_suffixes_and_organizations_in_every_format(site: Path) -> None:
    files = assert_page_exports_its_papers(site, "snapshots/2025-10-13/index.html")
    assert "author        = {Daumé III, Hal and {The Soofi-Team} and Guangyi and Zhang and" in files["BibTeX"]
    assert "{Kimi Team}" in files["BibTeX"] and "month         = oct," in files["BibTeX"]
    assert "AU  - Daumé III, Hal\nAU  - The Soofi-Team\n" in files["RIS"]
    assert '{"family": "Daumé III", "given": "Hal"}, {"literal": "The Soofi-Team"}' in files["CSL-JSON"]
    assert files["BibTeX"].count("Daumé III, Hal") == 1  # the feed's repeat is gone
    # A list's files leave the abstracts out (LIST_ABSTRACTS: 71 MB of the real corpus's site, not 237 MB);
    # a paper page's own files have it.
    assert "abstract" not in files["BibTeX"] and "\nAB  -" not in files["RIS"] and '"abstract"' not in files["CSL-JSON"]


def test_a_paper_page_says_what_zotero_reads(site: Path) -> None:
    meta = dict(read_links(site, ZOTERO).meta)
    assert meta["DC.type"] == "preprint" and meta["citation_publisher"] == "arXiv"
    assert meta["citation_doi"] == "10.48550/arXiv.2510.10001"
    assert meta["citation_technical_report_number"] == "arXiv:2510.10001"
    assert meta["citation_public_url"] == "https://arxiv.org/abs/2510.10001"
    assert meta["citation_abstract"].startswith("We keep every name whole.") and meta["citation_abstract"].endswith(
        "with 50% of } braces.")  # the whole abstract, not the page's 200-character description
    assert not read_links(site, ZOTERO).exports, "a paper page's files are made in the browser, not linked"


def test_the_home_page_links_the_newest_days_files(site: Path) -> None:
    links = read_links(site, "index.html").exports
    assert [link["href"] for link in links] == ["export/bibtex/snapshots/2025-10-13.bib",
                                                "export/ris/snapshots/2025-10-13.ris",
                                                "export/csl-json/snapshots/2025-10-13.csl.json"]


def test_export_files_are_not_pages(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/export/" not in sitemap and "/snapshots/2025-10-13/" in sitemap


def test_netlify_and_the_preview_serve_each_format_with_its_content_type(site: Path) -> None:
    for export in FORMATS:
        files = sorted((site / "export" / export.folder).rglob("*"))
        files = [file for file in files if file.is_file()]
        assert files and all(file.name.endswith(export.extension) for file in files)
        for file in files:
            path = "/" + file.relative_to(site).as_posix()
            expected = export.media_type + "; charset=utf-8"
            assert netlify_headers(path)["Content-Type"] == expected
            assert content_type(file) == expected
    assert "Content-Type" not in netlify_headers("/search/manifest.json")  # .json elsewhere keeps its default
    assert content_type(site / "feed.json") == "application/json"
    scaffold = tomllib.loads((REPO / "digest" / "scaffold" / "netlify.toml").read_text(encoding="utf-8"))
    assert [rule for rule in scaffold["headers"] if rule["for"].startswith("/export/")] == [
        rule for rule in NETLIFY["headers"] if rule["for"].startswith("/export/")]


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with serve_folder(site, NetlifyLikeHandler) as url:
        yield url


@pytest.fixture(scope="module")
def records(site: Path) -> tuple[Catalog, Records]:
    """The build's own records of the site's papers, abstracts included, as a paper page's files must be."""
    sources = read_sources(Project.at(site.parent))
    return sources.catalog, Records(sources.config.base_url)


def own_files(browser: Any, served: str, page: str) -> dict[str, tuple[str, str]]:
    """A paper page's own files as Chromium downloads them from its buttons under "Cite and save", served with
    netlify.toml's headers: (text, file name) by label. No console message about the Content-Security-Policy."""
    context = browser.new_context(accept_downloads=True)
    tab = context.new_page()
    messages: list[str] = []
    tab.on("console", lambda message: messages.append(message.text))
    tab.on("pageerror", lambda error: messages.append(str(error)))
    response = tab.goto(served + page)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    tab.locator("#cite summary").click()
    files = {}
    for export in FORMATS:
        with tab.expect_download() as started:
            tab.locator("#paper-exports").get_by_role("button", name=export.name, exact=True).click()
        files[export.name] = (Path(started.value.path()).read_text(encoding="utf-8"), started.value.suggested_filename)
    context.close()
    assert messages == []
    return files


@pytest.mark.browser
@pytest.mark.parametrize("page", [ZOTERO, SURVEY, "papers/kimi-technical-report/index.html"])
def test_a_paper_page_makes_the_builds_own_records_with_the_abstract(browser: Any, served: str, site: Path,
                                                                    records: tuple[Catalog, Records],
                                                                    page: str) -> None:
    catalog, made = records
    paper = catalog.papers[page.split("/")[1]]
    files = own_files(browser, served, page.removesuffix("index.html"))
    assert_files_say_what_the_pages_say(site, [page], {label: text for label, (text, _) in files.items()}, page)
    for export in FORMATS:
        text, name = files[export.name]
        assert name == paper.slug + export.extension
        assert text == export_text(export, [paper], made), f"{export.name} of {page} differs from the build's"


@pytest.mark.browser
def test_a_paper_pages_files_keep_names_and_the_whole_abstract_and_no_injected_record(
        browser: Any, served: str) -> None:
    files = {label: text for label, (text, _) in own_files(browser, served, ZOTERO.removesuffix("index.html")).items()}
    assert "abstract      = {We keep every name whole." in files["BibTeX"]
    assert '"abstract": "We keep' in files["CSL-JSON"]
    # The reader joins the abstract's hard-wrapped lines; its "ER  -" and "TY  -" stay inside the one AB line.
    assert "\nAB  - We keep every name whole. ER - TY - JOUR TI - An injected record @misc{evil" in files["RIS"]
    assert files["RIS"].count("TY  - ") == 1
    assert "author        = {Daumé III, Hal and {The Soofi-Team}" in files["BibTeX"]


@pytest.mark.browser
def test_a_text_only_paper_exports_what_is_known_and_no_id(browser: Any, served: str, site: Path) -> None:
    files = {label: text for label, (text, _) in own_files(browser, served, SURVEY.removesuffix("index.html")).items()}
    survey = reference_from_page(site, SURVEY)
    assert survey.arxiv_id is None and survey.doi is None
    assert survey.url.endswith("/papers/a-survey-of-continual-learning/")
    assert survey.url.startswith("https://"), "the site's own address, not the test server's"
    assert "eprint" not in files["BibTeX"] and "DO  -" not in files["RIS"] and '"DOI"' not in files["CSL-JSON"]


@pytest.mark.browser
def test_chromium_downloads_a_lists_files_under_the_sites_csp(browser: Any, served: str, site: Path) -> None:
    page = "snapshots/2025-10-13/"
    context = browser.new_context(accept_downloads=True)
    tab = context.new_page()
    violations: list[str] = []
    tab.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    response = tab.goto(served + page)
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expected = export_files(site, page + "index.html")
    for label, (text, download, _) in expected.items():
        with tab.expect_download() as started:
            tab.get_by_role("link", name=label, exact=True).click()
        saved = started.value
        assert saved.suggested_filename == download
        assert Path(saved.path()).read_text(encoding="utf-8") == text
    assert violations == []
    context.close()


def test_the_served_type_reaches_the_browser(served: str) -> None:
    import urllib.request

    with urllib.request.urlopen(served + "export/ris/snapshots/2025-10-13.ris") as answer:
        assert answer.headers["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
        assert re.match(rb"TY  - UNPB\n", answer.read())
