"""Is the feed moving? `digest fetch` tells a quiet day from an upstream that has stopped.

After a day is fetched (and saved, or not, by fetch.py's own rules), the snapshots on disk say:

- a weekend with no papers: none are expected;
- a weekday with no papers: a holiday, or the start of an outage;
- a day whose list holds no paper the previous snapshot did not: the feed did not move;
- a day with new papers: all is well.

The feed is stale when the weekdays since the last snapshot that brought a new paper reach
`fetch.stale_weekdays`: then `digest fetch` exits EXIT_STALE_FEED (so a scheduled run fails) and tells
notify.alerts. Weekends never count; a single holiday does not reach the default of 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from digest.errors import DigestError
from digest.inputs.snapshot import Snapshot
from digest.inputs.sources import find_snapshot_files, read_snapshot

EXIT_STALE_FEED = 3  # distinct from 1 (a delivery failed) and 2 (a mistake in the input)
_DATED = re.compile(r"(\d{4}-\d\d-\d\d)\.")
WEEKEND, HOLIDAY, UNCHANGED, NEW = "weekend", "holiday", "unchanged", "new"


@dataclass(frozen=True)
class Freshness:
    """What the snapshots say about `day` and about the feed."""

    day: date
    kind: str  # WEEKEND, HOLIDAY, UNCHANGED or NEW
    last_new: date | None  # the last snapshot that brought a new paper (None: no snapshot yet)
    quiet_weekdays: int  # weekdays after last_new up to `day`: how long the feed has not moved
    stale_after: int

    @property
    def stale(self) -> bool:
        return self.last_new is not None and self.quiet_weekdays >= self.stale_after

    def describe(self) -> str:
        """One line for the log of a fetch."""
        what = {
            WEEKEND: "a weekend, when the feed lists no papers; none expected",
            HOLIDAY: "a weekday without papers (a holiday?)",
            UNCHANGED: "the list holds no paper that the previous snapshot did not: the feed did not move",
            NEW: "new papers",
        }[self.kind]
        if self.kind == NEW or self.last_new is None:
            return f"feed on {self.day}: {what}"
        return (f"feed on {self.day}: {what}; {self.quiet_weekdays} of {self.stale_after} weekdays without new "
                f"papers since {self.last_new} (fetch.stale_weekdays)")

    def alarm(self) -> str:
        """The sentence for the error line and the alert."""
        return (f"The Daily Papers feed is stale: no new papers for {self.quiet_weekdays} weekdays, the last on "
                f"{self.last_new} (fetch.stale_weekdays is {self.stale_after}); check the API, or the fetch job")


def weekdays_between(after: date, until: date) -> int:
    """Monday-to-Friday days in (after, until]."""
    return sum(1 for offset in range(1, (until - after).days + 1) if (after + timedelta(days=offset)).weekday() < 5)


def judge_feed(snapshots_dir: Path, day: date, stale_after: int, today: date) -> Freshness:
    """How `day` and the feed look from the dated snapshots in `snapshots_dir` up to `day`."""
    dated = _dated_files(snapshots_dir, day)
    papers: dict[date, frozenset[str]] = {}
    last_new = None
    for index, (when, path) in enumerate(dated):  # newest first; usually two files are read
        papers.setdefault(when, _papers(path, today))
        previous = dated[index + 1] if index + 1 < len(dated) else None
        if previous is None or papers[when] - papers.setdefault(previous[0], _papers(previous[1], today)):
            last_new = when
            break
    kind = _kind(day, papers.get(day), last_new)
    quiet = weekdays_between(last_new, day) if last_new else 0
    return Freshness(day, kind, last_new, quiet, stale_after)


def _kind(day: date, listed: frozenset[str] | None, last_new: date | None) -> str:
    if listed is None:
        return WEEKEND if day.weekday() >= 5 else HOLIDAY
    return NEW if last_new == day else UNCHANGED


def _dated_files(snapshots_dir: Path, day: date) -> list[tuple[date, Path]]:
    """(date, file) of every snapshot named by its date, up to `day`, newest first."""
    found = []
    for path in find_snapshot_files(snapshots_dir) if snapshots_dir.is_dir() else []:
        match = _DATED.match(path.name)
        if match:
            try:
                when = date.fromisoformat(match.group(1))
            except ValueError:
                continue
            if when <= day:
                found.append((when, path))
    return sorted(found, reverse=True)


def _papers(path: Path, today: date) -> frozenset[str]:
    """A snapshot's papers by identity (arXiv id, else the title in lower case)."""
    try:
        snapshot: Snapshot = read_snapshot(path, today)
    except DigestError:
        return frozenset()  # `digest check` names a broken file; here it only cannot count as news
    return frozenset(entry.arxiv_id or entry.title.casefold() for entry in snapshot.entries)
