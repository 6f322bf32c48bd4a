"""The catalog: every paper, topic and snapshot day, merged across snapshots.

This is the one place that knows how snapshots combine. Everything after it
(pages, search, feeds, email) reads the finished, immutable `Catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digest.inputs.snapshot import Snapshot
from digest.inputs.topics import Taxonomy, Topic
from digest.text import MAX_SLUG_LENGTH, code_link, find_links, normalize_title, short_hash, slugify


@dataclass(frozen=True)
class Paper:
    slug: str
    title: str
    abstract: str
    links: tuple[str, ...]
    code_url: str | None
    topics: tuple[str, ...]
    appearances: tuple[date, ...]

    @property
    def first_seen(self) -> date:
        return self.appearances[0]

    @property
    def last_seen(self) -> date:
        return self.appearances[-1]


@dataclass(frozen=True)
class SnapshotDay:
    """One snapshot date: which papers were new that day and which came back."""

    date: date
    source: Path
    new: tuple[str, ...]
    returning: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.new) + len(self.returning)


@dataclass(frozen=True)
class Catalog:
    papers: Mapping[str, Paper]
    topics: tuple[Topic, ...]
    days: tuple[SnapshotDay, ...]
    papers_by_topic: Mapping[str, tuple[str, ...]]
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def latest(self) -> SnapshotDay | None:
        return self.days[-1] if self.days else None

    def day(self, when: date) -> SnapshotDay | None:
        return next((day for day in self.days if day.date == when), None)


@dataclass
class _Draft:
    """A paper while snapshots are still being merged into it."""

    key: str
    slug: str
    title: str
    abstract: str
    appearances: list[date]


def build_catalog(snapshots: Sequence[Snapshot], taxonomy: Taxonomy) -> Catalog:
    ordered = sorted(snapshots, key=lambda snapshot: snapshot.date)
    drafts: dict[str, _Draft] = {}
    slugs: set[str] = set()
    days: list[SnapshotDay] = []
    warnings: list[str] = []
    for snapshot in ordered:
        new: list[str] = []
        returning: list[str] = []
        for entry in snapshot.entries:
            key = normalize_title(entry.title) or entry.title
            draft = drafts.get(key)
            if draft is None:
                draft = _Draft(key, _unique_slug(entry.title, key, slugs), entry.title, entry.abstract, [])
                drafts[key] = draft
            elif draft.appearances and draft.appearances[-1] == snapshot.date:
                warnings.append(f"{snapshot.path}:{entry.line}: '{entry.title}' appears twice in this snapshot; "
                                "the first copy is kept")
                continue
            else:
                draft.title, draft.abstract = entry.title, entry.abstract  # the newest text wins
            (returning if draft.appearances else new).append(draft.slug)
            draft.appearances.append(snapshot.date)
        days.append(SnapshotDay(snapshot.date, snapshot.path, tuple(new), tuple(returning)))
    papers = {draft.slug: _finish(draft, taxonomy) for draft in drafts.values()}
    return Catalog(
        papers=papers,
        topics=taxonomy.topics,
        days=tuple(days),
        papers_by_topic=_group_by_topic(papers, taxonomy.topics),
        warnings=tuple(warnings),
    )


def _unique_slug(title: str, key: str, taken: set[str]) -> str:
    """The title's slug; on a collision, a suffix from the title itself, so it never depends on order."""
    base = slugify(title) or "paper"
    slug = base
    if slug in taken:
        suffix = short_hash(key)
        slug = f"{base[: MAX_SLUG_LENGTH - len(suffix) - 1].rstrip('-')}-{suffix}"
        counter = 2
        while slug in taken:
            slug = f"{base[: MAX_SLUG_LENGTH - len(suffix) - 4].rstrip('-')}-{suffix}-{counter}"
            counter += 1
    taken.add(slug)
    return slug


def _finish(draft: _Draft, taxonomy: Taxonomy) -> Paper:
    links = tuple(dict.fromkeys(find_links(draft.abstract)))
    return Paper(
        slug=draft.slug,
        title=draft.title,
        abstract=draft.abstract,
        links=links,
        code_url=code_link(list(links)),
        topics=taxonomy.classify(draft.title, draft.abstract),
        appearances=tuple(draft.appearances),
    )


def _group_by_topic(papers: Mapping[str, Paper], topics: tuple[Topic, ...]) -> dict[str, tuple[str, ...]]:
    """Paper slugs per topic, newest first-seen date first; ties keep snapshot order."""
    grouped: dict[str, list[str]] = {topic.slug: [] for topic in topics}
    position = {slug: index for index, slug in enumerate(papers)}
    for slug in sorted(papers, key=lambda s: (-papers[s].first_seen.toordinal(), position[s])):
        for topic_slug in papers[slug].topics:
            grouped[topic_slug].append(slug)
    return {slug: tuple(members) for slug, members in grouped.items()}
