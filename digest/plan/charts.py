"""The geometry of the site's bar charts, worked out at build time (templates/partials/chart.html draws it).

A chart is a series (one value per period, oldest first) turned into a frozen `BarChart` of plain
strings and numbers: the page context stays comparable, so an unchanged chart skips re-rendering,
and the template only places what is here. No JavaScript, no SVG markup built in Python.

- Periods are calendar months, or Monday-to-Sunday weeks when the history is shorter than
  `SHORT_HISTORY_DAYS` (a few months make too few bars), or days for the papers-per-day chart.
- Every period inside the range is a bar: a month without papers is a bar of height 0, never a
  gap closed over. A value of None means "nothing to measure" (a week without a snapshot, a share
  of no papers): no bar, and the table says so.
- Bars are `SLOT` units apart in a viewBox `VIEW_HEIGHT` tall; the template stretches it to the
  page's width (so it is sharp at any size) and puts the labels in HTML beside it, where text
  keeps its size. Heights are value / top × VIEW_HEIGHT, with `top` a round number at or above
  the largest value; numbers are written with fixed precision, so a build is byte-for-byte repeatable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from digest.catalog import Catalog
from digest.taxonomy import Topic

Unit = Literal["day", "week", "month"]

SHORT_HISTORY_DAYS = 92  # a history shorter than this (about three months) is charted by week
VIEW_HEIGHT = 100
SLOT = 10  # viewBox units per period
GAP = 2  # between two bars, in viewBox units


@dataclass(frozen=True)
class Bucket:
    """One period: its first day, a short label for an axis and a name for sentences and tables."""

    start: date
    label: str  # 'Mar 2025', '17 Mar 2025'
    name: str  # 'March 2025', 'week of 17 March 2025'


@dataclass(frozen=True)
class Series:
    unit: Unit
    buckets: tuple[Bucket, ...]
    values: tuple[float | None, ...]  # None: nothing to measure in that period


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label: str  # 'March 2025: 12 papers', shown on hover


@dataclass(frozen=True)
class Row:
    """One line of the chart's table."""

    name: str
    value: str


@dataclass(frozen=True)
class BarChart:
    """What the chart macro draws. `id` must be unique within its page (it names the title and desc)."""

    id: str
    width: int  # of the viewBox; its height is VIEW_HEIGHT
    height: int
    bars: tuple[Bar, ...]  # one per period, zero-height ones included
    top: str  # the value of the top grid line, written as the summary writes values
    first: str  # the first period's label, under the left edge
    last: str  # the last period's, under the right edge
    span: str  # 'May 2024 to April 2026'
    title: str
    desc: str
    summary: str  # one visible sentence: the chart's point in words
    rows: tuple[Row, ...]  # every period and its value: the chart as a table
    unit: Unit

    @property
    def path(self) -> str:
        """Every bar as one SVG path ('M1 100V40h8V100Z…'): a sparkline's bars in a fraction of the bytes."""
        return "".join(f"M{bar.x} {self.height}V{bar.y}h{bar.width}V{self.height}Z"
                       for bar in self.bars if bar.height != "0")


def unit_for(start: date, end: date) -> Unit:
    """Months, or weeks for a history too short to make more than two or three months."""
    return "week" if (end - start).days < SHORT_HISTORY_DAYS else "month"


def buckets(start: date, end: date, unit: Unit) -> tuple[Bucket, ...]:
    """Every period from the one holding `start` to the one holding `end`, none skipped. A period the
    history covers only in part says so in its name ('April 2026, to the 15th'): its bar is short for that."""
    found = []
    current = period_start(start, unit)
    while current <= end:
        following = _next(current, unit)
        bucket = _bucket(current, unit)
        if current < start:
            bucket = replace(bucket, name=f"{bucket.name}, from the {_ordinal(start.day)}")
        if following - timedelta(days=1) > end:
            bucket = replace(bucket, name=f"{bucket.name}, to the {_ordinal(end.day)}")
        found.append(bucket)
        current = following
    return tuple(found)


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def period_start(day: date, unit: Unit) -> date:
    """The first day of the period holding `day`: itself, its week's Monday or its month's 1st."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if unit == "month" else day


def _next(start: date, unit: Unit) -> date:
    if unit == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7 if unit == "week" else 1)


def _bucket(start: date, unit: Unit) -> Bucket:
    if unit == "month":
        return Bucket(start, f"{start:%b %Y}", f"{start:%B %Y}")
    name = f"{start.day} {start:%B %Y}"
    return Bucket(start, f"{start.day} {start:%b %Y}", f"week of {name}" if unit == "week" else name)


def count_series(days: Iterable[date], start: date, end: date, unit: Unit | None = None) -> Series:
    """How many of `days` fall in each period from `start` to `end` (zero where none do)."""
    unit = unit or unit_for(start, end)
    found = buckets(start, end, unit)
    counts = dict.fromkeys((bucket.start for bucket in found), 0)
    for day in days:
        key = period_start(day, unit)
        if key in counts:
            counts[key] += 1
    return Series(unit, found, tuple(float(counts[bucket.start]) for bucket in found))


def nice_top(value: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) at or above `value`, 1 for
    nothing: a top grid line a reader can read, close above the tallest bar."""
    if value <= 0:
        return 1.0
    scale = 1.0
    while scale * 10 < value:
        scale *= 10
    while scale > value:
        scale /= 10
    return next(step * scale for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if step * scale >= value)


