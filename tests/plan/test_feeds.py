"""Every feed as a feed reader and a validator see it: Atom, JSON Feed 1.1 and the OPML list of feeds.

Atom is parsed with xml.etree and with feedparser (what many feed readers are built on) and checked for
the elements RFC 4287 requires; JSON Feed against the fields https://jsonfeed.org/version/1.1 requires;
OPML as XML whose every URL is absolute and opens a feed of the built site.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from digest.commands.build import BuildReport, build_site
from digest.commands.sources import read_sources
from digest.plan.feeds import DIGEST_FEED_DAYS, JSON_FEED_VERSION, email_parts
from digest.project import Project
from tests.helpers import FIXTURES, REPO, make_project

ATOM = "{http://www.w3.org/2005/Atom}"
BASE_URL = "https://paper-digest.netlify.app/"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
MATH = "R^{mtimes n}"


def feedparser_or_fail() -> Any:
    try:
        import feedparser
    except ImportError:
        pytest.fail("feedparser is not installed: run `make test`, which installs the test dependencies")
    return feedparser


def atom_files(site: Path) -> list[Path]:
    return sorted([site / "feed.xml", *site.glob("feeds/*.xml"), *site.glob("topics/*/feed.xml")])


def json_files(site: Path) -> list[Path]:
    return sorted([site / "feed.json", *site.glob("feeds/*.json"), *site.glob("topics/*/feed.json")])


def listed_files(site: Path) -> list[Path]:
    """The feeds the site offers (OPML, the feeds page): all but an empty Other's, which it writes but hides."""
    return [file for file in atom_files(site)
            if not (file.parent.name == "other" and file.parent.parent.name == "topics" and not entries(file))]


def address(site: Path, file: Path) -> str:
    return BASE_URL + file.relative_to(site).as_posix()


def served(site: Path, url: str) -> Path | None:
    """The built file behind an absolute URL of the site, or None."""
    if not url.startswith(BASE_URL):
        return None
    path = urlsplit(url).path[len(urlsplit(BASE_URL).path):]
    file = site / (path + "index.html" if path == "" or path.endswith("/") else path)
    return file if file.is_file() else None


def one(element: ElementTree.Element, tag: str, where: str) -> ElementTree.Element:
    found = element.findall(ATOM + tag)
    assert len(found) == 1, f"{where}: {len(found)} <{tag}> elements, Atom asks exactly one"
    return found[0]


def atom_problems(site: Path, file: Path) -> list[str]:
    """What RFC 4287 requires of a feed and its entries, and what this site promises of them."""
    where = file.relative_to(site).as_posix()
    root = ElementTree.parse(file).getroot()
    assert root.tag == ATOM + "feed", f"{where}: root is {root.tag}"
    problems = []
    if one(root, "id", where).text != address(site, file):
        problems.append(f"{where}: feed id is not its own address")
    if not (one(root, "title", where).text or "").strip():
        problems.append(f"{where}: empty title")
    if not RFC3339.fullmatch(one(root, "updated", where).text or ""):
        problems.append(f"{where}: updated is not an RFC 3339 date")
    links = {link.get("rel"): link.get("href") for link in root.findall(ATOM + "link")}
    if links.get("self") != address(site, file) or served(site, links.get("alternate") or "") is None:
        problems.append(f"{where}: self or alternate link wrong: {links}")
    has_author = bool(root.findall(ATOM + "author"))
    ids = set()
    for number, entry in enumerate(root.findall(ATOM + "entry")):
        place = f"{where} entry {number}"
        entry_id = one(entry, "id", place).text or ""
        ids.add(entry_id)
        if not (one(entry, "title", place).text or "").strip():
            problems.append(f"{place}: empty title")
        if not RFC3339.fullmatch(one(entry, "updated", place).text or ""):
            problems.append(f"{place}: updated is not an RFC 3339 date")
        alternate = [link.get("href") for link in entry.findall(ATOM + "link") if link.get("rel") == "alternate"]
        if len(alternate) != 1 or alternate[0] != entry_id or served(site, entry_id) is None:
            problems.append(f"{place}: id/alternate link {entry_id!r} is not a page of the site")
        if not has_author and not entry.findall(ATOM + "author"):
            problems.append(f"{place}: no author in the entry or the feed")
        if not entry.findall(ATOM + "summary") and not entry.findall(ATOM + "content"):
            problems.append(f"{place}: neither summary nor content")
    if len(ids) != len(root.findall(ATOM + "entry")):
        problems.append(f"{where}: entry ids repeat")
    return problems


