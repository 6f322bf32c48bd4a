"""What every snapshot reader returns: one day of the feed, whatever the file format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class SnapshotEntry:
    """One paper as it appears in one snapshot, with the line it starts on."""

    title: str
    abstract: str
    line: int


@dataclass(frozen=True)
class Snapshot:
    path: Path
    date: date
    entries: tuple[SnapshotEntry, ...]
    year_inferred: bool = False
