"""plan/site.py: which pages the site has, and planning just the open ones first."""

from __future__ import annotations

from digest.inputs.config import load_site_config
from digest.plan.site import in_site_order, plan_listings, plan_paper_pages, plan_site
from digest.related import related_papers
from digest.urls import output_file
from tests.helpers import REPO, seed_catalog


def test_the_listings_and_the_paper_pages_make_the_site_in_sitemap_order() -> None:
    catalog, config = seed_catalog(), load_site_config(REPO / "content")
    listings = plan_listings(catalog, config, ())
    related = related_papers(catalog.papers.values(), catalog.topics)
    papers = plan_paper_pages(catalog, config, related)
    assert [spec.template for spec in papers] == ["paper.html"] * len(catalog.papers)
    assert "paper.html" not in {spec.template for spec in listings} and listings[0].template == "home.html"
    assert in_site_order(listings, papers) == plan_site(catalog, config, (), related)


def test_only_the_open_pages_are_planned_first_and_each_as_the_whole_site_plans_it() -> None:
    """The preview's open pages, planned before anything else: the same specs as in the whole site's plan."""
    catalog, config = seed_catalog(), load_site_config(REPO / "content")
    every = {output_file(spec.path): spec for spec in plan_listings(catalog, config, ())}
    day = output_file(f"snapshots/{catalog.days[-1].date.isoformat()}/")
    paper = output_file(f"papers/{next(iter(catalog.papers))}/")
    for files in ({"index.html"}, {day, "topics/index.html", "stats/index.html"}, {"404.html", paper}, set()):
        first = plan_listings(catalog, config, (), only=frozenset(files))
        expected = {file: every[file] for file in files if file in every}  # a paper page is not a listing
        assert {output_file(spec.path): spec for spec in first} == expected
