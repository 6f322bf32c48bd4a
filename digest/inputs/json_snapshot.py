"""Reader for JSON snapshots: one day of the Hugging Face Daily Papers API, saved as it came.

The file is the API's array of items, named after its date (``2025-10-08.json``);
api_json.py checks the shape, this module turns each item into a `SnapshotEntry`:
hard-wrapped titles and abstracts joined (abstract paragraphs kept), bidi controls
dropped, white space removed from URLs and anything but http(s) URLs ignored, the
arXiv id without its version suffix. An empty array is a day without papers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from digest.errors import SnapshotError
from digest.inputs.api_json import ApiItem, escaped_excerpt, item_lines, paper_id, paper_title, parse_api_items
from digest.inputs.snapshot import Snapshot, SnapshotEntry, check_entry, check_snapshot_date
from digest.text import arxiv_id, clean_paragraphs, clean_text, clean_url

_ISO_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


def read_snapshot(path: Path, reference: date) -> Snapshot:
    """Read one JSON snapshot; `reference` is today, the latest a snapshot's date may be (plus a year)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SnapshotError(f"cannot read file: {exc.strerror}", path) from None
    return parse_snapshot(data, path, reference)


def parse_snapshot(data: bytes, path: Path, reference: date) -> Snapshot:
    """The snapshot `data` holds, read exactly as a build reads the file `path` (`digest fetch` checks with it)."""
    day = check_snapshot_date(_date_from_name(path), reference, path)
    items = parse_api_items(data, path)
    lines = item_lines(data.decode("utf-8-sig"))
    entries = tuple(item_entry(item, number, path, lines.get(number, 1)) for number, item in enumerate(items, 1))
    return Snapshot(path=path, date=day, entries=entries)


def item_entry(item: ApiItem, number: int, path: Path, line: int = 1) -> SnapshotEntry:
    """One checked API item (see api_json.parse_api_items) as a snapshot entry; `number` counts from 1."""
    paper: dict[str, Any] = item["paper"]
    raw_id = paper_id(item)
    identifier = arxiv_id(raw_id)
    if identifier is None:
        raise SnapshotError(f"item {number}: paper.id '{escaped_excerpt(raw_id)}' is not an arXiv id "
                            "such as 2405.14734", path, line)
    title = clean_text(paper_title(item))
    organization = _organization(paper.get("organization") or item.get("organization"))
    feed_title = clean_text(_string(item.get("title")))
    return check_entry(SnapshotEntry(
        title=title,
        abstract=clean_paragraphs(_string(paper.get("summary")) or _string(item.get("summary"))),
        line=line,
        arxiv_id=identifier,
        authors=_without_repeats(_texts(author.get("name") for author in _list(paper.get("authors"))
                                        if isinstance(author, dict))),
        published=iso_day(paper.get("publishedAt")),
        upvotes=_count(paper.get("upvotes")),
        comments=_count(item.get("numComments")),
        github_repo=_url(paper.get("githubRepo")),
        github_stars=_count(paper.get("githubStars")),
        project_page=_url(paper.get("projectPage")),
        ai_keywords=_texts(_list(paper.get("ai_keywords"))),
        alternate_titles=(feed_title,) if feed_title and feed_title != title else (),
        ai_summary=clean_text(_string(paper.get("ai_summary"))),
        organization=organization[0],
        organization_handle=organization[1],
    ), path, f"item {number}")


def _date_from_name(path: Path) -> date:
    match = _ISO_NAME.match(path.name)
    if match is None:
        raise SnapshotError("a JSON snapshot's name is its date: rename it to YYYY-MM-DD.json", path)
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise SnapshotError(f"file name starts with an impossible date '{match.group(0)}'", path) from None


def _organization(value: Any) -> tuple[str | None, str | None]:
    """(name as shown, Hugging Face handle) of the API's organization object; a handle is a plain account name."""
    if not isinstance(value, dict):
        return None, None
    handle = clean_text(_string(value.get("name")))
    shown = clean_text(_string(value.get("fullname"))) or handle
    return shown or None, handle if _HANDLE.fullmatch(handle) else None


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _texts(values: Iterable[Any]) -> tuple[str, ...]:
    """The non-empty strings among `values`, each cleaned to one line."""
    return tuple(text for value in values if (text := clean_text(_string(value))))


def _without_repeats(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names without a name equal to the one just before it: the API lists some authors twice in a row (on
    18 real days), which no paper's author list does. Anything else (a name split in two) stays as the API has
    it: no rule tells a split name from two authors."""
    return tuple(name for index, name in enumerate(names) if index == 0 or name != names[index - 1])


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _url(value: Any) -> str | None:
    return clean_url(value) if isinstance(value, str) else None


def iso_day(value: Any) -> date | None:
    """The date of an ISO timestamp from the API ("2025-10-08T13:22:01.000Z"), or None."""
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None
