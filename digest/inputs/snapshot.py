"""What every snapshot reader returns: one day of the feed, whatever the file format."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from digest.errors import SnapshotError


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
    ai_summary: str = ""  # Hugging Face's one-sentence summary, machine-written
    organization: str | None = None  # the organization's name as shown ("Z.ai")
    organization_handle: str | None = None  # its Hugging Face account ("zai-org"): huggingface.co/zai-org


@dataclass(frozen=True)
class Snapshot:
    """One file: its date and its papers in the feed's order (none on a day without papers)."""

    path: Path
    date: date
    entries: tuple[SnapshotEntry, ...]
    year_inferred: bool = False


# Bounds on what one snapshot may hold. Real days are far inside them (titles up to ~180 characters, abstracts
# up to ~2,000, 50 papers, reports with a few hundred authors); past them a file is broken or hostile, and
# refusing it with its line is kinder than a build that takes minutes, or a page the size of a book.
FIRST_YEAR = 1991  # arXiv's first year: no paper of the feed is older
YEARS_AHEAD = 1  # a snapshot may be dated up to a year after today (clock skew, time zones), no later
MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024
MAX_TITLE = 2_000
MAX_ABSTRACT = 50_000
MAX_AUTHORS = 10_000
MAX_NAME = 500


def decode_snapshot(data: bytes, path: Path | str, hint: str) -> str:
    """`data` as text, a UTF-8 byte order mark dropped; a `SnapshotError` for a file past any real day's size or
    not UTF-8, naming the bad byte where it is in the file (the mark counted) and ending in `hint`."""
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"{len(data) // (1024 * 1024)} MB is far more than a day of papers (at most "
                            f"{MAX_SNAPSHOT_BYTES // (1024 * 1024)} MB); a broken or hostile file", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        raise SnapshotError(f"not UTF-8 (bad byte 0x{data[offset]:02x} at byte {offset}); {hint}", path,
                            data[:offset].count(b"\n") + 1) from None


def check_snapshot_date(day: date, today: date, path: Path, line: int | None = None) -> date:
    """`day` if it lies between arXiv's first year and a year after `today`; else a `SnapshotError`.

    Dates outside that range are typos or attacks, and a chart spanning them would have millions of bars.
    """
    latest = _add_years(today, YEARS_AHEAD)
    if not date(FIRST_YEAR, 1, 1) <= day <= latest:
        raise SnapshotError(f"the date {day.isoformat()} is outside {FIRST_YEAR}-01-01 … {latest.isoformat()} "
                            "(arXiv's first year to a year from today); fix the date", path, line)
    return day


def check_entry(entry: SnapshotEntry, path: Path, what: str) -> SnapshotEntry:
    """`entry` if its title has something to show and its fields are of a sane size; else a `SnapshotError`.

    `what` names the entry in the message ("item 3", "the paper").
    """
    if not has_visible_text(entry.title):
        raise SnapshotError(f"{what} has no title: it holds no visible character (only spaces, controls or "
                            "zero-width marks)", path, entry.line)
    limits = (("title", len(entry.title), MAX_TITLE), ("abstract", len(entry.abstract), MAX_ABSTRACT),
              ("AI summary", len(entry.ai_summary), MAX_ABSTRACT),
              ("organization", len(entry.organization or ""), MAX_NAME),
              ("author list", len(entry.authors), MAX_AUTHORS),
              ("longest author name", max(map(len, entry.authors), default=0), MAX_NAME))
    for field, size, limit in limits:
        if size > limit:
            raise SnapshotError(f"{what}'s {field} is too long ({size:,}; at most {limit:,}): a broken or hostile "
                                "file; fix or remove it", path, entry.line)
    return entry


def has_visible_text(text: str) -> bool:
    """True if `text` has a character that shows: not white space, a control, a format mark or a lone accent."""
    return any(not char.isspace() and unicodedata.category(char)[0] not in "CZ"
               and unicodedata.category(char) not in ("Mn", "Me") for char in text)


def _add_years(day: date, years: int) -> date:
    year = min(day.year + years, date.max.year)
    return day.replace(year=year, day=28) if (day.month, day.day) == (2, 29) else day.replace(year=year)
