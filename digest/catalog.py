"""The catalog: every paper, topic and snapshot day, merged across snapshots.

This is the one place that knows how snapshots combine: a paper is its arXiv id
when a snapshot gives one (whatever its title or version), else its normalised
title, and a text-snapshot paper joins the paper with an id that has its title.
Everything after it (pages, search, feeds, email) reads the finished, immutable
`Catalog`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digest.inputs.snapshot import Snapshot, SnapshotEntry
from digest.memo import Memo
from digest.taxonomy import ClassifiedMemo, TaskRunner, Taxonomy, Topic
from digest.text import MAX_SLUG_LENGTH, code_link, find_links, normalize_title, short_hash, slugify


@dataclass(frozen=True)
class Paper:
    """One paper across every snapshot it appeared in. Fields a snapshot did not give are None or empty.

    Text and metadata come from the newest snapshot that has them: upvotes and comments are as of
    `counts_date`. `code_url` is the feed's GitHub repository (with `code_stars`), else a code link
    found in the abstract; `links` are the http(s) links in the abstract.
    """

    slug: str
    title: str
    abstract: str
    links: tuple[str, ...]
    code_url: str | None
    topics: tuple[str, ...]
    appearances: tuple[date, ...]
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    upvotes: int | None = None
    comments: int | None = None
    counts_date: date | None = None
    code_stars: int | None = None
    project_page: str | None = None
    keywords: tuple[str, ...] = ()
    ai_summary: str = ""
    organization: str | None = None
    organization_handle: str | None = None

    @property
    def first_seen(self) -> date:
        return self.appearances[0]

    @property
    def last_seen(self) -> date:
        return self.appearances[-1]


@dataclass(frozen=True)
class SnapshotDay:
    """One snapshot date: which papers were new that day and which came back, in the feed's order."""

    date: date
    source: Path
    new: tuple[str, ...]
    returning: tuple[str, ...]
    upvotes: tuple[tuple[str, int], ...] = ()  # (slug, upvotes that day) for the papers the snapshot counted

    @property
    def count(self) -> int:
        return len(self.new) + len(self.returning)

    def by_upvotes(self, slugs: Sequence[str]) -> tuple[str, ...]:
        """`slugs` with the most upvoted that day first; the feed's order among equals and uncounted papers."""
        votes = dict(self.upvotes)
        return tuple(sorted(slugs, key=lambda slug: -votes.get(slug, -1)))


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
    """A paper while snapshots are still being merged into it: the newest known value of each field."""

    slug: str
    title: str
    abstract: str
    appearances: list[date] = field(default_factory=list)
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    upvotes: int | None = None
    comments: int | None = None
    counts_date: date | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    keywords: tuple[str, ...] = ()
    ai_summary: str = ""
    organization: str | None = None
    organization_handle: str | None = None

    def update(self, entry: SnapshotEntry, when: date) -> None:
        """Take what `entry` (from the snapshot of `when`, newer than any before) knows."""
        self.title, self.abstract = entry.title, entry.abstract
        self.arxiv_id = entry.arxiv_id or self.arxiv_id
        self.authors = entry.authors or self.authors
        self.published = entry.published or self.published
        if entry.upvotes is not None or entry.comments is not None:
            self.upvotes, self.comments, self.counts_date = entry.upvotes, entry.comments, when
        if entry.github_repo:
            self.github_repo, self.github_stars = entry.github_repo, entry.github_stars
        self.project_page = entry.project_page or self.project_page
        self.keywords = entry.ai_keywords or self.keywords
        self.ai_summary = entry.ai_summary or self.ai_summary
        if entry.organization:
            self.organization, self.organization_handle = entry.organization, entry.organization_handle


class _Identities:
    """Which draft an entry belongs to: its arXiv id if it has one, else its normalised title.

    A paper known only by title (from a text snapshot) takes the id of the first entry with the same
    title and an id; every title a paper has had keeps leading to it, so a renamed paper does not split.
    """

    def __init__(self) -> None:
        self.by_id: dict[str, _Draft] = {}
        self.by_title: dict[str, _Draft] = {}

    def find(self, entry: SnapshotEntry) -> _Draft | None:
        keys = _title_keys(entry)
        if entry.arxiv_id is not None:
            if entry.arxiv_id in self.by_id:
                return self.by_id[entry.arxiv_id]
            return next((draft for key in keys if (draft := self.by_title.get(key)) and draft.arxiv_id is None), None)
        return next((draft for key in keys if (draft := self.by_title.get(key))), None)

    def remember(self, entry: SnapshotEntry, draft: _Draft) -> None:
        if entry.arxiv_id is not None:
            self.by_id.setdefault(entry.arxiv_id, draft)
        for key in _title_keys(entry):
            self.by_title.setdefault(key, draft)


