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
from digest.plan.reader import NEW_FOR_YOU_DAYS, author_file, author_file_count, new_for_you_window, star_data
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
             if spec.path.startswith(urls.NEW_FOR_YOU) and "/authors/" not in spec.path}
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


def test_each_author_of_the_window_is_in_the_file_its_name_hashes_to_with_their_papers(tmp_path: Path) -> None:
    sources = read_sources(make_project(tmp_path, org_snapshots()))
    catalog = sources.catalog
    files = {spec.path: json.loads(spec.context["json"]) for spec in plan_listings(catalog, sources.config,
                                                                                   sources.pages)
             if spec.path.startswith(urls.NEW_FOR_YOU + "authors/")}
    count = author_file_count(catalog)
    assert len(files) == count >= 1
    first, _ = new_for_you_window(catalog) or (0, None)
    slugs = list(catalog.papers)
    expected: dict[str, list[int]] = {}
    for number in range(len(slugs) - 1, first - 1, -1):
        for name in dict.fromkeys(" ".join(name.split()) for name in catalog.papers[slugs[number]].authors):
            expected.setdefault(name, []).append(number)
    assert expected
    for name, numbers in expected.items():
        data = files[urls.new_for_you_authors(author_file(name, count))]
        assert [data["papers"][index][0] for index in data["authors"][name]] == numbers, name
    assert sum(len(data["authors"]) for data in files.values()) == len(expected)


def test_the_file_of_a_name_is_fnv1a_of_its_utf8_bytes_as_the_browser_computes_it() -> None:
    # FNV-1a 32-bit test vectors (for-you.js computes the same with Math.imul; tests/site/test_reader.py follows
    # a name with an accent in Chromium).
    assert [author_file(text, 2**32) for text in ("", "a", "foobar")] == [0x811C9DC5, 0xE40C292C, 0xBF9CF968]
