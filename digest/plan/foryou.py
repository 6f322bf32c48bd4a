"""The curator's picks as pages: a "For you" block on the home page and each day's page, /for-you/ (the last
`FOR_YOU_DAYS` days), and its Atom and JSON feeds (planned with the others in plan/feeds.py).

Which papers are picked, and why, is digest/relevance/'s; here the picks become plain, comparable context data
(cards with their reasons), so a page renders again only when its picks change. Without an interests file
none of this exists and no page's context changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from digest import urls
from digest.catalog import Catalog, SnapshotDay
from digest.inputs.config import SiteConfig
from digest.plan.references import Records, list_exports
from digest.plan.spec import PageSpec
from digest.relevance import Pick, Reason, Relevance

FOR_YOU_DAYS = 30  # the /for-you/ page and its feeds: the picks first seen in the newest 30 days of snapshots


@dataclass(frozen=True)
class PickedCard:
    """A picked paper as a list shows it: its card (plan/site.py's PaperCard) and the reasons in words."""

    card: object  # PaperCard (plan/site.py imports this module)
    reasons: tuple[Reason, ...]
    score: float


@dataclass(frozen=True)
class PickedDay:
    date: date
    path: str  # the day's page
    picks: tuple[PickedCard, ...]


def picked_cards(picks: Sequence[Pick], cards: Mapping[str, object]) -> tuple[PickedCard, ...]:
    return tuple(PickedCard(cards[pick.slug], pick.reasons, pick.score) for pick in picks)


def day_block(day: SnapshotDay, relevance: Relevance, cards: Mapping[str, object]) -> tuple[PickedCard, ...]:
    """A day's "For you" block: its new papers at or above the threshold, most relevant first."""
    return picked_cards(relevance.picks(day.by_upvotes(day.new)), cards)


def recent_days(catalog: Catalog) -> list[SnapshotDay]:
    """The snapshot days /for-you/ covers: the newest `FOR_YOU_DAYS` days of the calendar, newest first."""
    if not catalog.days:
        return []
    since = catalog.days[-1].date - timedelta(days=FOR_YOU_DAYS - 1)
    return [day for day in reversed(catalog.days) if day.date >= since]


def plan_for_you_page(catalog: Catalog, relevance: Relevance, cards: Mapping[str, object], feed: object,
                      records: Records) -> Iterator[PageSpec]:
    """/for-you/: the picks of the last days, a section per day (newest first), most relevant first within it;
    with its reference files."""
    days = tuple(PickedDay(day.date, urls.snapshot(day.date), block) for day in recent_days(catalog)
                 if (block := day_block(day, relevance, cards)))
    papers = [catalog.papers[pick.slug] for day in recent_days(catalog)
              for pick in relevance.picks(day.by_upvotes(day.new))]
    exports, files = list_exports(papers, urls.FOR_YOU, records)
    yield from files
    yield PageSpec(urls.FOR_YOU, "for-you.html", {
        "days": days, "count": sum(len(day.picks) for day in days), "span": FOR_YOU_DAYS, "feed": feed,
        "threshold": relevance.threshold, "exports": exports})


def recent_picks(catalog: Catalog, relevance: Relevance, config: SiteConfig) -> list[Pick]:
    """What the For-you feeds hold: the last days' picks, newest day first, most relevant first within a day."""
    picks = [pick for day in recent_days(catalog) for pick in relevance.picks(day.by_upvotes(day.new))]
    return picks[: config.feed_size]
