"""The built bundled site, checked the way a visitor and a validator see it.

Three real tools, no mocks: a link crawl over every HTML file, the Nu HTML
Checker (vnu.jar from npm) over the whole output, and axe-core injected into
Debian's Chromium over HTTP, in light and dark mode, plus a 360 px layout check.
"""

from __future__ import annotations

import json
import posixpath
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from digest.commands.build import BuildReport, build_site
from digest.project import Project
from tests.helpers import NARROW, REPO, VNU_JAR, WIDE, axe_violations, describe, make_project, require_vnu, stored_documents

LINK_ATTRIBUTES = {"href", "src", "action", "poster", "data", "cite", "formaction"}


# --- Parsing the output ------------------------------------------------------------------------------------------

@dataclass
class Link:
    tag: str
    attribute: str
    value: str
    rel: str


@dataclass
class ParsedPage:
    links: list[Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    meta: dict[str, str] = field(default_factory=dict)


class _PageParser(HTMLParser):
    """Collects every URL-valued attribute, every fragment target and the meta properties of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = ParsedPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name in ("id", "name") if tag == "a" else ("id",):
            if values.get(name):
                self.page.ids.add(values[name])
        if tag == "meta" and "property" in values:
            self.page.meta[values["property"]] = values.get("content", "")
        for name, value in values.items():
            if name in LINK_ATTRIBUTES:
                self.page.links.append(Link(tag, name, value.strip(), values.get("rel", "")))


@cache
def parse_page(path: Path) -> ParsedPage:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.page


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def site_path(site: Path, file: Path) -> str:
    return file.relative_to(site).as_posix()


@dataclass(frozen=True)
class Target:
    """Where an internal link lands: a site path ('papers/x/index.html') and a fragment."""

    file: str
    fragment: str


def resolve_internal(page: str, href: str, base_path: str) -> Target | str | None:
    """The file an internal link opens, an error message, or None for a link that leaves the site.

    `page` is the linking file's site path; `base_path` the path of base_url (root-absolute links are allowed
    only on 404.html, which is served at any depth and so must use base_url's path).
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None  # external (self-links are checked separately)
    path = unquote(parts.path)
    if path.startswith("/"):
        if page != "404.html":
            return f"root-absolute link {href!r} breaks under a sub-path and from disk; use a relative link"
        if not path.startswith(base_path):
            return f"link {href!r} is outside base_url's path {base_path!r}"
        joined = path[len(base_path):]
    elif path:
        joined = posixpath.join(posixpath.dirname(page), path)
    else:
        joined = page  # '#fragment' or '?query' on the same page
    normal = posixpath.normpath(joined) if joined else "."
    if normal == ".." or normal.startswith("../"):
        return f"link {href!r} climbs above the site root"
    if joined == "" or joined.endswith("/") or normal == ".":
        normal = posixpath.join("" if normal == "." else normal, "index.html")
    return Target(normal, unquote(parts.fragment))


def link_problems(site: Path, base_url: str) -> list[str]:
    """Every broken internal link, missing asset, bad fragment and stray self-absolute link in the output."""
    base_path = urlsplit(base_url).path or "/"
    problems = []
    for file in html_files(site):
        page = site_path(site, file)
        for link in parse_page(file).links:
            problems += [f"{page}: <{link.tag} {link.attribute}={link.value!r}>: {problem}"
                         for problem in _check_link(site, page, link, base_url, base_path)]
    return problems


def is_email(page: str) -> bool:
    """The published email edition (snapshots/DATE/email.html): read in mail clients, so its links are absolute."""
    return page.startswith("snapshots/") and page.endswith("/email.html")


def _check_link(site: Path, page: str, link: Link, base_url: str, base_path: str) -> Iterator[str]:
    if link.value.startswith(base_url) or link.value.startswith("//" + urlsplit(base_url).netloc):
        if is_email(page):
            if not served_file(site, urlsplit(link.value[len(base_url):]).path):
                yield "no file in the output behind this address"
        elif not (link.tag == "link" and "canonical" in link.rel.split()):
            yield "absolute link to the site itself; only rel=canonical and og:url may be absolute"
        return
    if re.match(r"(?i)(mailto|tel|javascript|data):", link.value):
        if link.value.lower().startswith("javascript:"):
            yield "javascript: URL"
        return
    target = resolve_internal(page, link.value, base_path)
    if target is None:
        return
    if isinstance(target, str):
        yield target
        return
    file = site / target.file
    if not file.is_file():
        yield f"resolves to {target.file}, which is not in the output"
    elif target.fragment and file.suffix == ".html" and target.fragment not in parse_page(file).ids:
        yield f"no element with id {target.fragment!r} in {target.file}"


def reachable_pages(site: Path) -> set[str]:
    """The HTML files a visitor can reach by following links from the home page."""
    seen, queue = {"index.html"}, ["index.html"]
    while queue:
        page = queue.pop()
        for link in parse_page(site / page).links:
            target = resolve_internal(page, link.value, "/")
            if (isinstance(target, Target) and target.file.endswith(".html") and target.file not in seen
                    and (site / target.file).is_file()):
                seen.add(target.file)
                queue.append(target.file)
    return seen


def served_file(site: Path, path: str) -> bool:
    """Whether a site path such as 'papers/x/' or 'feed.xml' has a file behind it."""
    path = unquote(path)
    return (site / (path + "index.html" if path == "" or path.endswith("/") else path)).is_file()


def topic_slugs() -> list[str]:
    data = yaml.safe_load((REPO / "content" / "topics.yaml").read_text(encoding="utf-8"))
    return [topic["slug"] for topic in data["topics"]]


def base_url_of(project: Project) -> str:
    return yaml.safe_load((project.content / "site.yaml").read_text(encoding="utf-8"))["base_url"]


# --- 1. Link crawl -----------------------------------------------------------------------------------------------

def test_bundled_site_has_the_expected_pages(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    """96 paper pages, one page per topic in topics.yaml (plus Other), 2 snapshots, and the fixed pages."""
    papers = sorted(site_dir.glob("papers/*/index.html"))
    assert len(papers) == 96 == built_site[1].papers
    missing_topics = [slug for slug in [*topic_slugs(), "other"] if not (site_dir / "topics" / slug / "index.html")
                      .is_file()]
    assert not missing_topics, f"topics in topics.yaml without a page: {missing_topics}"
    assert len(list(site_dir.glob("snapshots/*/index.html"))) == 2
    for fixed in ("index.html", "404.html", "archive/index.html", "topics/index.html", "search/index.html",
                  "about/index.html", "feed.xml", "sitemap.xml", "robots.txt", "search/manifest.json",
                  "feeds/index.html", "feed.json", "feeds.opml", "weeks/2025-W12/index.html",
                  "weeks/2025-W41/index.html", "months/2025-03/index.html", "months/2025-10/index.html",
                  "stats/index.html"):
        assert (site_dir / fixed).is_file(), f"{fixed} missing from the output"
    assert len(list(site_dir.glob("weeks/*/index.html"))) == len(list(site_dir.glob("months/*/index.html"))) == 2
    documents = stored_documents(site_dir)
    assert len(documents) == 96


def test_every_internal_link_and_asset_resolves(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    pages = html_files(site_dir)
    checked = sum(len(parse_page(file).links) for file in pages)
    assert len(pages) >= 96 + 17 + 2 + 6 and checked > 2000, f"crawl saw only {len(pages)} pages, {checked} links"
    problems = link_problems(site_dir, base_url_of(built_site[0]))
    assert not problems, f"{len(problems)} link problems:\n" + "\n".join(problems[:40])


def test_404_page_links_use_base_url_path(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    """404.html is served at any depth, so its links are root-absolute under base_url's path, and they work."""
    base_path = urlsplit(base_url_of(built_site[0])).path or "/"
    links = [link for link in parse_page(site_dir / "404.html").links
             if not urlsplit(link.value).scheme and not link.value.startswith("#")]
    assert links, "404.html has no internal links"
    relative = [link.value for link in links if not link.value.startswith(base_path)]
    assert not relative, f"404.html links that break when it is served for a deep URL: {relative}"
    targets = {resolve_internal("404.html", link.value, base_path) for link in links}
    assert Target("search/index.html", "") in targets and Target("index.html", "") in targets
    assert any(isinstance(t, Target) and t.file.startswith("assets/style.") for t in targets), "no stylesheet"


def test_404_links_work_under_a_sub_path(tmp_path: Path) -> None:
    """With base_url under a sub-path, 404.html's links carry that path and still reach real files."""
    site_yaml = (REPO / "content" / "site.yaml").read_text(encoding="utf-8")
    site_yaml = re.sub(r"(?m)^base_url:.*$", "base_url: https://example.org/digest/", site_yaml)
    project = make_project(tmp_path, with_seeds=True, site_yaml=site_yaml)
    build_site(project)
    problems = link_problems(project.output, "https://example.org/digest/")
    assert not problems, "\n".join(problems[:20])
    hrefs = [link.value for link in parse_page(project.output / "404.html").links if link.value.startswith("/")]
    assert "/digest/search/" in hrefs and all(href.startswith("/digest/") for href in hrefs), hrefs


def test_canonical_and_og_url_are_the_page_address(site_dir: Path, built_site: tuple[Project, BuildReport]) -> None:
    base_url = base_url_of(built_site[0])
    wrong = []
    for file in html_files(site_dir):
        page = site_path(site_dir, file)
        if page == "404.html" or is_email(page):
            continue
        expected = base_url + (page[: -len("index.html")] if page.endswith("index.html") else page)
        canonical = [link.value for link in parse_page(file).links if "canonical" in link.rel.split()]
        og_url = parse_page(file).meta.get("og:url")
        if canonical != [expected] or og_url != expected:
            wrong.append(f"{page}: canonical={canonical} og:url={og_url!r}, expected {expected}")
    assert not wrong, "\n".join(wrong[:20])


def test_every_page_is_reachable_from_home(site_dir: Path) -> None:
    """No orphans: each paper, topic (and topic page 2…), snapshot and archive page is linked from somewhere."""
    reached = reachable_pages(site_dir)
    expected = {site_path(site_dir, file) for pattern in ("papers/*/index.html", "topics/**/index.html",
                                                          "snapshots/*/index.html", "archive/**/index.html",
                                                          "weeks/*/index.html", "months/*/index.html")
                for file in site_dir.glob(pattern)}
    expected |= {"about/index.html", "search/index.html", "feeds/index.html", "stats/index.html"}
    if 'class="paper-card"' not in (site_dir / "topics" / "other" / "index.html").read_text(encoding="utf-8"):
        # An empty Other keeps its page, so old links to it still work, but no list links it (the bundled
        # taxonomy files all 96 bundled papers under real topics).
        expected.discard("topics/other/index.html")
    orphans = sorted(expected - reached)
    assert not orphans, f"pages no link leads to: {orphans}"


def test_search_results_and_sitemap_point_at_real_pages(site_dir: Path,
                                                        built_site: tuple[Project, BuildReport]) -> None:
    documents = stored_documents(site_dir)
    missing = [doc[1] for doc in documents if not (site_dir / doc[1] / "index.html").is_file()]
    assert not missing, f"search results would link to missing pages: {missing[:10]}"
    base_url = base_url_of(built_site[0])
    locations = re.findall(r"<loc>([^<]+)</loc>", (site_dir / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(locations) >= 96 + 17 + 2
    broken = [loc for loc in locations
              if not loc.startswith(base_url) or not served_file(site_dir, loc[len(base_url):])]
    assert not broken, f"sitemap URLs with no file behind them: {broken[:10]}"


def test_stylesheet_urls_resolve(site_dir: Path) -> None:
    for css in site_dir.glob("assets/*.css"):
        for reference in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if reference.startswith(("data:", "#")):
                continue
            assert (css.parent / reference.split("?")[0].split("#")[0]).is_file(), f"{css.name}: {reference}"


# --- 2. Nu HTML Checker ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_nu_html_checker_finds_no_errors(site_dir: Path) -> None:
    java = require_vnu()
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only", "--format", "json",
                             "--stdout", str(site_dir)], capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar printed no JSON (exit {result.returncode}): {result.stdout[:500]} {result.stderr[:500]}")
    errors = [message for message in report["messages"] if message.get("type") in ("error", "non-document-error")]
    shown = [f"{Path(urlsplit(m.get('url', '')).path).relative_to(site_dir) if m.get('url') else '?'}"
             f":{m.get('lastLine', '?')}: {m.get('message')} [{m.get('extract', '').strip()[:80]}]" for m in errors]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(shown[:40])
    assert result.returncode == 0, result.stderr[:1000]


# --- 3. axe-core and layout in Chromium --------------------------------------------------------------------------

def longest_title_paper(site_dir: Path) -> str:
    """The paper whose title is longest: the page most likely to wrap badly on a phone."""
    documents = stored_documents(site_dir)
    return max(documents, key=lambda doc: len(doc[0]))[1]


def longest_word_paper(site_dir: Path) -> str:
    """The paper whose abstract has the longest unbroken word (usually a URL): the likeliest to overflow."""
    def longest(file: Path) -> int:
        match = re.search(r'<p class="abstract">(.*?)</p>', file.read_text(encoding="utf-8"), re.S)
        text = re.sub(r"<[^>]+>", "", match.group(1)) if match else ""
        return max((len(word) for word in text.split()), default=0)
    return max(site_dir.glob("papers/*/index.html"), key=longest).parent.relative_to(site_dir).as_posix() + "/"


def largest_topic(site_dir: Path) -> str:
    pages = site_dir.glob("topics/*/index.html")
    return max(pages, key=lambda file: file.stat().st_size).parent.relative_to(site_dir).as_posix() + "/"


def latest_snapshot(site_dir: Path) -> str:
    return sorted(site_dir.glob("snapshots/*/index.html"))[-1].parent.relative_to(site_dir).as_posix() + "/"


CHECKED_PAGES = ["home", "paper", "paper-long-word", "topic", "topics", "snapshot", "archive", "about",
                 "search-results", "not-found", "feeds", "week", "month", "stats", "saved"]


def page_url(name: str, site_dir: Path) -> str:
    return {
        "home": "",
        "paper": longest_title_paper(site_dir),
        "paper-long-word": longest_word_paper(site_dir),
        "topic": largest_topic(site_dir),
        "snapshot": latest_snapshot(site_dir),
        "archive": "archive/",
        "about": "about/",
        "saved": "saved/",
        "search-results": "search/?q=federated",
        "topics": "topics/",
        "not-found": "404.html",
        "feeds": "feeds/",
        "week": "weeks/2025-W41/",
        "month": "months/2025-10/",
        "stats": "stats/",  # charts; the topic page and the topics index have theirs too
    }[name]


@pytest.fixture(scope="module")
def tab(browser: Any) -> Iterator[Any]:
    """One tab reused by every check in this module (fresh tabs cost more than the checks)."""
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("requestfailed", lambda request: errors.append(f"failed: {request.url} {request.failure}")
            if "ERR_ABORTED" not in (request.failure or "") else None)  # aborted = cut short by the next goto
    page.on("response", lambda response: errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    page.errors = errors
    yield page
    context.close()


def open_page(tab: Any, server: str, path: str) -> None:
    """Load a page and wait until it is what a visitor sees; no script error, console error or failed request."""
    tab.errors.clear()
    response = tab.goto(server + path, wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '?'}"
    if path.startswith("search/?q="):
        tab.wait_for_selector("#search-results li", timeout=5000)
    assert not tab.errors, f"{path}: {tab.errors}"


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", CHECKED_PAGES)
def test_axe_finds_no_violations(tab: Any, site_server: str, site_dir: Path, name: str, scheme: str) -> None:
    tab.set_viewport_size(WIDE)
    tab.emulate_media(color_scheme=scheme)
    open_page(tab, site_server, page_url(name, site_dir))
    assert tab.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    violations = axe_violations(tab)
    assert not violations, f"{name} ({scheme}):\n{describe(violations)}"


@pytest.mark.browser
@pytest.mark.parametrize("name", CHECKED_PAGES)
def test_no_horizontal_scrolling_at_360px(tab: Any, site_server: str, site_dir: Path, name: str) -> None:
    tab.emulate_media(color_scheme="light")
    tab.set_viewport_size(NARROW)
    open_page(tab, site_server, page_url(name, site_dir))
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    wide = tab.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > 360.5 && getComputedStyle(el).position !== 'absolute')
        .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))""")
    assert width <= NARROW["width"], f"{name}: page is {width}px wide at 360px; too wide: {wide}"


@pytest.mark.browser
def test_skip_link_is_first_visible_on_focus_and_moves_focus_to_main(tab: Any, site_server: str) -> None:
    """Keyboard users: the first Tab shows 'Skip to content' with a focus ring; Enter lands in <main>."""
    tab.set_viewport_size(WIDE)
    tab.emulate_media(color_scheme="light")
    open_page(tab, site_server, "")
    tab.keyboard.press("Tab")
    focused = tab.evaluate("""() => { const el = document.activeElement, box = el.getBoundingClientRect();
        return {text: el.textContent.trim(), visible: box.left >= 0 && box.top >= 0 && box.width > 1,
                outline: getComputedStyle(el).outlineStyle}; }""")
    assert focused["text"] == "Skip to content" and focused["visible"], focused
    assert focused["outline"] != "none", "the focused skip link has no focus ring"
    tab.keyboard.press("Enter")
    assert tab.evaluate("() => document.activeElement.id") == "main"


# --- 4. What a reader sees: focus ring contrast, page length on a phone ------------------------------------------

STYLE_CSS = REPO / "templates" / "static" / "style.css"


def custom_properties(css: str, dark: bool) -> dict[str, str]:
    """The --name: value pairs of the theme's :root, with the dark-mode :root's on top when `dark`."""
    light = re.search(r"^:root\s*\{(.*?)\}", css, re.S | re.M)
    assert light, "no :root block in style.css"
    blocks = [light.group(1)]
    if dark:
        found = re.search(r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{(.*?)\}", css, re.S)
        assert found, "no dark-mode :root block in style.css"
        blocks.append(found.group(1))
    return {name: value.strip() for block in blocks for name, value in re.findall(r"(--[\w-]+):\s*([^;]+);", block)}


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_examples() -> None:
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the classic lightest AA grey on white
    assert round(contrast("#f59e0b", "#ffffff"), 2) == 2.15  # the old light-mode focus ring


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_focus_ring_has_3_to_1_contrast_on_every_background(dark: bool) -> None:
    """WCAG 1.4.11: the ring (3 px, 2 px off the element) sits on the page or a card; both must show it."""
    colours = custom_properties(STYLE_CSS.read_text(encoding="utf-8"), dark)
    ring = colours["--focus"]
    for background in ("--bg", "--card-bg"):
        ratio = contrast(ring, colours[background])
        assert ratio >= 3.0, f"{'dark' if dark else 'light'}: --focus {ring} on {background} is {ratio:.2f}:1"


HOME_HEIGHT_AT_360 = 14_000  # px; 23,310 when every returning paper was a full card, 12,570 with the compact list


@pytest.mark.browser
def test_home_page_is_short_enough_to_scroll_on_a_phone(tab: Any, site_server: str) -> None:
    """New papers as full cards (about 330 px each at 360 px); the 49 returning ones a title and a line of facts."""
    tab.emulate_media(color_scheme="light")
    tab.set_viewport_size(NARROW)
    open_page(tab, site_server, "")
    height = tab.evaluate("() => document.documentElement.scrollHeight")
    assert height < HOME_HEIGHT_AT_360, f"home page is {height}px tall at 360px"
    per_line = tab.evaluate("""() => { const items = document.querySelectorAll('.compact-list li');
        return items.length ? document.querySelector('.compact-list').offsetHeight / items.length : 0; }""")
    assert 0 < per_line < 140, f"a returning paper takes {per_line:.0f}px"
