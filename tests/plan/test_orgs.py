"""plan/orgs.py and the cards' and paper pages' links: which organization pages exist and what they hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.commands.sources import Sources, read_sources
from digest.errors import ConfigError
from digest.inputs.config import load_site_config
from digest.plan.site import plan_listings, plan_paper_pages
from digest.plan.spec import PageSpec
from digest.urls import output_file
from tests.helpers import REPO, make_project, org_snapshots, seed_catalog

SITE_YAML = (REPO / "content" / "site.yaml").read_text(encoding="utf-8")


def sources(root: Path, settings: str = "") -> Sources:
    """The organizations' fixture site, with `settings` ('key: value' lines) in place of the bundled ones."""
    keys = tuple(line.split(":")[0] + ":" for line in settings.splitlines())
    kept = "".join(line for line in SITE_YAML.splitlines(keepends=True) if not keys or not line.startswith(keys))
    return read_sources(make_project(root, org_snapshots(), site_yaml=kept + settings))


def org_specs(specs: list[PageSpec]) -> dict[str, PageSpec]:
    return {spec.path: spec for spec in specs if spec.path.startswith("orgs/")}


def test_each_organization_over_the_threshold_has_pages_and_the_index_lists_them(tmp_path: Path) -> None:
    read = sources(tmp_path, "papers_per_page: 5\n")
    specs = org_specs(plan_listings(read.catalog, read.config, read.pages))
    index = specs.pop("orgs/")
    rows = [(row.count, row.name.casefold()) for row in index.context["orgs"]]
    assert rows[0] == (6, "qwen") and rows == sorted(rows, key=lambda row: (-row[0], row[1])), "busiest, then A-Z"
    assert len(index.context["orgs"]) == 8 and "Small Lab" not in {row.name for row in index.context["orgs"]}
    assert {row.path for row in index.context["orgs"]} | {"orgs/qwen/page/2/"} == set(specs)
    qwen, second = specs["orgs/qwen/"].context, specs["orgs/qwen/page/2/"].context
    assert (qwen["count"], len(qwen["papers"]), len(second["papers"])) == (6, 5, 1)
    assert qwen["pagination"].next == "orgs/qwen/page/2/" and second["chart"] is None
    seen = [card.first_seen for card in (*qwen["papers"], *second["papers"])]
    assert seen == sorted(seen, reverse=True), "newest first, across pages"
    assert qwen["feed"].atom == "orgs/qwen/feed.xml" and qwen["feed"].json == "orgs/qwen/feed.json"


def test_the_chart_counts_the_organizations_papers_per_week_since_the_feed_named_one(tmp_path: Path) -> None:
    read = sources(tmp_path)
    chart = org_specs(plan_listings(read.catalog, read.config, read.pages))["orgs/qwen/"].context["chart"]
    assert chart.unit == "week" and chart.span == "week of 6 October 2025 to week of 13 October 2025"
    assert [row.value for row in chart.rows] == ["5", "1"]
    assert chart.summary.startswith("6 papers")


def test_cards_and_paper_pages_link_the_organization_only_when_it_has_a_page(tmp_path: Path) -> None:
    read = sources(tmp_path)
    listings = plan_listings(read.catalog, read.config, read.pages)
    cards = [card for spec in listings if spec.template == "snapshot.html" for card in spec.context["new"]]
    linked = {card.organization: card.organization_path for card in cards if card.organization}
    assert linked["Qwen"] == "orgs/qwen/" and linked["Small Lab"] is None
    pages = {spec.context["paper"].organization: spec.context["org_path"] for spec in
             plan_paper_pages(read.catalog, read.config, {}) if spec.context["paper"].organization}
    assert pages["Zhejiang University"] == "orgs/zhejiang-university/" and pages["Small Lab"] is None
    assert pages["qwen"] == "orgs/qwen/", "another spelling links to the same page"
    planned = {spec.path for spec in listings}
    assert {path for path in pages.values() if path} <= planned


def test_a_higher_threshold_means_fewer_pages_and_plain_names(tmp_path: Path) -> None:
    read = sources(tmp_path, "organization_min_papers: 6\n")
    assert set(org_specs(plan_listings(read.catalog, read.config, read.pages))) == {"orgs/", "orgs/qwen/"}
    pages = {spec.context["paper"].organization: spec.context["org_path"]
             for spec in plan_paper_pages(read.catalog, read.config, {})}
    assert pages["C Lab"] is None and pages["Qwen"] == "orgs/qwen/"


def test_a_site_without_organizations_has_no_organization_pages() -> None:
    """The bundled text snapshots name no organization: no /orgs/ index, no empty page."""
    specs = plan_listings(seed_catalog(), load_site_config(REPO / "content"), ())
    assert not org_specs(specs) and next(spec for spec in specs if spec.path == "topics/").context["org_count"] == 0


def test_an_open_organization_page_is_planned_first_as_the_whole_site_plans_it(tmp_path: Path) -> None:
    read = sources(tmp_path)
    every = {output_file(spec.path): spec for spec in plan_listings(read.catalog, read.config, read.pages)}
    for files in ({"orgs/index.html"}, {"orgs/qwen/index.html", "index.html"}, {"orgs/c-lab/index.html"}):
        first = plan_listings(read.catalog, read.config, read.pages, only=frozenset(files))
        assert {output_file(spec.path): spec for spec in first} == {file: every[file] for file in files}


def test_the_threshold_setting_is_checked_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=re.escape("must be between 1 and 100000, got 0")) as caught:
        sources(tmp_path, "organization_min_papers: 0\n")
    assert caught.value.path.name == "site.yaml" and caught.value.line == SITE_YAML.count("\n") + 1
