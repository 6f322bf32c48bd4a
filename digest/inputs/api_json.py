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
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digest.errors import SnapshotError
from digest.inputs.snapshot import decode_snapshot

ApiItem = dict[str, Any]

QUOTE_LIMIT = 120

_BETWEEN_ITEMS = re.compile(r"[\s,]*")
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # only an escape can put a surrogate in decoded JSON
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_api_items(data: bytes, source: Path | str) -> list[ApiItem]:
    """The items of one API response or `.json` snapshot; `SnapshotError` naming `source` if it is not one.

    An empty array is valid: the feed has no papers on weekends and holidays. Every string comes back as
    valid Unicode: a lone surrogate (``\\ud800``, half of an escaped emoji) becomes U+FFFD, so no later
    stage meets text it cannot encode.
    """
    text = _decode(data, source)
    try:
        value = _load_json(text, source)
        if _SURROGATE_ESCAPE.search(text):
            value = _without_lone_surrogates(value)
    except RecursionError:
        raise _too_deep(text, source) from None
    if not isinstance(value, list):
        raise SnapshotError(_not_a_list(value), source, _line_of(text, len(text) - len(text.lstrip())))
    for number, item in enumerate(value, 1):
        problem = _item_problem(item, number)
        if problem:
            raise SnapshotError(problem, source, item_lines(text).get(number))
    return value


def item_lines(text: str) -> dict[int, int]:
    """The line each item of a top-level JSON array starts on, by item number from 1 (for messages)."""
    decoder = json.JSONDecoder()
    lines: dict[int, int] = {}
    position = _BETWEEN_ITEMS.match(text, text.index("[") + 1).end()
    number, line, counted = 1, 1, 0
    while position < len(text) and text[position] != "]":
        line += text.count("\n", counted, position)
        counted = position
        lines[number] = line
        try:
            _, position = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError):
            break
        position = _BETWEEN_ITEMS.match(text, position).end()
        number += 1
    return lines


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
    try:
        text = json.dumps(list(items), indent=2, ensure_ascii=False) + "\n"
    except RecursionError:
        raise SnapshotError("an item is nested deeper than it can be written: a broken or hostile answer",
                            "the API's answer") from None
    return text.encode("utf-8", "backslashreplace")


def printable_excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` safe to show in one terminal line: control characters gone, whitespace collapsed, cut at `limit`."""
    kept = "".join(" " if char.isspace() else char for char in text
                   if char.isspace() or not unicodedata.category(char).startswith("C"))
    single = " ".join(kept.split())
    return single if len(single) <= limit else single[: limit - 1] + "…"


def _decode(data: bytes, source: Path | str) -> str:
    text = decode_snapshot(data, source, "the API sends UTF-8 JSON")
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


def _too_deep(text: str, source: Path | str) -> SnapshotError:
    return SnapshotError("JSON nested deeper than it can be read (an API item is 4 levels deep): a broken or "
                         "hostile file", source, _line_of(text, _too_deep_at(text)))


def _too_deep_at(text: str, limit: int = 100) -> int:
    """Where the nesting of arrays and objects first gets `limit` deep (strings skipped), else 0."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth >= limit:
                return match.start()
        elif token in "]}":
            depth -= 1
    return 0


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _without_lone_surrogates(value: Any) -> Any:
    """`value` with U+FFFD for every lone surrogate in its strings (keys included), containers rebuilt."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(element) for element in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(element) for key, element in value.items()}
    return value


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


def _item_problem(item: Any, number: int) -> str | None:
    """What makes `item` unusable as a paper, or None."""
    if not isinstance(item, dict):
        return f"item {number} is {_kind(item)}, not an object with a paper"
    paper = item.get("paper")
    if not isinstance(paper, dict):
        return f"item {number} has no 'paper' object"
    if not _text(paper.get("id")):
        return f"item {number} has no paper.id (the arXiv id, a string)"
    if not paper_title(item):
        return (f"item {number} (paper {escaped_excerpt(paper_id(item))}) has no title: neither paper.title nor "
                "title is a non-empty string")
    return None


def escaped_excerpt(text: str, limit: int = 40) -> str:
    """`text` for a one-line message with every invisible character spelled out (``2510.00001\\x00``), cut."""
    shown = "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


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
