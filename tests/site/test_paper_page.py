"""What a reader sees of papers from JSON snapshots: the paper page, its citation, the day lists and the email."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from digest.cli import main
from digest.commands.build import build_site
from digest.project import Project
from tests.helpers import (
    FIXTURES,
    NARROW,
    VNU_JAR,
    WIDE,
    axe_violations,
    describe,
    make_project,
    require_vnu,
    serve_folder,
)

JSON = FIXTURES / "json"
TATTOO = "papers/tattoo-tool-grounded-thinking-prm-for-test-time-scaling-in-tabular-reasoning/index.html"
EARN = "papers/earn-1-million-with-latex-braces-and-backslashes-in-titles/index.html"
FEDERATED = "papers/federated-averaging-revisited/index.html"
SURVEY = "papers/a-survey-of-continual-learning/index.html"


class Page(HTMLParser):
    """The parts of a page these tests read: meta tags, JSON-LD, elements by class, and visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self.by_class: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}  # link text → href
        self._open: list[tuple[str, str, list[str]]] = []  # (tag, class, text) of open elements
        self._script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("name", "").startswith("citation_"):
            self.meta.append((values["name"], values["content"]))
        self._script = tag == "script" and values.get("type") == "application/ld+json"
        if tag not in ("meta", "link", "br", "img", "input"):
            self._open.append((tag, values.get("class", ""), [values.get("href", "")]))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, css, parts = self._open.pop()
            text = " ".join("".join(parts[1:]).split())
            for name in css.split():
                self.by_class.setdefault(name, []).append(text)
            if open_tag == "a":
                self.links[text] = parts[0]
            if self._open:
                self._open[-1][2].append("".join(parts[1:]))
            if open_tag == tag:
                break
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script:
            self.json_ld.append(data)
        elif self._open:
            self._open[-1][2].append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two JSON days, a text day (one paper merges by title, one is text-only), then an empty JSON day."""
    root = tmp_path_factory.mktemp("json-site")
    minimal = (FIXTURES / "snapshots" / "minimal.txt").read_text().replace("Oct 8", "Oct 10")
    make_project(root, {
        "2025-10-08.json": (JSON / "2025-10-08.json").read_bytes(),
        "2025-10-09.json": (JSON / "2025-10-09.json").read_bytes(),
        "2025-10-10.txt": minimal,
        "2025-10-11.json": (JSON / "empty-day.json").read_bytes(),
    })
    assert main(["build", "--quiet", "--source", str(root)]) == 0
    return root / "site"


def page(site: Path, path: str) -> Page:
    return Page((site / path).read_text(encoding="utf-8"))


def test_papers_merge_by_id_and_by_title(site: Path) -> None:
    assert sorted(p.parent.name for p in (site / "papers").glob("*/index.html")) == [
        "a-survey-of-continual-learning", "earn-1-million-with-latex-braces-and-backslashes-in-titles",
        "federated-averaging-revisited",
        "tattoo-tool-grounded-thinking-prm-for-test-time-scaling-in-tabular-reasoning"]
    federated = page(site, FEDERATED)
    assert {"9 October 2025", "10 October 2025"} <= set(federated.links)  # featured in JSON, then text by title
    assert federated.links["arXiv abstract"] == "https://arxiv.org/abs/2510.07000"


def test_the_paper_page_shows_authors_links_counts_and_dates(site: Path) -> None:
    tattoo = page(site, TATTOO)
    assert tattoo.by_class["paper"][0].startswith(  # the newest title, at the slug of the first one
        "TaTToo: Tool-Grounded Thinking Process Reward Models for Tabular Reasoning")
    (shown,) = tattoo.by_class["author-list"]  # 14 authors: none folded away (that starts past 20)
    assert shown.split(", ") == ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov",
                                 "Donald Knuth", "Frances Allen", "John McCarthy", "Margaret Hamilton", "Ken Thompson",
                                 "Radia Perlman", "Tony Hoare", "Leslie Lamport", "Shafi Goldwasser"]
    assert "more-authors" not in tattoo.by_class
    assert tattoo.links["arXiv abstract"] == "https://arxiv.org/abs/2510.06217"
    assert tattoo.links["PDF"] == "https://arxiv.org/pdf/2510.06217"
    assert tattoo.links["Hugging Face paper page"] == "https://huggingface.co/papers/2510.06217"
    assert tattoo.links["Code"] == "https://github.com/sirano1004/TaTToo-Tabular"  # the feed's, before the abstract's
    assert "(1,234 GitHub stars)" in tattoo.by_class["link-note"]
    assert tattoo.links["Project page"] == "https://tattoo.example.org/"
    assert tattoo.links["github.com/abstract/tattoo"] == "https://github.com/abstract/tattoo"
    assert tattoo.by_class["paper-counts"] == ["61 upvotes · 9 comments on Hugging Face as of 9 October 2025"]
    assert tattoo.by_class["paper-meta"][0].startswith(
        "Published on arXiv 7 October 2025 · First seen 8 October 2025 · featured in 2 snapshots")
    assert len(tattoo.by_class["abstract"]) == 2  # the paragraph break is kept
    assert tattoo.by_class["abstract"][1].startswith("We propose TaTToo")


def test_citation_meta_tags_json_ld_and_bibtex(site: Path) -> None:
    tattoo = page(site, TATTOO)
    meta = tattoo.meta
    assert meta[0] == ("citation_title", "TaTToo: Tool-Grounded Thinking Process Reward Models for Tabular Reasoning")
    authors = [content for name, content in meta if name == "citation_author"]
    assert len(authors) == 14 and authors[0] == "Ada Lovelace" and authors[-1] == "Shafi Goldwasser"
    assert dict(meta)["citation_publication_date"] == "2025/10/07"
    assert dict(meta)["citation_arxiv_id"] == "2510.06217"
    assert dict(meta)["citation_pdf_url"] == "https://arxiv.org/pdf/2510.06217"
    assert dict(meta)["citation_doi"] == "10.48550/arXiv.2510.06217"
    assert dict(meta)["citation_technical_report_number"] == "arXiv:2510.06217"
    (block,) = tattoo.json_ld
    data = json.loads(block)
    assert data["@type"] == "ScholarlyArticle" and data["datePublished"] == "2025-10-07"
    assert [author["name"] for author in data["author"]] == authors
    assert data["identifier"]["value"] == "2510.06217"
    assert data["url"].endswith("/papers/tattoo-tool-grounded-thinking-prm-for-test-time-scaling-in-tabular-reasoning/")
    (bibtex,) = tattoo.by_class["bibtex"]
    assert bibtex.startswith("@misc{lovelace2025tattoo,")
    assert "eprint = {2510.06217}" in " ".join(bibtex.split()) and "year = {2025}" in " ".join(bibtex.split())
    assert "eprinttype = {arxiv}" in " ".join(bibtex.split()) and "month = oct" in " ".join(bibtex.split())
    assert "abstract" not in bibtex  # the entry to copy stays short; the files a reader downloads have it
    assert "author = {Ada Lovelace and Alan Turing and" in " ".join(bibtex.split())


def test_bibtex_keeps_braces_balanced_whatever_the_title(site: Path) -> None:
    html = (site / EARN).read_text(encoding="utf-8")
    bibtex = re.search(r'<pre class="bibtex"><code id="bibtex">(.*?)</code></pre>', html, re.S).group(1)
    depth = 0
    for char in bibtex:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert r"Earn \$1 Million with \textbackslash{}LaTeX\textbraceleft{}\textbraceright{}" in bibtex


def test_a_text_only_paper_cites_what_is_known(site: Path) -> None:
    survey = page(site, SURVEY)
    assert survey.meta == [("citation_title", "A Survey of Continual Learning"),  # no id, DOI or arXiv page
                           ("citation_abstract", "Continual learning methods avoid catastrophic forgetting. We survey them.")]
    data = json.loads(survey.json_ld[0])
    assert set(data) == {"@context", "@type", "headline", "name", "url", "abstract"}
    (bibtex,) = survey.by_class["bibtex"]
    assert "Featured in Hugging Face Daily Papers on 2025-10-10" in bibtex and "eprint" not in bibtex
    assert "arXiv abstract" not in survey.links and "author-list" not in survey.by_class


def test_day_lists_order_by_upvotes_and_show_counts_and_first_authors(site: Path) -> None:
    day = page(site, "snapshots/2025-10-08/index.html")
    assert [title.split(":")[0] for title in day.by_class["paper-title"]] == ["Earn $1 Million with \\LaTeX{}",
                                                                            "TaTToo"]
    assert day.by_class["upvotes"] == ["90 upvotes", "35 upvotes"]  # that day's counts
    assert day.by_class["paper-authors"] == ["Jiaru Zou, Pan Lu", "Ada Lovelace, Alan Turing, Grace Hopper and 11 more"]
    assert "most upvoted first" in day.by_class["summary"][0]


def test_an_empty_day_builds_and_says_so_and_home_shows_the_last_day_with_papers(site: Path) -> None:
    empty = page(site, "snapshots/2025-10-11/index.html")
    assert empty.by_class["summary"][0].startswith("No papers in this snapshot")
    assert "paper-card" not in empty.by_class
    assert page(site, "index.html").by_class["intro"][0].startswith("Papers of 10 October 2025")
    archive = (site / "archive/index.html").read_text(encoding="utf-8")
    assert "2025-10-11" in archive


def test_the_email_shows_authors_and_the_arxiv_link(tmp_path: Path) -> None:
    # No taxonomy: the email groups papers by topic, and upvotes order the papers within a group.
    make_project(tmp_path, {"2025-10-08.json": (JSON / "2025-10-08.json").read_bytes()}, topics=False)
    assert main(["email", "2025-10-08", "--source", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "digest-2025-10-08.txt").read_text(encoding="utf-8")
    html = (tmp_path / "out" / "digest-2025-10-08.html").read_text(encoding="utf-8")
    assert "Ada Lovelace, Alan Turing, Grace Hopper and 11 more" in text
    assert "arXiv: https://arxiv.org/abs/2510.06217" in text
    assert text.index("Earn $1 Million") < text.index("TaTToo")  # most upvoted first
    assert "Ada Lovelace, Alan Turing, Grace Hopper and 11 more" in html
    assert 'href="https://arxiv.org/abs/2510.06217"' in html


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("hostile-json")
    project = make_project(root, {"2025-10-09.json": (JSON / "hostile.json").read_bytes()})
    build_site(project)
    return project


def test_hostile_strings_in_every_new_field_stay_text(hostile_site: Project) -> None:
    site = hostile_site.output
    for path in [*site.rglob("*.html"), *site.rglob("*.xml")]:
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<b>bold" not in text, path
        assert not re.search(r"""(href|src)=["']?javascript:""", text, re.IGNORECASE), path
        assert "<!-- a comment" not in text, path
    (paper,) = (site / "papers").glob("*/index.html")
    parsed = Page(paper.read_text(encoding="utf-8"))
    data = json.loads(parsed.json_ld[0])
    assert data["name"].startswith('</script><script>alert(1)</script> "Quoted" {{ 7*7 }} evil')
    assert data["author"][0]["name"] == '</script><script>alert("author")</script>'
    assert data["keywords"] == ["</script><script>alert(2)</script>"]
    assert ("citation_author", "O'Brien \"Quote\" {{ 7*7 }}") in parsed.meta
    assert "Code" not in parsed.links and "Project page" not in parsed.links  # javascript: URLs never become links
    assert "{{ 7*7 }}" in parsed.by_class["author-list"][0]  # template syntax in data is shown, never evaluated
    assert '"Quoted" {{ 7*7 }} evil &' in parsed.by_class["paper"][0]
    email = (site / "snapshots/2025-10-09/email.html").read_text(encoding="utf-8")
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;author&#34;)" in email


