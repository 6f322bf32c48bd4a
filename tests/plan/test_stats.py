"""The /stats/ page (digest/plan/stats.py): papers per day, topics growing and shrinking, papers with code.

A small project with known dates: the newest snapshot is 30 June 2025, so the last three months are
31 March – 30 June and the three before 31 December – 30 March.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape
from pathlib import Path

import pytest

from digest import urls
from digest.catalog import Catalog
from digest.commands.build import build_site
from digest.commands.sources import read_sources
from digest.plan.stats import months_before, plan_stats, topic_growth
from tests.helpers import make_project

TOPICS = {"robot": ("Robot Grasping", 1), "video": ("Video Editing", 2), "protein": ("Protein Folding", 3),
          "speech": ("Speech Recognition", 4)}  # each title puts a paper in one topic of the bundled taxonomy


def papers(topic: str, count: int, day: str, with_code: int = 0) -> list[tuple[str, str, bool]]:
    """`count` papers of one topic first seen on `day`: (arXiv id, title, links code), the first `with_code` with."""
    stem, number = TOPICS[topic]
    return [(f"{day[2:4]}{day[5:7]}.{number}{day[8:10]}{index:02d}", f"{stem} Study {day} {index}", index < with_code)
            for index in range(count)]


DAYS: dict[str, list[tuple[str, str, bool]]] = {
    "2024-12-20": papers("speech", 2, "2024-12-20", with_code=2),  # before both windows
    "2025-01-15": papers("robot", 4, "2025-01-15") + papers("video", 12, "2025-01-15")
    + papers("protein", 1, "2025-01-15"),
    "2025-01-16": papers("robot", 1, "2025-01-15"),  # a paper back from the day before: no new paper
    "2025-05-14": papers("robot", 16, "2025-05-14", with_code=8) + papers("video", 6, "2025-05-14")
    + papers("protein", 3, "2025-05-14") + papers("speech", 5, "2025-05-14"),
    "2025-06-30": [],  # the newest snapshot, empty: the windows still end on its date
}


def api_snapshot(entries: list[tuple[str, str, bool]]) -> str:
    def item(arxiv_id: str, title: str, code: bool) -> dict[str, object]:
        paper = {"id": arxiv_id, "title": title, "summary": f"{title} is studied here in depth.", "upvotes": 1}
        return {"paper": paper | ({"githubRepo": f"https://github.com/lab/{arxiv_id}"} if code else {}),
                "numComments": 0}
    return json.dumps([item(*entry) for entry in entries])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_project(tmp_path_factory.mktemp("stats"), {f"{day}.json": api_snapshot(items)
                                                           for day, items in DAYS.items()})


@pytest.fixture(scope="module")
def page(project) -> str:  # type: ignore[no-untyped-def]
    build_site(project)
    html = (project.output / "stats" / "index.html").read_text(encoding="utf-8")
    return unescape(html[html.index("<main"):html.index("</main>")]).replace("\xa0", " ")  # as in "32\xa0%"


def text(html: str) -> str:
    """The words of `html`; a no-break space (before a per cent sign) as a space."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_growth_ranks_topics_by_their_last_three_months_against_the_three_before(project) -> None:  # type: ignore[no-untyped-def]
    growth = topic_growth(read_sources(project).catalog)
    assert growth.after_span == "31 March – 30 June 2025" and growth.before_span == "31 December 2024 – 30 March 2025"
    assert (growth.before_total, growth.after_total, growth.total_change) == (17, 30, "+76\xa0%")
    assert [(row.name, row.before, row.after, row.change) for row in growth.growing] == [
        ("Robotics and Embodied AI", 4, 16, "+300\xa0%")]
    assert [(row.name, row.before, row.after, row.change) for row in growth.shrinking] == [("Video", 12, 6, "−50\xa0%")]
    # Science and Health (1 → 3) and Speech (0 → 5; its December papers are older) are too small to call.
    assert growth.too_small == 26 and not growth.note  # the bundled 28 topics and Other, but these three
    assert (growth.growing[0].after_width, growth.growing[0].before_width) == ("100", "25")


def test_the_page_shows_the_numbers_beside_the_pictures(page: str) -> None:
    words = text(page)
    assert "49 papers from 5 snapshots, 20 December 2024 to 30 June 2025." in words
    assert ("49 papers over 4 days with a snapshot: 12.2 new a day on average, the most on 14 May 2025 (30)."
            in words)
    assert "<td>week of 13 January 2025</td><td>8.5 a day</td>" in page  # 17 new papers over two days
    assert "<td>week of 30 June 2025, to the 30th</td><td>no papers</td>" in page  # an empty snapshot: no feed
    assert "Robotics and Embodied AI 4 16 +300 %" in words and "Video 12 6 −50 %" in words
    assert "All papers: 17 before, 30 in the last three months (+76 %)." in words
    assert "26 topics with fewer than ten papers in the six months are left out" in words
    assert "20 % of the papers (10 of 49) link to their code" in words
    assert "<td>December 2024, from the 20th</td><td>100 %</td>" in page
    assert "<td>January 2025</td><td>0 %</td>" in page and "<td>March 2025</td><td>no papers</td>" in page
    assert "Between 0 % and 100 % of each month's new papers link to code; May 2025: 27 %." in words


def test_the_page_draws_labelled_svg_charts_with_unique_ids(page: str) -> None:
    assert page.count('role="img"') == 2  # papers per day and share with code; the small bars beside numbers are
    assert page.count('aria-hidden="true"><rect') == 3  # aria-hidden: two topics' pairs and the code meter
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and {"per-day-title", "per-day-desc", "code-share-title"} <= set(ids)
    assert "<span class=\"chart-top\" aria-hidden=\"true\">30 a day</span>" in page


def test_stats_is_linked_from_every_page_and_listed_in_the_sitemap(project) -> None:  # type: ignore[no-untyped-def]
    home = (project.output / "index.html").read_text(encoding="utf-8")
    assert '<a href="stats/">Statistics</a>' in home
    assert "/stats/</loc>" in (project.output / "sitemap.xml").read_text(encoding="utf-8")
    assert "stats" in urls.RESERVED


def test_no_ranking_without_six_months_of_history(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"2025-05-14.json": api_snapshot(DAYS["2025-05-14"])})
    growth = topic_growth(read_sources(project).catalog)
    assert growth.note == "Comparing needs snapshots from the last 6 months; the first is from 14 May 2025."
    assert not growth.growing and not growth.shrinking


def test_a_catalog_without_snapshots_has_a_stats_page_without_charts() -> None:
    spec = plan_stats(Catalog(papers={}, topics=(), days=(), papers_by_topic={}))
    assert spec.path == "stats/" and spec.context == {"paper_count": 0, "day_count": 0}


@pytest.mark.parametrize(("day", "count", "expected"), [
    (date(2025, 6, 30), 3, date(2025, 3, 30)), (date(2025, 5, 31), 3, date(2025, 2, 28)),
    (date(2024, 8, 31), 6, date(2024, 2, 29)), (date(2025, 2, 15), 3, date(2024, 11, 15))])
def test_months_before_keeps_the_day_or_the_month_end(day: date, count: int, expected: date) -> None:
    assert months_before(day, count) == expected
