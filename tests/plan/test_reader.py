"""What the reader's scripts read from the pages (plan/reader.py): a star's data, the window of "New for you" in
search's paper numbers, and each topic's and organization's papers in it (the browser side:
tests/site/test_reader.py)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from digest import urls
from digest.commands.sources import read_sources
from digest.organizations import organizations
from digest.plan.reader import NEW_FOR_YOU_DAYS, new_for_you_window, star_data
from digest.plan.site import plan_listings
from tests.helpers import make_project, org_snapshots, seed_catalog


def test_a_star_keeps_what_saved_shows_and_exports() -> None:
    catalog = seed_catalog()
    paper = next(iter(catalog.papers.values()))
    data = json.loads(star_data(paper, urls.paper(paper.slug)))
    assert data["t"] == paper.title and data["u"] == urls.paper(paper.slug)
    assert data["d"] == paper.first_seen.isoformat()
    assert data.get("a", []) == list(paper.authors) and data.get("x") == paper.arxiv_id


def test_the_window_is_the_newest_week_as_a_range_of_search_numbers() -> None:
    catalog = seed_catalog()
    window = new_for_you_window(catalog)
    assert window is not None
    first, since = window
    papers = list(catalog.papers.values())  # search numbers the papers in this order
    newest = max(paper.first_seen for paper in papers)
    assert since == newest - timedelta(days=NEW_FOR_YOU_DAYS - 1)
    assert all(paper.first_seen >= since for paper in papers[first:])
    assert all(paper.first_seen < since for paper in papers[:first])


def test_each_topic_and_organization_lists_its_papers_of_the_window_newest_first(tmp_path: Path) -> None:
    sources = read_sources(make_project(tmp_path, org_snapshots()))
    catalog = sources.catalog
    orgs = organizations(catalog, sources.config.organization_min_papers)
    specs = {spec.path: json.loads(spec.context["json"]) for spec in plan_listings(catalog, sources.config,
                                                                                   sources.pages)
             if spec.path.startswith(urls.NEW_FOR_YOU)}
    first, since = new_for_you_window(catalog) or (0, None)
    slugs = list(catalog.papers)
    groups = {urls.new_for_you_topic(topic.slug): catalog.papers_by_topic.get(topic.slug, ())
              for topic in catalog.topics}
    groups |= {urls.new_for_you_org(org.slug): org.papers for org in orgs.listed}
    assert set(specs) == set(groups) and orgs.listed
    for path, members in groups.items():
        data = specs[path]
        assert data["since"] == since.isoformat()
        expected = sorted((slugs.index(slug) for slug in members if slugs.index(slug) >= first), reverse=True)
        assert [entry[0] for entry in data["papers"]] == expected, path
        for number, title, page, seen, authors in data["papers"]:
            paper = catalog.papers[slugs[number]]
            assert (title, page, seen) == (paper.title, urls.paper(paper.slug), paper.first_seen.isoformat())
            assert authors.startswith(", ".join(paper.authors[:1])), "the card's authors, the first first"
    assert any(data["papers"] for data in specs.values()) and any(not data["papers"] for data in specs.values())