def json_feed_problems(site: Path, file: Path) -> list[str]:
    """The fields JSON Feed 1.1 requires (and the types it gives the optional ones this site writes)."""
    where = file.relative_to(site).as_posix()
    feed = json.loads(file.read_text(encoding="utf-8"))
    problems = []
    if feed.get("version") != JSON_FEED_VERSION:
        problems.append(f"{where}: version {feed.get('version')!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        problems.append(f"{where}: no title")
    if not isinstance(feed.get("items"), list):
        return [*problems, f"{where}: items is not an array"]
    if feed.get("feed_url") != address(site, file):
        problems.append(f"{where}: feed_url {feed.get('feed_url')!r} is not its own address")
    if served(site, feed.get("home_page_url", "")) is None:
        problems.append(f"{where}: home_page_url is not a page of the site")
    for author in feed.get("authors", []):
        if not isinstance(author, dict) or not isinstance(author.get("name"), str):
            problems.append(f"{where}: author without a name: {author!r}")
    ids = [item.get("id") for item in feed["items"]]
    if len(set(ids)) != len(ids):
        problems.append(f"{where}: item ids repeat")
    for number, item in enumerate(feed["items"]):
        place = f"{where} item {number}"
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{place}: id must be a non-empty string")
        texts = [key for key in ("content_html", "content_text") if isinstance(item.get(key), str)]
        if not texts:
            problems.append(f"{place}: needs content_html or content_text")
        if served(site, item.get("url", "")) is None:
            problems.append(f"{place}: url {item.get('url')!r} is not a page of the site")
        if not RFC3339.fullmatch(item.get("date_published", "")):
            problems.append(f"{place}: date_published is not RFC 3339")
        for author in item.get("authors", []):
            if not isinstance(author, dict) or not isinstance(author.get("name"), str):
                problems.append(f"{place}: author without a name")
        if not all(isinstance(tag, str) for tag in item.get("tags", [])):
            problems.append(f"{place}: tags must be strings")
        if "external_url" in item and not item["external_url"].startswith("https://"):
            problems.append(f"{place}: external_url {item['external_url']!r}")
    return problems


def entries(file: Path) -> list[tuple[str, str, str]]:
    """(id, title, date) of each entry of an Atom or JSON feed, in order."""
    if file.suffix == ".json":
        return [(item["id"], item["title"], item["date_published"])
                for item in json.loads(file.read_text(encoding="utf-8"))["items"]]
    root = ElementTree.parse(file).getroot()
    return [(entry.findtext(ATOM + "id") or "", entry.findtext(ATOM + "title") or "",
             entry.findtext(ATOM + "published") or "") for entry in root.findall(ATOM + "entry")]


# --- the bundled site ------------------------------------------------------------------------------------------


def test_every_atom_feed_has_what_rfc_4287_requires(site_dir: Path) -> None:
    files = atom_files(site_dir)
    assert len(files) == 3 + 28 + 1, [file.relative_to(site_dir).as_posix() for file in files]  # 28 topics, Other
    problems = [problem for file in files for problem in atom_problems(site_dir, file)]
    assert not problems, "\n".join(problems[:30])


def test_feedparser_reads_every_atom_feed_cleanly(site_dir: Path) -> None:
    feedparser = feedparser_or_fail()
    for file in atom_files(site_dir):
        parsed = feedparser.parse(file.read_bytes())
        assert not parsed.bozo, f"{file}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10", file
        assert len(parsed.entries) == len(entries(file)) and parsed.feed.title
        for entry in parsed.entries:
            assert entry.link.startswith(BASE_URL) and entry.published_parsed is not None


def test_every_json_feed_has_what_json_feed_1_1_requires(site_dir: Path) -> None:
    files = json_files(site_dir)
    assert len(files) == len(atom_files(site_dir))
    problems = [problem for file in files for problem in json_feed_problems(site_dir, file)]
    assert not problems, "\n".join(problems[:30])


def test_each_json_feed_has_the_same_entries_as_its_atom_feed(site_dir: Path) -> None:
    for atom in atom_files(site_dir):
        twin = atom.with_suffix(".json")
        assert twin.is_file(), f"no JSON Feed beside {atom}"
        assert entries(twin) == entries(atom), atom
    feed = json.loads((site_dir / "feed.json").read_text(encoding="utf-8"))
    assert len(feed["items"]) == 50 and feed["home_page_url"] == BASE_URL  # feed_size in the bundled settings


def test_opml_lists_every_feed_with_absolute_urls(site_dir: Path) -> None:
    root = ElementTree.parse(site_dir / "feeds.opml").getroot()
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert (root.findtext("head/title") or "").strip()
    outlines = [outline for outline in root.iter("outline") if outline.get("xmlUrl")]
    for outline in outlines:
        assert outline.get("type") == "rss" and outline.get("text"), outline.attrib
        for attribute in ("xmlUrl", "htmlUrl"):
            url = outline.get(attribute) or ""
            assert url.startswith("https://") and served(site_dir, url) is not None, f"{attribute}={url!r}"
    listed = {outline.get("xmlUrl") for outline in outlines}
    assert listed == {address(site_dir, file) for file in listed_files(site_dir)}, "every feed, each once"
    assert len(listed) == len(outlines)
    assert [outline.get("text") for outline in root.findall("body/outline") if not outline.get("xmlUrl")] == \
        ["Paper Digest: topics"], "the topics are one folder"


def test_code_feed_holds_exactly_the_papers_with_code(built_site: tuple[Project, BuildReport],
                                                      site_dir: Path) -> None:
    catalog = read_sources(built_site[0]).catalog
    with_code = {BASE_URL + f"papers/{paper.slug}/" for paper in catalog.papers.values() if paper.code_url}
    listed = [entry[0] for entry in entries(site_dir / "feeds" / "code.xml")]
    assert listed and set(listed) == with_code  # fewer than feed_size in the bundled content
    for url in listed:
        page = served(site_dir, url)
        assert page is not None and 'class="code-link"' in page.read_text(encoding="utf-8")
    dates = [entry[2] for entry in entries(site_dir / "feeds" / "code.xml")]
    assert dates == sorted(dates, reverse=True), "newest first"


def test_daily_email_feed_entries_are_the_published_emails(site_dir: Path) -> None:
    """One entry per day with new papers, newest first: the email's subject as title, its body as content."""
    feed = json.loads((site_dir / "feeds" / "daily-digest.json").read_text(encoding="utf-8"))
    days = sorted((path.parent.name for path in site_dir.glob("snapshots/*/email.html")), reverse=True)
    assert [item["date_published"][:10] for item in feed["items"]] == days[:DIGEST_FEED_DAYS]
    atom = ElementTree.parse(site_dir / "feeds" / "daily-digest.xml").getroot().findall(ATOM + "entry")
    for item, entry in zip(feed["items"], atom, strict=True):
        email = (site_dir / "snapshots" / item["date_published"][:10] / "email.html").read_text(encoding="utf-8")
        subject, body = email_parts(email)
        assert item["url"] == BASE_URL + f"snapshots/{item['date_published'][:10]}/email.html"
        assert item["title"] == subject == entry.findtext(ATOM + "title")
        assert subject == html.unescape(re.search(r"<title>(.*?)</title>", email).group(1))  # type: ignore[union-attr]
        assert item["content_html"] == body
        content = entry.find(ATOM + "content")
        assert content is not None and content.get("type") == "html" and content.text == body
        assert body in email and ">View in browser</a>" in body and "preheader" not in body
        assert "<body" not in body and "<style" not in body and "<head" not in body


def test_pages_announce_their_feeds(site_dir: Path) -> None:
    """Autodiscovery links in <head>, and a visible way to every feed."""
    def alternates(page: str) -> set[tuple[str, str]]:
        text = (site_dir / page).read_text(encoding="utf-8")
        head = text[:text.index("</head>")]
        return set(re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]+" href="([^"]+)">', head))

    everywhere = {("application/atom+xml", "feed.xml"), ("application/feed+json", "feed.json")}
    assert alternates("about/index.html") == {(kind, "../" + href) for kind, href in everywhere}
    assert alternates("index.html") == everywhere | {
        ("application/atom+xml", "feeds/code.xml"), ("application/feed+json", "feeds/code.json"),
        ("application/atom+xml", "feeds/daily-digest.xml"), ("application/feed+json", "feeds/daily-digest.json")}
    assert alternates("topics/agents/index.html") == {(kind, "../../" + href) for kind, href in everywhere} | {
        ("application/atom+xml", "../../topics/agents/feed.xml"),
        ("application/feed+json", "../../topics/agents/feed.json")}
    footer = (site_dir / "about" / "index.html").read_text(encoding="utf-8").split('<footer')[1]
    assert 'href="../feeds/">All feeds</a>' in footer and 'href="../feed.json">JSON Feed</a>' in footer
    feeds_page = (site_dir / "feeds" / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="\.\./([^"]+\.(?:xml|json|opml))"', feeds_page))
    expected = {file.relative_to(site_dir).as_posix() for atom in listed_files(site_dir)
                for file in (atom, atom.with_suffix(".json"))}
    assert linked == expected | {"feeds.opml"}
    assert 'href="../feeds/"' in (site_dir / "topics" / "index.html").read_text(encoding="utf-8")


def test_feeds_are_not_in_the_sitemap_but_the_feeds_page_is(site_dir: Path) -> None:
    sitemap = (site_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{BASE_URL}feeds/</loc>" in sitemap
    assert not re.search(r"<loc>[^<]+\.(json|opml|xml)</loc>", sitemap)


# --- feeds from JSON snapshots, hostile text and mathematics --------------------------------------------------


@pytest.fixture(scope="module")
def json_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("feeds-json")
    project = make_project(root, {name: (FIXTURES / "json" / name).read_bytes()
                                  for name in ("2025-10-08.json", "2025-10-09.json", "hostile.json")})
    (project.snapshots / "hostile.json").rename(project.snapshots / "2025-10-10.json")
    build_site(project)
    return project.output


def test_json_snapshot_feeds_carry_authors_arxiv_links_and_topics(json_site: Path) -> None:
    problems = [problem for file in atom_files(json_site) for problem in atom_problems(json_site, file)]
    problems += [problem for file in json_files(json_site) for problem in json_feed_problems(json_site, file)]
    assert not problems, "\n".join(problems[:30])
    items = {item["title"]: item for item in json.loads((json_site / "feed.json").read_text("utf-8"))["items"]}
    tattoo = next(item for title, item in items.items() if title.startswith("TaTToo"))
    assert tattoo["authors"][:3] == [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}, {"name": "Grace Hopper"}]
    assert len(tattoo["authors"]) == 14 and tattoo["external_url"] == "https://arxiv.org/abs/2510.06217"
    assert tattoo["tags"] and tattoo["content_text"].startswith("Process Reward Models")
    root = ElementTree.parse(json_site / "feed.xml").getroot()
    entry = next(e for e in root.findall(ATOM + "entry") if (e.findtext(ATOM + "title") or "").startswith("TaTToo"))
    assert [a.findtext(ATOM + "name") for a in entry.findall(ATOM + "author")][:2] == ["Ada Lovelace", "Alan Turing"]
    assert {link.get("rel"): link.get("href") for link in entry.findall(ATOM + "link")}["related"] == \
        "https://arxiv.org/abs/2510.06217"
    code = [item["title"] for item in json.loads((json_site / "feeds" / "code.json").read_text("utf-8"))["items"]]
    assert code == [tattoo["title"]]  # the hostile paper's javascript: repository is no code link


def test_hostile_text_stays_text_in_every_feed(json_site: Path) -> None:
    for file in [*atom_files(json_site), json_site / "feeds.opml"]:
        text = file.read_text(encoding="utf-8")
        assert "<script>" not in text and "<b>bold" not in text and "<!-- a comment" not in text, file
        ElementTree.parse(file)
    items = json.loads((json_site / "feed.json").read_text(encoding="utf-8"))["items"]
    hostile = next(item for item in items if "alert(1)" in item["title"])
    assert hostile["title"].startswith('</script><script>alert(1)</script> "Quoted" {{ 7*7 }}')  # the text as is
    assert hostile["authors"][0]["name"] == '</script><script>alert("author")</script>'
    digest = json.loads((json_site / "feeds" / "daily-digest.json").read_text(encoding="utf-8"))["items"][0]
    assert "<script>" not in digest["content_html"] and "&lt;/script&gt;&lt;script&gt;" in digest["content_html"]
    root = ElementTree.parse(json_site / "feeds" / "daily-digest.xml").getroot()
    assert root.find(f"{ATOM}entry/{ATOM}content").text == digest["content_html"]  # type: ignore[union-attr]


def test_mathematical_notation_stays_as_scraped(tmp_path: Path) -> None:
    """`R^{mtimes n}` is how the feed flattens LaTeX; it is shown as it is, never rendered or rewritten."""
    title = f"Low-Rank Completion of Matrices in {MATH} & Beyond"
    abstract = f"Given M in {MATH} with rank r < min(m, n), we recover it from O(nr log n) entries."
    project = make_project(tmp_path, {"2025-10-09.txt": f"Daily Papers\n\nOct 9\n\n{title}\n\n{abstract}\n"})
    build_site(project)
    site = project.output
    (page,) = site.glob("papers/*/index.html")
    text = page.read_text(encoding="utf-8")
    assert f"Low-Rank Completion of Matrices in {MATH} &amp; Beyond" in text
    assert f"in {MATH} with rank r &lt; min(m, n)" in text
    assert "katex" not in text.lower() and "mathjax" not in text.lower() and "<math" not in text
    atom = ElementTree.parse(site / "feed.xml").getroot().find(ATOM + "entry")
    assert atom is not None and atom.findtext(ATOM + "title") == title and atom.findtext(ATOM + "summary") == abstract
    assert f"{MATH} &amp; Beyond</title>" in (site / "feed.xml").read_text(encoding="utf-8")
    (item,) = json.loads((site / "feed.json").read_text(encoding="utf-8"))["items"]
    assert item["title"] == title and item["content_text"] == abstract
    email = (site / "snapshots" / "2025-10-09" / "email.html").read_text(encoding="utf-8")
    assert f"{MATH} &amp; Beyond" in email


def test_feeds_follow_base_url_under_a_sub_path(tmp_path: Path) -> None:
    site_yaml = (REPO / "content" / "site.yaml").read_text(encoding="utf-8")
    site_yaml = re.sub(r"(?m)^base_url:.*$", "base_url: https://example.org/digest/", site_yaml)
    project = make_project(tmp_path, with_seeds=True, site_yaml=site_yaml)
    build_site(project)
    feed = json.loads((project.output / "topics" / "agents" / "feed.json").read_text(encoding="utf-8"))
    assert feed["feed_url"] == "https://example.org/digest/topics/agents/feed.json"
    assert all(item["url"].startswith("https://example.org/digest/papers/") for item in feed["items"])
    urls = re.findall(r'(?:xmlUrl|htmlUrl)="([^"]+)"', (project.output / "feeds.opml").read_text(encoding="utf-8"))
    assert urls and all(url.startswith("https://example.org/digest/") for url in urls)


def test_dates_are_the_snapshots_not_the_clock(site_dir: Path) -> None:
    feed = json.loads((site_dir / "feed.json").read_text(encoding="utf-8"))
    days = {path.parent.name for path in site_dir.glob("snapshots/*/index.html")}
    assert {item["date_published"] for item in feed["items"]} <= {f"{day}T00:00:00Z" for day in days}
    updated = ElementTree.parse(site_dir / "feed.xml").getroot().findtext(ATOM + "updated") or ""
    assert datetime.fromisoformat(updated.replace("Z", "+00:00")).date().isoformat() == max(days)
