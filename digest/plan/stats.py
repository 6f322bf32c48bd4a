"""The /stats/ page: how the feed moves. Papers per day, the topics growing and shrinking, papers with code.

Every number is counted here from the catalog; the template (templates/stats.html) only places them.
A paper counts on the day the feed first showed it (`Paper.first_seen`), as everywhere on the site.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from digest import urls
from digest.catalog import Catalog, Paper
from digest.plan.charts import BarChart, Series, bar_chart, buckets, number, papers, period_start, unit_for
from digest.plan.spec import PageSpec
from digest.taxonomy import OTHER_SLUG

WINDOW_MONTHS = 3  # growth compares the last three months with the three before
START_GRACE = timedelta(days=7)  # the history may begin this long after the earlier window does (weekends, holidays)
MIN_PAPERS = 10  # a topic with fewer papers in the two windows together is too small to call a trend
PSEUDO_COUNT = 5  # added to both windows when ranking, so 1 → 3 papers does not outrank 200 → 300
LISTED = 5  # topics listed as growing, and as shrinking
PERCENT = "\u00a0%"  # after a number, with a no-break space: a line never starts with the sign


@dataclass(frozen=True)
class TopicChange:
    """A topic's papers in the earlier and the later window; the bars' widths are percentages of the widest."""

    name: str
    path: str
    before: int
    after: int
    change: str  # '+65 %', '−30 %', 'new'
    before_width: str
    after_width: str


@dataclass(frozen=True)
class Growth:
    """The two windows compared and what changed; `note` says why nothing is ranked, when nothing is."""

    before_span: str
    after_span: str
    before_total: int = 0
    after_total: int = 0
    total_change: str = ""
    growing: tuple[TopicChange, ...] = ()
    shrinking: tuple[TopicChange, ...] = ()
    too_small: int = 0  # topics left out for having fewer than MIN_PAPERS
    note: str = ""


@dataclass(frozen=True)
class CodeShare:
    papers: int
    with_code: int
    percent: str  # '32'


def plan_stats(catalog: Catalog) -> PageSpec:
    context: dict[str, object] = {"paper_count": len(catalog.papers), "day_count": len(catalog.days)}
    if catalog.days:
        start, end = catalog.days[0].date, catalog.days[-1].date
        context.update(first=start, last=end, per_day=per_day_chart(catalog), growth=topic_growth(catalog),
                       code=code_share(catalog.papers.values()), code_chart=code_chart(catalog, start, end))
    return PageSpec(urls.STATS, "stats.html", context)


# --- Papers per day ----------------------------------------------------------------------------------------------

def per_day_chart(catalog: Catalog) -> BarChart:
    """New papers per snapshot day: a bar a day for a short history, else each week's average per day.

    Only snapshots with papers count as days (an empty one is a weekend or a holiday: no feed). A day or
    week without one has no bar; the table says 'no papers'.
    """
    start, end = catalog.days[0].date, catalog.days[-1].date
    unit = "day" if unit_for(start, end) == "week" else "week"
    periods = buckets(start, end, unit)
    new: dict[date, list[int]] = {bucket.start: [] for bucket in periods}
    for day in catalog.days:
        if day.count:
            new[period_start(day.date, unit)].append(len(day.new))
    values = tuple(sum(counts) / len(counts) if counts else None for counts in new.values())
    series = Series(unit, periods, values)
    days = [count for counts in new.values() for count in counts]
    busiest = max((day for day in catalog.days if day.count), key=lambda day: len(day.new), default=None)
    summary = (f"{sum(days):,} papers over {len(days):,} days with a snapshot: {_one_place(sum(days) / len(days))} "
               "new a day on average" if days else "No snapshot has papers yet")
    if busiest is not None:
        summary += f", the most on {busiest.date.day} {busiest.date:%B %Y} ({len(busiest.new):,})"
    what = "New papers per snapshot day" if unit == "day" else "New papers per snapshot day, each week's average"
    return bar_chart(series, id="per-day", title=what, summary=summary + ".",
                     show=_per_day if unit == "week" else _day_count,
                     cell=_per_day if unit == "week" else _day_cell, axis=_a_day if unit == "week" else papers)


def _one_place(value: float) -> str:
    return f"{value:,.1f}"


def _per_day(value: float | None) -> str:
    return "no papers" if value is None else f"{_one_place(value)} a day"


def _a_day(value: float) -> str:
    return f"{number(value, 1)} a day"


def _day_cell(value: float | None) -> str:
    return "no papers" if value is None else f"{value:,.0f}"


def _day_count(value: float | None) -> str:
    return "no papers" if value is None else papers(value)


# --- Topics growing and shrinking ----------------------------------------------------------------------------------

def topic_growth(catalog: Catalog) -> Growth:
    """Papers first seen in the last three months (to the newest snapshot) against the three before, per topic.

    Ranked by (after + 5) / (before + 5), among topics with at least MIN_PAPERS in the two windows: a
    pseudo-count keeps a topic going from 1 paper to 3 from topping the list. Nothing is ranked unless the
    history covers both windows and both have papers.
    """
    end = catalog.days[-1].date
    middle, start = months_before(end, WINDOW_MONTHS), months_before(end, 2 * WINDOW_MONTHS)
    spans = {"before_span": _span(start + timedelta(days=1), middle),
             "after_span": _span(middle + timedelta(days=1), end)}
    if catalog.days[0].date > start + START_GRACE:
        return Growth(**spans, note=f"Comparing needs snapshots from the last {2 * WINDOW_MONTHS} months; "
                                    f"the first is from {_day(catalog.days[0].date)}.")
    before, after = _window(catalog.papers.values(), start, middle), _window(catalog.papers.values(), middle, end)
    if not before or not after:
        return Growth(**spans, note="No papers in one of the two windows: nothing to compare.")
    changes = [_change(catalog, slug, before, after) for slug in catalog.papers_by_topic if slug != OTHER_SLUG]
    ranked = [item for item in changes if item[1] + item[2] >= MIN_PAPERS]
    growing = sorted((item for item in ranked if item[3] > 1), key=lambda item: (-item[3], item[0]))[:LISTED]
    shrinking = sorted((item for item in ranked if item[3] < 1), key=lambda item: (item[3], item[0]))[:LISTED]
    widest = max((max(item[1], item[2]) for item in (*growing, *shrinking)), default=1)
    return Growth(**spans, before_total=len(before), after_total=len(after),
                  total_change=_percent_change(len(before), len(after)),
                  growing=tuple(_row(catalog, item, widest) for item in growing),
                  shrinking=tuple(_row(catalog, item, widest) for item in shrinking),
                  too_small=len(changes) - len(ranked))


def months_before(day: date, count: int) -> date:
    """The same day `count` months earlier, or that month's last day when it is shorter (31 May → 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - count, 12)
    first = date(year, month + 1, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first.replace(day=min(day.day, last.day))


def _window(all_papers: Collection[Paper], after: date, until: date) -> set[str]:
    """The papers first seen after `after`, up to and including `until`."""
    return {paper.slug for paper in all_papers if after < paper.first_seen <= until}


def _change(catalog: Catalog, topic: str, before: set[str], after: set[str]) -> tuple[str, int, int, float]:
    members = catalog.papers_by_topic[topic]
    old, new = sum(1 for slug in members if slug in before), sum(1 for slug in members if slug in after)
    return topic, old, new, (new + PSEUDO_COUNT) / (old + PSEUDO_COUNT)


def _row(catalog: Catalog, item: tuple[str, int, int, float], widest: int) -> TopicChange:
    slug, old, new, _ = item
    name = next(topic.name for topic in catalog.topics if topic.slug == slug)
    return TopicChange(name, urls.topic(slug), old, new, _percent_change(old, new),
                       number(old / widest * 100, 1), number(new / widest * 100, 1))


def _percent_change(old: int, new: int) -> str:
    if not old:
        return "new"
    change = round((new - old) / old * 100)
    return f"±0{PERCENT}" if change == 0 else f"{'+' if change > 0 else '−'}{abs(change)}{PERCENT}"


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _span(first: date, last: date) -> str:
    """'1 February – 30 April 2026', '1 November 2025 – 31 January 2026'."""
    return f"{first.day} {first:%B}{'' if first.year == last.year else f' {first.year}'} – {_day(last)}"


# --- Papers with code ------------------------------------------------------------------------------------------

def code_share(all_papers: Collection[Paper]) -> CodeShare:
    with_code = sum(1 for paper in all_papers if paper.code_url)
    return CodeShare(len(all_papers), with_code, f"{with_code / len(all_papers) * 100:.0f}" if all_papers else "0")


def code_chart(catalog: Catalog, start: date, end: date) -> BarChart:
    """Each month's (or week's) share of new papers with a code link; a period without papers has no bar."""
    unit = unit_for(start, end)
    periods = buckets(start, end, unit)
    counts: dict[date, list[int]] = {bucket.start: [0, 0] for bucket in periods}
    for paper in catalog.papers.values():
        tally = counts[period_start(paper.first_seen, unit)]
        tally[0] += 1
        tally[1] += bool(paper.code_url)
    values = tuple(with_code / total * 100 if total else None for total, with_code in counts.values())
    series = Series(unit, periods, values)
    shares = [value for value in values if value is not None]
    summary = (f"Between {min(shares):.0f}{PERCENT} and {max(shares):.0f}{PERCENT} of each {unit}'s new papers "
               f"link to code; {_last_share(series)}")
    return bar_chart(series, id="code-share", title=f"Share of new papers with code, per {unit}", summary=summary,
                     show=_share, cell=_share, axis=lambda value: f"{value:.0f}{PERCENT}")


def _last_share(series: Series) -> str:
    index = max(index for index, value in enumerate(series.values) if value is not None)
    return f"{series.buckets[index].name}: {series.values[index]:.0f}{PERCENT}."


def _share(value: float | None) -> str:
    return "no papers" if value is None else f"{value:.0f}{PERCENT}"