def number(value: float, places: int = 2) -> str:
    """A coordinate written the same way on every build: fixed places, trailing zeros dropped."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def papers(value: float | None) -> str:
    """A count of papers, as the charts' sentences and tables write it."""
    return "none" if value is None else f"{value:,.0f} paper{'' if value == 1 else 's'}"


def count(value: float | None) -> str:
    """A count for a table cell, where the column says what it counts."""
    return "–" if value is None else f"{value:,.0f}"


def bar_chart(series: Series, *, id: str, title: str, summary: str, show: Callable[[float | None], str] = papers,
              cell: Callable[[float | None], str] = count, axis: Callable[[float], str] = papers,
              top: float | None = None) -> BarChart:
    """The bars of `series`, heights in proportion to the values against `top` (by default a round number
    at or above the largest value). `show` writes a bar's value in words, `cell` in the table, `axis` the
    top line's."""
    values = [value for value in series.values if value is not None]
    top = top or nice_top(max(values, default=0))
    bars = tuple(_bar(index, value, top, f"{bucket.name}: {show(value)}")
                 for index, (bucket, value) in enumerate(zip(series.buckets, series.values, strict=True)))
    first, last = series.buckets[0], series.buckets[-1]
    span = f"{_bucket(first.start, series.unit).name} to {_bucket(last.start, series.unit).name}"
    return BarChart(
        id=id, width=len(bars) * SLOT, height=VIEW_HEIGHT, bars=bars, top=axis(top),
        first=first.label, last=last.label, span=span, title=title,
        desc=f"One bar per {series.unit}, {span}. {summary}", summary=summary,
        rows=tuple(Row(bucket.name, cell(value)) for bucket, value in zip(series.buckets, series.values, strict=True)),
        unit=series.unit)


def _bar(index: int, value: float | None, top: float, label: str) -> Bar:
    height = 0.0 if value is None else value / top * VIEW_HEIGHT
    return Bar(x=number(index * SLOT + GAP / 2), y=number(VIEW_HEIGHT - height), width=number(SLOT - GAP),
               height=number(height), label=label)


def count_summary(series: Series) -> str:
    """'126 papers, the most in October 2025 (80); 6 of 8 months without any.'"""
    total = sum(value or 0 for value in series.values)
    if not total:
        return f"No papers from {series.buckets[0].name} to {series.buckets[-1].name}."
    peak = max(range(len(series.values)), key=lambda index: (series.values[index] or 0, index))
    text = f"{papers(total)}, the most in {series.buckets[peak].name} ({series.values[peak]:,.0f})"
    empty = sum(1 for value in series.values if not value)
    if empty:
        text += f"; {empty} of {len(series.values)} {series.unit}s without any"
    return text + "."


def papers_chart(days: Sequence[date], start: date, end: date, *, id: str, subject: str) -> BarChart:
    """Papers per month (or week) by the date the feed first showed each: a topic's page and sparkline."""
    series = count_series(days, start, end)
    return bar_chart(series, id=id, title=f"{subject}: papers per {series.unit}", summary=count_summary(series))


def topic_chart(catalog: Catalog, topic: Topic, id: str) -> BarChart | None:
    """A topic's papers per month over the site's whole history (the same periods for every topic, so two
    topics' charts compare); None before the first snapshot."""
    if not catalog.days:
        return None
    days = [catalog.papers[slug].first_seen for slug in catalog.papers_by_topic[topic.slug]]
    return papers_chart(days, catalog.days[0].date, catalog.days[-1].date, id=id, subject=topic.name)
