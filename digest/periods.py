"""Weeks and months of the catalog: which papers each period brought, best first.

A paper belongs to the one week and the one month in which the feed first showed it
(its first snapshot), so a period's papers are new to that period and the periods'
counts add up to the catalog's. Only periods with papers exist: weekends and empty
snapshots never make an empty week or month. The site's week and month pages
(plan/site.py) and the weekly email (mail/compose.py) both read these.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from digest.catalog import Catalog, Paper

PeriodKind = Literal["week", "month"]

_WEEK_KEY = re.compile(r"(\d{4})-W(\d{2})")


@dataclass(frozen=True)
class Period:
    """One ISO week ('2024-W47') or calendar month ('2024-11') and the papers first seen in it."""

    kind: PeriodKind
    key: str
    start: date
    end: date  # the last day, inclusive
    days: tuple[date, ...]  # its snapshot dates that brought new papers
    slugs: tuple[str, ...]  # most upvoted first when known, else most featured; then first seen

    @property
    def name(self) -> str:
        """'Week 47 of 2024' or 'November 2024'."""
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        year, week, _ = self.start.isocalendar()
        return f"Week {week} of {year}"

    @property
    def span(self) -> str:
        """The dates it covers, for a week: '18–24 November 2024', '30 December 2024 – 5 January 2025'."""
        start, end = self.start, self.end
        if start.year != end.year:
            return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"
        if start.month != end.month:
            return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
        return f"{start.day}–{end.day} {end:%B %Y}"


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def parse_week_key(text: str) -> date:
    """The Monday of an ISO week written 'YYYY-Www'; ValueError for anything else, a week 53 included
    when that year has none."""
    match = _WEEK_KEY.fullmatch(text.strip())
    if not match:
        raise ValueError(f"expected a week as YYYY-Www (for example 2024-W47), got '{text}'")
    year, week = int(match[1]), int(match[2])
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}: ISO weeks run from W01 to W52 or W53") from None
    return monday


def weeks(catalog: Catalog) -> tuple[Period, ...]:
    """Every week with new papers, oldest first."""
    return _periods(catalog, "week")


def months(catalog: Catalog) -> tuple[Period, ...]:
    """Every month with new papers, oldest first."""
    return _periods(catalog, "month")


def _periods(catalog: Catalog, kind: PeriodKind) -> tuple[Period, ...]:
    key_of = week_key if kind == "week" else month_key
    days: dict[str, list[date]] = {}
    slugs: dict[str, list[str]] = {}
    for day in catalog.days:
        if day.new:
            key = key_of(day.date)
            days.setdefault(key, []).append(day.date)
            slugs.setdefault(key, []).extend(day.new)
    position = {slug: index for index, slug in enumerate(catalog.papers)}
    return tuple(
        Period(kind, key, *_bounds(kind, dates[0]), tuple(dates), rank(catalog.papers, slugs[key], position))
        for key, dates in days.items()
    )


def _bounds(kind: PeriodKind, day: date) -> tuple[date, date]:
    if kind == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after - timedelta(days=1)


def rank(papers: Mapping[str, Paper], slugs: Sequence[str], position: Mapping[str, int]) -> tuple[str, ...]:
    """Most upvoted first (papers without a count after those with one), then most featured (days in the
    feed), then first seen, then the catalog's order: the same papers always rank the same way."""

    def key(slug: str) -> tuple[bool, int, int, int, int]:
        paper = papers[slug]
        votes = paper.upvotes
        return (votes is None, -(votes or 0), -len(paper.appearances), paper.first_seen.toordinal(),
                position[slug])

    return tuple(sorted(slugs, key=key))
