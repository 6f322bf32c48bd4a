"""organizations.py: which papers make one organization, what it is called, its slug, and which get a page."""

from __future__ import annotations

import json
import re
from pathlib import Path

from digest.catalog import Catalog
from digest.commands.sources import read_sources
from digest.organizations import Organization, Organizations, fold, organizations
from tests.helpers import HOSTILE_ORG, LONG_ORG, make_project, org_item, org_snapshots


def catalog_of(root: Path, snapshots: dict[str, str]) -> Catalog:
    return read_sources(make_project(root, snapshots)).catalog


def by_name(orgs: Organizations, name: str) -> Organization:
    return orgs.by_name[fold(name)]


def test_spellings_of_one_name_and_names_of_one_handle_merge(tmp_path: Path) -> None:
    orgs = organizations(catalog_of(tmp_path, org_snapshots()), 5)
    qwen = by_name(orgs, "qwen")
    assert (qwen.name, qwen.slug, qwen.count) == ("Qwen", "qwen", 6), "'qwen  ' is Qwen, spelled otherwise"
    zju = by_name(orgs, "Zhejiang University")
    assert (zju.count, zju.slug) == (5, "zhejiang-university"), "two handles, one name: one organization"
    nju = by_name(orgs, "Large-scale Intelligence Lab, Nanjing University")
    assert nju is by_name(orgs, "NJU-LINK Lab") and (nju.name, nju.count) == ("NJU-LINK Lab", 5), \
        "one handle, two names: one organization, named as most of its papers spell it"


def test_only_organizations_with_enough_papers_are_listed_busiest_first(tmp_path: Path) -> None:
    catalog = catalog_of(tmp_path, org_snapshots())
    orgs = organizations(catalog, 5)
    assert [org.count for org in orgs.listed] == [6, 5, 5, 5, 5, 5, 5, 5]
    assert orgs.listed[0].name == "Qwen" and "Small Lab" not in {org.name for org in orgs.listed}
    small = next(paper for paper in catalog.papers.values() if paper.organization == "Small Lab")
    assert orgs.of(small) is None and organizations(catalog, 4).of(small) is not None
    assert [org.name for org in organizations(catalog, 6).listed] == ["Qwen"]
    assert organizations(catalog, 1).listed[-1].count == 4


def test_an_organizations_papers_are_newest_first(tmp_path: Path) -> None:
    catalog = catalog_of(tmp_path, org_snapshots())
    for org in organizations(catalog, 5).listed:
        seen = [catalog.papers[slug].first_seen for slug in org.papers]
        assert seen == sorted(seen, reverse=True) and len(set(seen)) > 1, org.name
        assert {catalog.papers[slug].organization is not None for slug in org.papers} == {True}


def test_slugs_are_safe_and_two_names_that_slug_alike_do_not_collide(tmp_path: Path) -> None:
    orgs = organizations(catalog_of(tmp_path, org_snapshots()), 5)
    slugs = [org.slug for org in orgs.every]
    assert len(slugs) == len(set(slugs)), "every organization has its own slug"
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) and len(slug) <= 80 for slug in slugs), slugs
    pair = sorted([by_name(orgs, "C++ Lab").slug, by_name(orgs, "C Lab").slug])
    assert pair[0] == "c-lab" and re.fullmatch(r"c-lab-[0-9a-f]{6}", pair[1]), pair
    assert re.fullmatch(r"org-[0-9a-f]{6}", by_name(orgs, "深度求索").slug), "no Latin letters: a made-up slug"
    assert by_name(orgs, HOSTILE_ORG).slug == "script-alert-org-script-lab-r-d"
    assert by_name(orgs, LONG_ORG).slug.startswith("institute-of-very-long-names-of")


def test_a_slug_stays_when_a_newer_organization_takes_the_same_one(tmp_path: Path) -> None:
    """A new day may bring an organization whose name slugs the same: the older one keeps its URL."""
    first = catalog_of(tmp_path / "a", {"2025-10-06.json": json.dumps(
        [org_item(1, {"name": "c-lab", "fullname": "C Lab"})])})
    later = catalog_of(tmp_path / "b", {
        "2025-10-06.json": json.dumps([org_item(1, {"name": "c-lab", "fullname": "C Lab"})]),
        "2025-10-07.json": json.dumps([org_item(2, {"name": "cpp", "fullname": "C++ Lab"})])})
    assert by_name(organizations(first, 1), "C Lab").slug == "c-lab"
    assert by_name(organizations(later, 1), "C Lab").slug == "c-lab"
    assert by_name(organizations(later, 1), "C++ Lab").slug != "c-lab"


def test_a_site_without_organizations_has_none(tmp_path: Path) -> None:
    orgs = organizations(catalog_of(tmp_path, {"2025-10-06.json": json.dumps([org_item(1, None)])}), 1)
    assert orgs.every == () and orgs.listed == () and orgs.since is None


def test_the_grouping_does_not_depend_on_the_order_of_the_papers(tmp_path: Path) -> None:
    """Slugs, names and members come out the same from the same papers, however the feed ordered each day."""
    snapshots = org_snapshots()
    shuffled = {name: json.dumps(list(reversed(json.loads(text))), ensure_ascii=False)
                for name, text in snapshots.items()}
    one = organizations(catalog_of(tmp_path / "a", snapshots), 5)
    other = organizations(catalog_of(tmp_path / "b", shuffled), 5)
    assert {(org.name, org.slug, frozenset(org.papers)) for org in one.every} == \
        {(org.name, org.slug, frozenset(org.papers)) for org in other.every}
