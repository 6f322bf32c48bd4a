"""Reader for snapshot files: the plain-text scrape of the Daily Papers page.

A snapshot is a short header ending in a date line such as ``Oct 8``, then
for each paper a title line, a blank line and a one-line abstract. This module
turns one file into a `Snapshot` and knows nothing about the site. A text
snapshot knows only titles and abstracts (see json_snapshot.py for the rest).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from digest.errors import SnapshotError
from digest.inputs.snapshot import Snapshot, SnapshotEntry, check_entry, check_snapshot_date, decode_snapshot
from digest.text import clean_text

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MAX_HEADER_LINES = 20
TYPICAL_TITLE_LENGTH = 300  # longer lines are usually abstracts: used only to word error messages

_DATE_LINE = re.compile(r"(?i)([a-z]{3})[a-z]*\.?\s+(\d{1,2})")
_ISO_PREFIX = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_TRAILING_URL = re.compile(r"https?://\S+$")


def read_snapshot(path: Path, reference: date) -> Snapshot:
    """Parse one snapshot; `reference` is the date a year-less name is resolved against."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SnapshotError(f"cannot read file: {exc.strerror}", path) from None
    return parse_snapshot(data, path, reference)


def parse_snapshot(data: bytes, path: Path, reference: date) -> Snapshot:
    lines = _decode_lines(data, path)
    date_index, month, day = _find_date_line(lines, path)
    snapshot_date, inferred = _resolve_date(path, month, day, date_index + 1, reference)
    entries = _read_entries(lines, date_index + 1, path)
    if not entries:
        raise SnapshotError(
            "no papers after the date line; a paper is a title line, a blank line and an abstract line",
            path, date_index + 1,
        )
    return Snapshot(path=path, date=snapshot_date, entries=tuple(entries), year_inferred=inferred)


def _decode_lines(data: bytes, path: Path) -> list[str]:
    if not data.strip():
        raise SnapshotError("file is empty; delete it or paste the snapshot text into it", path)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SnapshotError("this is a binary file, not a text snapshot; remove it from the snapshots folder",
                            path, line)
    text = decode_snapshot(data, path, "re-save the file as UTF-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.rstrip() for line in text.split("\n")]


def _find_date_line(lines: list[str], path: Path) -> tuple[int, int, int]:
    for index, line in enumerate(lines[:MAX_HEADER_LINES]):
        match = _DATE_LINE.fullmatch(line.strip())
        if match and match.group(1).lower() in MONTHS:
            return index, MONTHS.index(match.group(1).lower()) + 1, int(match.group(2))
    raise SnapshotError(
        f"no date line (such as 'Oct 8') in the first {MAX_HEADER_LINES} lines; "
        "add the snapshot's month and day on a line of its own before the first paper",
        path, 1,
    )


def _resolve_date(path: Path, month: int, day: int, line: int, reference: date) -> tuple[date, bool]:
    """Date from the file name's ISO prefix, else the latest such day not after `reference`."""
    iso = _ISO_PREFIX.match(path.name)
    if iso:
        try:
            named = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise SnapshotError(f"file name starts with an impossible date '{iso.group(0)}'", path) from None
        if (named.month, named.day) != (month, day):
            raise SnapshotError(
                f"the date line says {MONTHS[month - 1].title()} {day} but the file name says {named.isoformat()}; "
                "rename the file or fix the date line",
                path, line,
            )
        return check_snapshot_date(named, reference, path, line), False
    for year in range(reference.year, reference.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # Feb 29 outside a leap year: look further back
        if candidate <= reference:
            return check_snapshot_date(candidate, reference, path, line), True
    raise SnapshotError(f"'{MONTHS[month - 1].title()} {day}' is not a real date", path, line)


def _read_entries(lines: list[str], start: int, path: Path) -> list[SnapshotEntry]:
    """Pair the lines after the date: title, abstract, title, abstract… Blank lines do not count.

    Any even number of lines is a valid file, whatever the lines look like (a title may be very long);
    only when a line is missing does `_locate_missing_line` guess where, for the message.
    """
    content = [(number, line.strip()) for number, line in enumerate(lines[start:], start + 1) if line.strip()]
    if len(content) % 2:
        raise _locate_missing_line(content, path)
    return [check_entry(SnapshotEntry(title=clean_text(title), abstract=clean_text(abstract), line=title_line),
                        path, f"the paper on line {title_line}")
            for (title_line, title), (_, abstract) in zip(content[::2], content[1::2], strict=True)]


def _locate_missing_line(content: list[tuple[int, str]], path: Path) -> SnapshotError:
    """One title or one abstract is missing: the first place where the lines stop looking right."""
    for index in range(0, len(content), 2):
        title_line, title = content[index]
        if len(title) > TYPICAL_TITLE_LENGTH and not _looks_like_title(title):
            return SnapshotError("this looks like an abstract with no title before it; add the paper's title above it",
                                 path, title_line)
        if index + 1 == len(content):
            break
        abstract = content[index + 1][1]
        next_is_abstract = index + 2 < len(content) and not _looks_like_title(content[index + 2][1])
        if _looks_like_title(abstract) and next_is_abstract:
            return _no_abstract(title, title_line, path)
    title_line, title = content[-1]
    return _no_abstract(title, title_line, path)


def _no_abstract(title: str, line: int, path: Path) -> SnapshotError:
    return SnapshotError(f"the paper '{_short(title)}' has no abstract; add it after a blank line or delete the title",
                         path, line)


def _looks_like_title(line: str) -> bool:
    """A guess, for error messages only: titles are short and do not end a sentence; abstracts do, or end in a URL."""
    return (
        len(line) <= TYPICAL_TITLE_LENGTH
        and not line.endswith(".")
        and ". " not in line
        and not _TRAILING_URL.search(line)
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
