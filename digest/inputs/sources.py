"""Which files under content/ are sources, and which reader reads each snapshot format.

One rule for every reader and for the preview's file watcher: hidden files,
editor lock and backup files are never sources. A new snapshot format is one
new module and one line in `SNAPSHOT_READERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Protocol

from digest.errors import BuildError, DigestError, SnapshotError
from digest.inputs import json_snapshot, text_snapshot
from digest.inputs.snapshot import Snapshot
from digest.memo import NamedMemo

# Reads one file; the date is what a file name without a year is resolved against.
SnapshotReader = Callable[[Path, date], Snapshot]

SNAPSHOT_READERS: dict[str, SnapshotReader] = {
    ".txt": text_snapshot.read_snapshot,
    ".json": json_snapshot.read_snapshot,
}

# Endings of files that editors and downloads leave beside the real one while saving.
EDITOR_LITTER = ("~", ".swp", ".swx", ".swpx", ".tmp", ".part", ".bak", ".orig")
EDITOR_PROBES = ("4913",)  # vim writes and deletes this to test write permission


def is_source_name(name: str) -> bool:
    """False for hidden files (.#lock, .DS_Store), #autosave# files and editor litter."""
    return not (name.startswith((".", "#")) or name.endswith(EDITOR_LITTER) or name in EDITOR_PROBES)


def source_files(directory: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The source files with one of `suffixes` directly in `directory`, in name order."""
    if not directory.is_dir():
        return []
    return sorted(path for path in directory.iterdir()
                  if path.suffix in suffixes and is_source_name(path.name) and path.is_file())


def find_snapshot_files(directory: Path) -> list[Path]:
    return source_files(directory, tuple(SNAPSHOT_READERS))


def read_snapshot(path: Path, reference: date) -> Snapshot:
    """Read one snapshot with the reader for its suffix."""
    reader = SNAPSHOT_READERS.get(path.suffix)
    if reader is None:
        known = ", ".join(SNAPSHOT_READERS)
        raise SnapshotError(f"no reader for '{path.suffix}' files; snapshots end in {known}", path)
    return reader(path, reference)


# A preview's snapshots by path, reused while the file's time and size (and today) are as they were.
SnapshotCache = NamedMemo[Path, Snapshot]


class Counter(Protocol):
    """Where reading reports its progress (`commands.progress.Stages`)."""

    def show(self, name: str, total: int | None = None, unit: str = "") -> None: ...

    def advance(self, count: int = 1) -> None: ...


def read_snapshots(folder: Path, today: date, *, keep_going: bool = False, cache: SnapshotCache | None = None,
                   counter: Counter | None = None) -> tuple[list[Snapshot], list[str]]:
    """Every snapshot in `folder`, in name order, and warnings; `keep_going` skips (and warns of) a bad file."""
    paths = find_snapshot_files(folder)
    if not paths:
        patterns = ", ".join(f"*{suffix}" for suffix in SNAPSHOT_READERS)
        raise BuildError(f"no snapshot files ({patterns}) in {folder}; add at least one")
    if cache is not None:
        cache.next_build()
    if counter is not None:
        counter.show("reading", len(paths), "snapshots")
    snapshots: list[Snapshot] = []
    warnings: list[str] = []
    for path in paths:
        if counter is not None:
            counter.advance()
        try:
            snapshot = _read_cached(path, today, cache)
        except DigestError as error:
            if not keep_going:
                raise
            warnings.append(f"{error} (skipped: --keep-going)")
            continue
        if snapshot.year_inferred:
            warnings.append(f"{path}: the file name has no YYYY-MM-DD date, so the year was taken as "
                            f"{snapshot.date.year}; rename it to {snapshot.date.isoformat()}.txt to make it certain")
        snapshots.append(snapshot)
    _check_unique_dates(snapshots)
    if not snapshots:
        raise BuildError(f"every snapshot in {folder} has errors; nothing to build")
    return snapshots, warnings


def _read_cached(path: Path, today: date, cache: SnapshotCache | None) -> Snapshot:
    if cache is None:
        return read_snapshot(path, today)
    stat = path.stat()
    return cache.made_from(path, (stat.st_mtime_ns, stat.st_size, today), lambda: read_snapshot(path, today))


def _check_unique_dates(snapshots: list[Snapshot]) -> None:
    """One file per date, whatever the formats (2025-10-08.txt and 2025-10-08.json are two snapshots of one day)."""
    seen: dict[date, Snapshot] = {}
    for snapshot in snapshots:
        if snapshot.date in seen:
            raise DigestError(f"has the same date ({snapshot.date.isoformat()}) as {seen[snapshot.date].path}; "
                              "keep one snapshot per day (merge or delete the other)", snapshot.path)
        seen[snapshot.date] = snapshot
