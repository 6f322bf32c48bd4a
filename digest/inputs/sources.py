"""Which files under content/ are sources, and which reader reads each snapshot format.

One rule for every reader and for the preview's file watcher: hidden files,
editor lock and backup files are never sources. A new snapshot format is one
new module and one line in `SNAPSHOT_READERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from digest.errors import SnapshotError
from digest.inputs import json_snapshot, text_snapshot
from digest.inputs.snapshot import Snapshot

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
