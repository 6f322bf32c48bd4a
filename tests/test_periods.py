"""Weeks and months: which papers each period holds (digest/periods.py) and the pages the site makes of them."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from digest.commands.build import build_site
from digest.commands.sources import read_sources
from digest.output.assets import collect_assets, find_lunr
from digest.output.render import Renderer
from digest.periods import months, parse_week_key, week_key, weeks
from digest.plan.site import plan_listings
from tests.helpers import REPO, make_project

# (arXiv id, title, upvotes) per snapshot day. 2024-12-30 is a Monday in ISO week 1 of 2025 but in December;
# the two Saturdays are empty days, and 2025-01-11 is the only snapshot of its week.
DAYS: dict[str, list[tuple[str, str, int]]] = {
    "2024-12-27": [("2412.00001", "Alpha Sparse Attention", 5), ("2412.00002", "Beta Federated Averaging", 50)],
    "2024-12-28": [],
    "2024-12-30": [("2412.00003", "Gamma Diffusion Editing", 7), ("2412.00001", "Alpha Sparse Attention", 9)],
    "2025-01-02": [("2501.00004", "Delta Robot Grasping", 3)],
    "2025-01-11": [],
}


def api_snapshot(papers: list[tuple[str, str, int]]) -> str:
    """A day of the Hugging Face daily-papers API, with just the fields the reader needs."""
    items = [{"paper": {"id": arxiv_id, "title": title, "summary": f"{title} is studied here in depth.",
                        "upvotes": votes, "authors": [{"name": "Ada Lovelace"}]},
              "title": title, "numComments": 0}
             for arxiv_id, title, votes in papers]
    return json.dumps(items)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("periods")
    return make_project(root, {f"{day}.json": api_snapshot(papers) for day, papers in DAYS.items()})


@pytest.fixture(scope="module")
def site(project) -> Path:  # type: ignore[no-untyped-def]
    build_site(project)
    return project.output


def titles(period_slugs: tuple[str, ...], catalog) -> list[str]:  # type: ignore[no-untyped-def]
    return [catalog.papers[slug].title.split()[0] for slug in period_slugs]


def test_each_paper_belongs_to_the_week_and_month_it_was_first_seen_in(project) -> None:  # type: ignore[no-untyped-def]
    catalog = read_sources(project).catalog
    found_weeks, found_months = weeks(catalog), months(catalog)
    assert [week.key for week in found_weeks] == ["2024-W52", "2025-W01"]  # no week of empty Saturdays
    assert [month.key for month in found_months] == ["2024-12", "2025-01"]
    assert sum(len(week.slugs) for week in found_weeks) == len(catalog.papers) == 4
    assert sum(len(month.slugs) for month in found_months) == 4
    # Most upvoted first; Alpha's newest count (9, when it came back) ranks it, but it stays in its first week.
    assert titles(found_weeks[0].slugs, catalog) == ["Beta", "Alpha"]
    assert titles(found_weeks[1].slugs, catalog) == ["Gamma", "Delta"]
    assert titles(found_months[0].slugs, catalog) == ["Beta", "Alpha", "Gamma"]
    assert found_weeks[1].days == (date(2024, 12, 30), date(2025, 1, 2))
    assert found_weeks[1].span == "30 December 2024 – 5 January 2025"
    assert found_weeks[1].name == "Week 1 of 2025" and found_months[0].name == "December 2024"


def test_week_keys_follow_iso_weeks() -> None:
    assert week_key(date(2024, 12, 30)) == "2025-W01"
    assert parse_week_key("2024-W47") == date(2024, 11, 18)
    assert parse_week_key("2020-W53") == date(2020, 12, 28)
    for bad in ("2024-W53", "2024-47", "2024-W7", "W47"):
        with pytest.raises(ValueError):
            parse_week_key(bad)


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_a_page_per_week_and_month_with_papers_and_none_for_empty_weeks(site: Path) -> None:
    assert sorted(path.name for path in (site / "weeks").iterdir()) == ["2024-W52", "2025-W01"]
    assert sorted(path.name for path in (site / "months").iterdir()) == ["2024-12", "2025-01"]
    week = page(site, "weeks/2025-W01")
    body = text_of(week)
    assert "Week 1 of 2025" in body and "30 December 2024 – 5 January 2025" in body
    assert "2 new papers this week, from 2 snapshots, by topic (a paper under each of its topics), most upvoted " \
        "first" in body
    assert "Gamma Diffusion Editing" in body and "Delta Robot Grasping" in body and "Alpha" not in body
    assert 'href="../../weeks/2024-W52/"' in week and 'rel="prev"' in week and 'rel="next"' not in week
    assert 'href="../../months/2024-12/"' in week and 'href="../../months/2025-01/"' in week
    month = page(site, "months/2024-12")
    assert 'href="../../weeks/2024-W52/"' in month and 'href="../../weeks/2025-W01/"' in month
    assert 'rel="next" href="../../months/2025-01/"' in month


def test_snapshot_pages_and_the_archive_link_their_weeks_and_months(site: Path) -> None:
    monday = page(site, "snapshots/2024-12-30")
    assert 'href="../../weeks/2025-W01/">Week 1 of 2025</a>' in monday
    assert 'href="../../months/2024-12/">December 2024</a>' in monday
    lone_saturday = page(site, "snapshots/2025-01-11")  # its week brought nothing: no page to link
    assert "weeks/" not in lone_saturday and 'href="../../months/2025-01/"' in lone_saturday
    archive = page(site, "archive")
    assert 'href="../months/2025-01/">January 2025</a> <span class="count">1<span class="visually-hidden"> papers' \
        in archive
    assert archive.count('href="../weeks/2025-W01/">Week 1</a>') == 2  # its two snapshot days
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/weeks/2024-W52/</loc>" in sitemap and "/months/2025-01/</loc>" in sitemap


def topic_paper(n: int) -> tuple[str, str, int]:
    """Paper n of a made-up week: every third in three topics (federated, robots, diffusion), the rest in one."""
    title = (f"Paper {n} on federated robot grasping with diffusion policies" if n % 3 == 0
             else f"Paper {n} on federated learning" if n % 2 else f"Paper {n} on robot grasping")
    return f"2411.{n:05d}", title, n


def sections_of(html: str) -> dict[str, tuple[int, list[str], list[str]]]:
    """Each topic's section: (the count it says, papers shown as cards, papers on one line), by topic slug."""
    found = {}
    for part in re.split(r'(?=<(?:section|details)[^>]* (?:aria-labelledby|id)="topic-)', html)[1:]:
        slug = re.match(r'<(?:section|details)[^>]* (?:aria-labelledby|id)="topic-([a-z-]+)"', part).group(1)
        part = re.split(r"</section>|</details>", part)[0]
        count = int(re.search(r'<span class="count">(\d+)', part).group(1))
        cards = re.findall(r'class="paper-title"><a href="[^"]+">Paper (\d+) on', part)
        lines = re.findall(r'<li><a href="[^"]+">Paper (\d+) on', part)
        found[slug] = (count, cards, lines)
    return found