def _title_keys(entry: SnapshotEntry) -> list[str]:
    return [normalize_title(title) or title for title in (entry.title, *entry.alternate_titles)]


@dataclass
class CatalogCache:
    """A preview's last catalog with what it was built from (unchanged snapshots and taxonomy reuse it whole), and
    each paper text's topics (`Taxonomy.classify_all`'s memo) for the next catalog."""

    last: tuple[tuple[Snapshot, ...], Taxonomy, Catalog] | None = None
    classified: ClassifiedMemo = field(default_factory=Memo)


def build_catalog(snapshots: Sequence[Snapshot], taxonomy: Taxonomy, run_tasks: TaskRunner | None = None,
                  cache: CatalogCache | None = None) -> Catalog:
    """Merge the snapshots, oldest first, into papers; `run_tasks` lets classification use every core, and
    `cache` (a preview's) holds the last catalog and the topics found in earlier builds."""
    snapshots = tuple(snapshots)
    if cache is not None and cache.last is not None and cache.last[:2] == (snapshots, taxonomy):
        return cache.last[2]
    if cache is not None:
        cache.classified.next_build()  # the catalog is built again: keep the topics this build asks for
    catalog = _merge(snapshots, taxonomy, run_tasks, cache.classified if cache is not None else None)
    if cache is not None:
        cache.last = (snapshots, taxonomy, catalog)
    return catalog


def _merge(snapshots: Sequence[Snapshot], taxonomy: Taxonomy, run_tasks: TaskRunner | None,
           classified: ClassifiedMemo | None) -> Catalog:
    ordered = sorted(snapshots, key=lambda snapshot: snapshot.date)
    identities = _Identities()
    drafts: list[_Draft] = []
    slugs: set[str] = set()
    days: list[SnapshotDay] = []
    warnings: list[str] = []
    for snapshot in ordered:
        new: list[str] = []
        returning: list[str] = []
        upvotes: list[tuple[str, int]] = []
        for entry in snapshot.entries:
            draft = identities.find(entry)
            if draft is None:
                draft = _Draft(_unique_slug(entry.title, _title_keys(entry)[0], slugs), entry.title, entry.abstract)
                drafts.append(draft)
            elif draft.appearances and draft.appearances[-1] == snapshot.date:
                warnings.append(f"{snapshot.path}:{entry.line}: '{entry.title}' appears twice in this snapshot; "
                                "the first copy is kept")
                continue
            identities.remember(entry, draft)
            draft.update(entry, snapshot.date)
            (returning if draft.appearances else new).append(draft.slug)
            draft.appearances.append(snapshot.date)
            if entry.upvotes is not None:
                upvotes.append((draft.slug, entry.upvotes))
        days.append(SnapshotDay(snapshot.date, snapshot.path, tuple(new), tuple(returning), tuple(upvotes)))
    texts = [(draft.title, draft.abstract, draft.keywords) for draft in drafts]
    topics = taxonomy.classify_all(texts, run_tasks, classified)
    papers = {draft.slug: _finish(draft, paper_topics) for draft, paper_topics in zip(drafts, topics, strict=True)}
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


def _finish(draft: _Draft, topics: tuple[str, ...]) -> Paper:
    links = find_links(draft.abstract)
    code_url = draft.github_repo or code_link(links)
    return Paper(
        slug=draft.slug,
        title=draft.title,
        abstract=draft.abstract,
        links=links,
        code_url=code_url,
        topics=topics,
        appearances=tuple(draft.appearances),
        arxiv_id=draft.arxiv_id,
        authors=draft.authors,
        published=draft.published,
        upvotes=draft.upvotes,
        comments=draft.comments,
        counts_date=draft.counts_date,
        code_stars=draft.github_stars if draft.github_repo else None,
        project_page=draft.project_page,
        keywords=draft.keywords,
        ai_summary=draft.ai_summary,
        organization=draft.organization,
        organization_handle=draft.organization_handle,
    )


def _group_by_topic(papers: Mapping[str, Paper], topics: tuple[Topic, ...]) -> dict[str, tuple[str, ...]]:
    """Paper slugs per topic, newest first-seen date first; ties keep snapshot order."""
    grouped: dict[str, list[str]] = {topic.slug: [] for topic in topics}
    position = {slug: index for index, slug in enumerate(papers)}
    for slug in sorted(papers, key=lambda s: (-papers[s].first_seen.toordinal(), position[s])):
        for topic_slug in papers[slug].topics:
            grouped[topic_slug].append(slug)
    return {slug: tuple(members) for slug, members in grouped.items()}
