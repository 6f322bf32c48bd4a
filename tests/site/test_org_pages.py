"""The organizations' pages as a reader and a feed reader see them, on a site whose papers name organizations:
some over the threshold, one under it, two whose names slug alike, and hostile, unicode and very long names.

The bundled site's text snapshots name no organization, so the Nu checker, axe (light and dark) and the 360 px
check run here on this site's new pages, as tests/site/test_site_checks.py runs them on the bundled one.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from digest.commands.build import build_site
from digest.project import Project
from tests.helpers import (
    assert_accessible_light_dark_and_narrow,
    HOSTILE_ORG,
    LONG_ORG,
    NARROW,
    REPO,
    assert_page_exports_its_papers,
    VNU_JAR,
    WIDE,
    axe_violations,
    describe,
    make_project,
    org_snapshots,
    require_vnu,
    serve_folder,
)

SITE_YAML = (REPO / "content" / "site.yaml").read_text(encoding="utf-8").replace("papers_per_page: 50",
                                                                                 "papers_per_page: 5")
BASE_URL = "https://paper-digest.netlify.app/"


class Links(HTMLParser):
    """Every <a>: its href, class and text; and the datetime of every <time> in a card's meta row."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str]] = []
        self.times: list[str] = []
        self._open: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a":
            self._open = {"href": values.get("href", ""), "class": values.get("class", ""), "text": ""}
            self.anchors.append(self._open)
        elif tag == "time":
            self.times.append(values.get("datetime", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data


def links(file: Path) -> Links:
    return Links(file.read_text(encoding="utf-8"))


def resolve(site: Path, page: Path, href: str) -> Path:
    target = (page.parent / href).resolve()
    return target / "index.html" if href.endswith("/") or target.is_dir() else target


@pytest.fixture(scope="module")
def org_site(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = make_project(tmp_path_factory.mktemp("orgs"), org_snapshots(), site_yaml=SITE_YAML)
    build_site(project)
    return project


@pytest.fixture(scope="module")
def site(org_site: Project) -> Path:
    return org_site.output


def org_pages(site: Path) -> dict[str, Path]:
    """Each organization's first page by the name it shows (its <h1>, count aside)."""
    pages = {}
    for file in sorted(site.glob("orgs/*/index.html")):
        heading = re.search(r"<h1>(.*?) <span class=\"count\">", file.read_text(encoding="utf-8"), re.S)
        assert heading, file
        pages[html.unescape(heading.group(1))] = file
    return pages


def test_organizations_over_the_threshold_have_pages_with_their_papers_newest_first(site: Path) -> None:
    pages = org_pages(site)
    assert set(pages) == {"Qwen", "Zhejiang University", "NJU-LINK Lab", HOSTILE_ORG, "C++ Lab", "C Lab",
                          "深度求索", LONG_ORG}, "Small Lab has 4 papers: no page"
    qwen = pages["Qwen"]
    second = qwen.parent / "page" / "2" / "index.html"
    assert second.is_file(), "6 papers at 5 a page: two pages"
    titles = [a["text"] for file in (qwen, second) for a in links(file).anchors
              if a["href"].startswith("../../papers/") or a["href"].startswith("../../../../papers/")]
    assert len(titles) == 6 and all(title.startswith("Organization Study") for title in titles)
    seen = [time for file in (qwen, second) for time in links(file).times]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) > 1, "newest first"
    index = links(site / "orgs" / "index.html")
    listed = {resolve(site, site / "orgs" / "index.html", a["href"]) for a in index.anchors
              if a["href"].startswith("../orgs/")}
    assert listed == set(pages.values())
    assert 'href="../orgs/"' in (site / "topics" / "index.html").read_text(encoding="utf-8")


def test_cards_and_paper_pages_link_the_organization_and_every_link_resolves(site: Path) -> None:
    pages = set(org_pages(site).values())
    reached = set()
    for file in [*site.glob("snapshots/*/index.html"), *site.glob("papers/*/index.html"), site / "index.html"]:
        text = file.read_text(encoding="utf-8")
        for anchor in links(file).anchors:
            if "/orgs/" in "/" + anchor["href"].lstrip("./") or anchor["class"] == "org":
                target = resolve(site, file, anchor["href"])
                assert target in pages or target == site / "orgs" / "index.html", (file, anchor)
                reached.add(target)
        if "Small Lab" in text:
            assert '<span class="org">Small Lab</span>' in text or '<p class="paper-org">Small Lab</p>' in text
    assert reached >= pages, "every organization's page is linked from its papers"
    paper = next(file for file in site.glob("papers/*/index.html") if "paper-org" in file.read_text("utf-8")
                 and "Zhejiang" in file.read_text("utf-8"))
    assert '<p class="paper-org"><a href="../../orgs/zhejiang-university/">Zhejiang University</a></p>' in \
        paper.read_text(encoding="utf-8")


def test_each_organization_has_atom_and_json_feeds_with_its_papers(site: Path) -> None:
    feedparser = pytest.importorskip("feedparser")
    for name, page in org_pages(site).items():
        folder = page.parent
        parsed = feedparser.parse((folder / "feed.xml").read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.feed.title == f"Paper Digest: {name}"
        on_page = [a["text"] for file in [page, *folder.glob("page/*/index.html")] for a in links(file).anchors
                   if "/papers/" in a["href"] and a["text"].startswith("Organization Study")]
        assert [entry.title for entry in parsed.entries] == on_page, name
        document = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert document["title"] == f"Paper Digest: {name}"
        assert [item["title"] for item in document["items"]] == on_page
        assert document["home_page_url"] == BASE_URL + folder.relative_to(site).as_posix() + "/"


def test_feeds_opml_the_feeds_page_and_the_sitemap_list_them(site: Path) -> None:
    slugs = {page.parent.name for page in org_pages(site).values()}
    outlines = ElementTree.parse(site / "feeds.opml").getroot().iter("outline")
    listed = {url[len(BASE_URL):] for outline in outlines if (url := outline.get("xmlUrl"))}
    assert {f"orgs/{slug}/feed.xml" for slug in slugs} <= listed
    feeds_page = (site / "feeds" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="../orgs/{slug}/feed.json"' in feeds_page for slug in slugs)
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert all(f"<loc>{BASE_URL}orgs/{slug}/</loc>" in sitemap for slug in slugs)
    assert f"<loc>{BASE_URL}orgs/</loc>" in sitemap and f"{BASE_URL}orgs/qwen/page/2/" in sitemap


def test_hostile_names_stay_text_everywhere_and_slug_safely(site: Path) -> None:
    raw = '<script>alert("org")'
    for file in site.rglob("*"):
        if file.suffix in (".html", ".xml", ".json", ".opml"):
            assert raw not in file.read_text(encoding="utf-8"), file
    for file in (site / "feeds.opml", *site.glob("orgs/*/feed.xml")):
        ElementTree.parse(file)  # well-formed, whatever the names
    hostile = org_pages(site)[HOSTILE_ORG]
    assert hostile.parent.name == "script-alert-org-script-lab-r-d"
    assert "&lt;script&gt;alert(&#34;org&#34;)&lt;/script&gt; &amp; &#39;Lab&#39; / R&amp;D" in \
        hostile.read_text(encoding="utf-8")
    folders = [path.name for path in (site / "orgs").iterdir() if path.is_dir()]
    assert all(re.fullmatch(r"[a-z0-9-]{1,80}", name) for name in folders), folders
    assert len(org_pages(site)[LONG_ORG].parent.name) <= 80


def test_two_names_that_slug_alike_get_two_pages_each_with_its_own_papers(site: Path) -> None:
    pages = org_pages(site)
    c, cpp = pages["C Lab"], pages["C++ Lab"]
    assert c != cpp and {c.parent.name, cpp.parent.name} & {"c-lab"}
    numbers = [{a["text"].split()[2] for a in links(page).anchors if a["text"].startswith("Organization Study")}
               for page in (c, cpp)]
    assert len(numbers[0]) == len(numbers[1]) == 5 and not numbers[0] & numbers[1]


# --- Valid, accessible and narrow-screen safe -------------------------------------------------------------------

@pytest.mark.slow
def test_nu_html_checker_accepts_the_organization_pages(site: Path) -> None:
    java = require_vnu()
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only", "--format", "json",
                             "--stdout", str(site / "orgs"), str(site / "papers"), str(site / "snapshots"),
                             str(site / "feeds"), str(site / "topics" / "index.html")],
                            capture_output=True, text=True, timeout=300)
    errors = [m for m in json.loads(result.stdout)["messages"] if m.get("type") in ("error", "non-document-error")]
    assert not errors, "\n".join(f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in errors[:20])


@pytest.fixture(scope="module")
def org_server(site: Path) -> Iterator[str]:
    with serve_folder(site) as url:
        yield url


def checked_paths(site: Path) -> list[str]:
    pages = org_pages(site)
    zhejiang = next(file for file in site.glob("papers/*/index.html") if "Zhejiang" in file.read_text("utf-8"))
    return ["orgs/", "orgs/qwen/", "orgs/qwen/page/2/", *(pages[name].parent.relative_to(site).as_posix() + "/"
                                                          for name in (HOSTILE_ORG, LONG_ORG, "深度求索")),
            zhejiang.parent.relative_to(site).as_posix() + "/", "snapshots/2025-10-13/", "feeds/"]


@pytest.mark.browser
@pytest.mark.parametrize("which", range(9))
def test_axe_light_and_dark_and_a_360px_screen_on_the_organization_pages(browser: Any, org_server: str,
                                                                          site: Path, which: int) -> None:
    path = checked_paths(site)[which]
    assert_accessible_light_dark_and_narrow(browser, org_server + path)


def test_each_organization_page_exports_its_papers_for_reference_managers(site: Path) -> None:
    for page in org_pages(site).values():
        assert_page_exports_its_papers(site, page.relative_to(site).as_posix())
