"""What every snapshot reader returns: one day of the feed, whatever the file format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class SnapshotEntry:
    """One paper as it appears in one snapshot, with the line it starts on.

    `title` is one line; `abstract` is paragraphs separated by a blank line (one paragraph in a text
    snapshot). Every other field is None or empty when the snapshot does not say: a text snapshot knows
    only the title and the abstract. URLs are http(s) only, without white space.
    """

    title: str
    abstract: str
    line: int
    arxiv_id: str | None = None  # without a version suffix: '2405.14734', never '2405.14734v2'
    authors: tuple[str, ...] = ()
    published: date | None = None  # the arXiv publication date
    upvotes: int | None = None
    comments: int | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    ai_keywords: tuple[str, ...] = ()
    alternate_titles: tuple[str, ...] = ()  # other spellings of the title (the feed's, with LaTeX), for merging


@dataclass(frozen=True)
class Snapshot:
    """One file: its date and its papers in the feed's order (none on a day without papers)."""

    path: Path
    date: date
    entries: tuple[SnapshotEntry, ...]
    year_inferred: bool = False
