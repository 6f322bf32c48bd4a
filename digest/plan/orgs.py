"""The organizations' pages: /orgs/ lists those with enough papers, and each has its own, as a topic does.

Which papers make an organization, and its name and slug, come from digest/organizations.py; here they
become pages: the papers newest first as the topic pages' cards, paginated alike, a chart of papers per
month, and links to the organization's feeds (planned with the other feeds in plan/feeds.py). Every
organization's chart covers the same months, from the first paper the feed gave an organization (the
real feed has named them only since October 2025: charts from the site's first day would be mostly
empty months that say nothing about the organization) to the newest snapshot, so two charts compare.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import partial

from digest import urls
from digest.catalog import Catalog
from digest.inputs.config import SiteConfig
from digest.organizations import Organization, Organizations
from digest.plan.charts import BarChart, papers_chart
from digest.plan.feeds import org_feed
from digest.plan.pagination import paged_list
from digest.plan.references import Records
from digest.plan.spec import PageSpec


@dataclass(frozen=True)
class OrgLink:
    """An organization as its index and a paper page show it: its name, its page and how many papers."""

    name: str
    path: str
    count: int
    latest: date  # when the feed first showed its newest paper
    trend: BarChart | None = None  # a sparkline on the index


def org_link(org: Organization, catalog: Catalog) -> OrgLink:
    return OrgLink(org.name, urls.org(org.slug), org.count, catalog.papers[org.papers[0]].first_seen)


def plan_org_pages(catalog: Catalog, config: SiteConfig, cards: Mapping[str, object], orgs: Organizations,
                   records: Records) -> Iterator[PageSpec]:
    """Each listed organization's pages with their reference files, then the index, if any has a page. `cards` are
    the papers' cards by slug (plan/site.py)."""
    rows = []
    for org in orgs.listed:
        chart = org_chart(catalog, orgs, org, "org-chart")
        rows.append(replace(org_link(org, catalog), trend=chart and replace(chart, id=f"spark-{org.slug}")))
        context = {"org": org.name, "slug": org.slug,  # the slug: what following it stores (static/reader.js)
                   "feed": org_feed(org, config)}
        yield from paged_list(catalog, org.papers, config.papers_per_page, partial(urls.org, org.slug), "org.html",
                              context, cards, records, {"chart": chart})
    if rows:  # a site whose feed names no organization (text snapshots) gets no empty index
        yield PageSpec(urls.ORGS, "orgs.html", {"orgs": tuple(rows), "min_papers": orgs.min_papers,
                                                "since": orgs.since})


def org_chart(catalog: Catalog, orgs: Organizations, org: Organization, id: str) -> BarChart | None:
    """The organization's papers per month (per week in a short history) since the feed first named one."""
    if not catalog.days or orgs.since is None:
        return None
    days = [catalog.papers[slug].first_seen for slug in org.papers]
    return papers_chart(days, orgs.since, catalog.days[-1].date, id=id, subject=org.name)
