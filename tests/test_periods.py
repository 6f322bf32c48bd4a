"""Weeks and months: which papers each period holds (digest/periods.py) and the pages the site makes of them."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from digest.commands.build import build_site, read_sources
from digest.periods import months, parse_week_key, week_key, weeks
from tests.conftest import make_project

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
    assert "2 new papers this week, from 2 snapshots, by topic, most upvoted first" in body
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


def test_a_busy_week_shows_its_most_upvoted_in_full_then_every_paper_once_by_topic(tmp_path: Path) -> None:
    papers = [(f"2411.{n:05d}", f"Paper {n} on federated learning" if n % 2 else f"Paper {n} on robot grasping",
               n) for n in range(1, 24)]
    project = make_project(tmp_path, {"2024-11-18.json": api_snapshot(papers[:12]),
                                      "2024-11-19.json": api_snapshot(papers[12:])})
    build_site(project)
    week = page(project.output, "weeks/2024-W47")
    highlights, groups = week.split('id="highlights-heading"')[1].split("</section>", 1)
    shown_in_full = re.findall(r'class="paper-title"><a href="[^"]+">Paper (\d+) on', highlights)
    assert shown_in_full == ["23", "22", "21", "20", "19"]
    listed = re.findall(r'<li><a href="[^"]+">Paper (\d+) on', groups)
    assert sorted(map(int, listed)) == list(range(1, 24)), "every paper once, under its first topic"
    sections = re.findall(r'<h2 id="topic-([a-z-]+)">.*?<span class="count">(\d+)</span>', groups)
    assert [int(count) for _, count in sections] == sorted((int(count) for _, count in sections), reverse=True)
    for section in groups.split("<section")[1:]:  # a paper's line names its other topics, not the group's own
        name = re.search(r'<h2 id="topic-[a-z-]+"><a href="[^"]+">([^<]+)</a>', section).group(1)
        metas = re.findall(r'<span class="compact-meta">(.*?)</span></li>', section, re.DOTALL)
        assert metas and not any(name in meta for meta in metas), name