# --- Valid, accessible and narrow-screen safe: the checks the bundled site gets, on pages with every new field ------

@pytest.mark.slow
def test_nu_html_checker_accepts_the_json_site(site: Path, hostile_site: Project) -> None:
    java = require_vnu()
    for folder in (site, hostile_site.output):
        result = subprocess.run([java, "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only", "--format", "json",
                                 "--stdout", str(folder)], capture_output=True, text=True, timeout=300)
        errors = [m for m in json.loads(result.stdout)["messages"] if m.get("type") in ("error", "non-document-error")]
        assert not errors, "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in errors[:20])


@pytest.fixture(scope="module")
def json_server(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("path", [TATTOO.removesuffix("index.html"), SURVEY.removesuffix("index.html"),
                                  "snapshots/2025-10-08/", "snapshots/2025-10-11/", ""])
def test_axe_and_a_360px_screen_on_the_json_site(browser: Any, json_server: str, path: str) -> None:
    context = browser.new_context(viewport=WIDE)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        for scheme in ("light", "dark"):
            tab.emulate_media(color_scheme=scheme)
            assert tab.goto(json_server + path).ok
            violations = axe_violations(tab)
            assert not violations, f"{path} ({scheme}):\n{describe(violations)}"
        tab.set_viewport_size(NARROW)
        if tab.locator("details.more-authors").count():
            tab.click("details.more-authors summary")  # unfolded, the whole author list must still fit
            assert tab.locator("details.more-authors[open]").count() == 1
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"], path
        assert not errors, errors
    finally:
        context.close()


@pytest.fixture(scope="module")
def report_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A technical report with 400 authors, an organization among them, served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("report")
    authors = [{"name": "Kimi Team"}] + [{"name": f"Author Number{n} Person"} for n in range(399)]
    item = {"paper": {"id": "2507.20534", "title": "Kimi K2: Open Agentic Intelligence", "authors": authors,
                      "summary": "We introduce Kimi K2, a mixture-of-experts language model.", "upvotes": 120,
                      "publishedAt": "2025-07-28T00:00:00.000Z"}}
    project = make_project(root, {"2025-07-29.json": json.dumps([item]).encode()})
    build_site(project)
    with serve_folder(project.output) as url:
        yield url + "papers/kimi-k2-open-agentic-intelligence/"


@pytest.mark.browser
def test_a_400_author_report_folds_its_authors_and_its_citation_on_a_phone(browser: Any, report_site: str) -> None:
    context = browser.new_context(viewport=NARROW)
    tab = context.new_page()
    try:
        assert tab.goto(report_site).ok
        shown = tab.locator(".authors > .author-list").inner_text().split(", ")
        assert len(shown) == 20 and shown[0] == "Kimi Team"
        assert tab.locator("details.more-authors summary").inner_text() == "and 380 more authors"
        assert tab.locator("details.cite[open]").count() == 0  # the BibTeX waits behind "Cite and save"
        height = tab.evaluate("() => document.documentElement.scrollHeight")
        assert height < 3 * NARROW["height"], f"{height}px tall at 360px"
        tab.click("details.cite summary")
        bibtex = tab.locator("#bibtex").inner_text()
        assert bibtex.count(" and ") == 399 and re.search(r"author +=  ?\{\{Kimi Team\} and Author Number0", bibtex)
        assert bibtex.startswith("@misc{kimiteam2025kimi,")
        assert tab.locator("button.copy-button").is_visible()  # the script shows it; without it, select the text
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
    finally:
        context.close()