def test_a_busy_week_shows_its_most_upvoted_in_full_then_every_paper_under_each_topic_folded(tmp_path: Path) -> None:
    papers = [topic_paper(n) for n in range(1, 24)]
    project = make_project(tmp_path, {"2024-11-18.json": api_snapshot(papers[:12]),
                                      "2024-11-19.json": api_snapshot(papers[12:])})
    build_site(project)
    week = page(project.output, "weeks/2024-W47")
    highlights, rest = week.split('id="highlights-heading"')[1].split("</section>", 1)
    assert re.findall(r'class="paper-title"><a href="[^"]+">Paper (\d+) on', highlights) == [
        str(n) for n in range(23, 13, -1)], "the ten most upvoted, in full"
    catalog = read_sources(project).catalog
    expected: dict[str, list[str]] = {}
    for slug in weeks(catalog)[0].slugs:  # most upvoted first
        for topic in catalog.papers[slug].topics:
            expected.setdefault(topic, []).append(catalog.papers[slug].title.split()[1])
    assert len(expected["safety"]) == 15 and len(expected["robotics"]) == 15, "the fixture is what it says"
    sections = sections_of(rest)
    assert rest.count("<details") == len(expected) and "<details open" not in rest, "every topic folded"
    for slug, (count, cards, lines) in sections.items():
        assert (count, cards, lines) == (len(expected[slug]), [], expected[slug]), slug
    counts = [count for count, _, _ in sections.values()]
    assert counts == sorted(counts, reverse=True) and set(sections) == set(expected)
    summaries = re.findall(r"<summary>(.*?)</summary>", rest, re.DOTALL)
    assert text_of(summaries[0]).strip() == "Robotics and Embodied AI 15 papers", "the topic and its count"


