"""The shape of the Hugging Face Daily Papers API's JSON, known in this one module.

`GET https://huggingface.co/api/daily_papers?date=YYYY-MM-DD` answers with a JSON
array of items, each holding a `paper` object with the arXiv id and title. The
fetcher validates every downloaded page here before anything is written, and the
reader of `.json` snapshots will use the same checks, so a file that `digest fetch`
wrote is always one the site builder can read.

`dump_api_items` writes the items back in the API's own key order, indented, so a
re-fetch of the same day diffs line by line against the previous one in git.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digest.errors import SnapshotError

ApiItem = dict[str, Any]

QUOTE_LIMIT = 120


def parse_api_items(data: bytes, source: Path | str) -> list[ApiItem]:
    """The items of one API response or `.json` snapshot; `SnapshotError` naming `source` if it is not one.

    An empty array is valid: the feed has no papers on weekends and holidays.
    """
    value = _load_json(_decode(data, source), source)
    if not isinstance(value, list):
        raise SnapshotError(_not_a_list(value), source)
    for number, item in enumerate(value, 1):
        _check_item(item, number, source)
    return value


def paper_id(item: ApiItem) -> str:
    """The arXiv id of a checked item, such as ``2405.14734``."""
    return str(item["paper"]["id"])


def paper_title(item: ApiItem) -> str:
    """The title of a checked item: the paper's (plain text) title, else the item's (which may keep LaTeX)."""
    return _text(item["paper"].get("title")) or _text(item.get("title"))


def count_papers(items: Sequence[ApiItem]) -> int:
    """How many distinct papers the items hold (the same paper listed twice counts once)."""
    return len({paper_id(item) for item in items})


def dump_api_items(items: Sequence[ApiItem]) -> bytes:
    """Indented UTF-8 JSON with the keys in the API's order and a final newline: the same items give the same bytes.

    A lone surrogate (an escaped half of an emoji) cannot be UTF-8; it is written
    back as the same ``\\udXXX`` escape the API sent, which is valid JSON.
    """
    text = json.dumps(list(items), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "backslashreplace")


def printable_excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` safe to show in one terminal line: control characters gone, whitespace collapsed, cut at `limit`."""
    kept = "".join(" " if char.isspace() else char for char in text
                   if char.isspace() or not unicodedata.category(char).startswith("C"))
    single = " ".join(kept.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"


def _decode(data: bytes, source: Path | str) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SnapshotError(f"not UTF-8 (bad byte 0x{data[exc.start]:02x}); the API sends UTF-8 JSON",
                            source, line) from None
    if not text.strip():
        raise SnapshotError("empty: expected a JSON array of papers", source)
    return text


def _load_json(text: str, source: Path | str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # The input ran out: nothing after the error, or inside a string (which cannot hold a raw newline).
        ended_early = not text[exc.pos:].strip() or exc.msg.startswith("Unterminated string")
        hint = " (the data ends early: truncated?)" if ended_early else ""
        raise SnapshotError(f"invalid JSON at column {exc.colno}: {exc.msg}{hint}", source, exc.lineno) from None
    except ValueError as exc:
        raise SnapshotError(f"invalid JSON: {exc}", source) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _not_a_list(value: Any) -> str:
    """Why a JSON value other than an array is not a day of papers, quoting what the API said."""
    if isinstance(value, dict):
        for key in ("error", "message", "status"):
            if key in value:
                said = printable_excerpt(str(value[key]))
                return f"a JSON error object, not a list of papers: {key} is '{said}'"
        keys = ", ".join(printable_excerpt(str(key), 30) for key in list(value)[:8])
        return f"a JSON object (keys: {keys or 'none'}), not a list of papers"
    return f"{_kind(value)}, not a list of papers"


def _check_item(item: Any, number: int, source: Path | str) -> None:
    if not isinstance(item, dict):
        raise SnapshotError(f"item {number} is {_kind(item)}, not an object with a paper", source)
    paper = item.get("paper")
    if not isinstance(paper, dict):
        raise SnapshotError(f"item {number} has no 'paper' object", source)
    if not _text(paper.get("id")):
        raise SnapshotError(f"item {number} has no paper.id (the arXiv id, a string)", source)
    if not paper_title(item):
        raise SnapshotError(f"item {number} (paper {printable_excerpt(paper_id(item), 40)}) has no title: "
                            "neither paper.title nor title is a non-empty string", source)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