def test_a_quiet_week_shows_each_paper_in_full_once_then_one_line_under_its_other_topics(tmp_path: Path) -> None:
    papers = [topic_paper(n) for n in range(1, 10)]  # 3, 6 and 9 have three topics each
    project = make_project(tmp_path, {"2024-11-18.json": api_snapshot(papers)})
    build_site(project)
    week = page(project.output, "weeks/2024-W47")
    assert 'id="highlights-heading"' not in week and "<details" not in week
    sections = sections_of(week)
    assert {slug: count for slug, (count, _, _) in sections.items()} == {
        "safety": 6, "robotics": 6, "generative-models": 3}  # 9 papers, 15 places
    shown_in_full = [paper for _, cards, _ in sections.values() for paper in cards]
    assert sorted(shown_in_full, key=int) == [str(n) for n in range(1, 10)], "each paper in full exactly once"
    for slug, (count, cards, lines) in sections.items():
        assert len(cards) + len(lines) == count, slug
        assert not set(cards) & set(lines), slug
    assert sections["generative-models"] == (3, [], ["9", "6", "3"]), "shown in full above, most upvoted first"
    assert "All under Diffusion and Generative Models, shown above:" in text_of(week)


SCREEN = {"width": 360, "height": 900}
TOPIC_WORDS = ["Federated", "Robot Grasping", "Diffusion", "Speech", "Video", "Agents", "Reasoning", "Code", "3D",
               "Quantization", "Retrieval", "Jailbreak", "Multilingual", "Protein", "Interpretability", "Benchmark"]


def rich_paper(n: int) -> dict[str, object]:
    """A paper as the API gives it, as wordy as a real one: a long title in up to three topics, eight authors,
    an organization, a code link and a one-sentence AI summary (what a card shows)."""
    words = [TOPIC_WORDS[(n * step) % len(TOPIC_WORDS)] for step in (1, 3, 7)][: 1 + n % 3]
    title = f"Paper {n} on {' and '.join(words)}: Towards Scalable, Robust and Efficient Methods for the Real World"
    return {"paper": {"id": f"2510.{n:05d}", "title": title, "upvotes": n % 97,
                      "summary": f"{title} is studied here in depth. " * 6, "ai_summary": f"{title} works well. " * 3,
                      "authors": [{"name": f"Author {n} {k} Longname"} for k in range(8)],
                      "organization": {"name": "lab", "fullname": "A Research Laboratory"},
                      "githubRepo": f"https://github.com/lab/paper-{n}", "githubStars": 1234},
            "title": title, "numComments": 3}


@pytest.mark.browser
def test_a_busy_month_stays_under_fifteen_phone_screens(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """600 papers in October 2025 (as many as the feed's busiest month), each under up to three topics: at 360 px
    the month page is its ten most upvoted papers in full and a folded list per topic, not eighty screens."""
    snapshots = {f"2025-10-{day:02d}.json": json.dumps([rich_paper(30 * day + k) for k in range(30)])
                 for day in range(1, 21)}
    project = make_project(tmp_path, snapshots)
    sources = read_sources(project)
    [spec] = plan_listings(sources.catalog, sources.config, (), only={"months/2025-10/index.html"})
    assets = collect_assets({file.name: file for file in (REPO / "templates" / "static").iterdir()}, find_lunr())
    site = tmp_path / "site"
    for path, data in {**assets.files, "months/2025-10/index.html": Renderer(
            REPO / "templates", sources.config, assets.paths, ()).render(spec)}.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(data)
    tab = browser.new_page(viewport=SCREEN)
    try:
        tab.goto((site / "months" / "2025-10" / "index.html").as_uri())
        assert tab.evaluate("document.styleSheets.length") == 1 and tab.locator(".paper-card").count() == 10
        height = tab.evaluate("document.documentElement.scrollHeight")
        assert height < 15 * SCREEN["height"], f"{height} px at 360 px wide"
        assert tab.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
        listed = tab.evaluate("""[...document.querySelectorAll('details.period-topic')].map(d =>
            [d.querySelector('summary').textContent.trim(), d.querySelectorAll('li').length, d.open])""")
        assert sum(lines for _, lines, _ in listed) == sum(len(p.topics) for p in sources.catalog.papers.values())
        for summary, lines, is_open in listed:
            assert re.fullmatch(rf".+ {lines} papers?", summary) and not is_open, summary
    finally:
        tab.close()
