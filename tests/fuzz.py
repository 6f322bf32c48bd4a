"""Seeded mutations of both snapshot formats, and the check every mutant must pass.

A mutant is either refused by the reader with a one-line `SnapshotError` naming
its file, or read; the read ones, built together as one site, must build and pass
`digest check`. Anything else (a traceback, a hang, a crash after reading) is a bug.
tests/site/test_fuzz.py runs a few hundred in the suite; more from the command line:

    .venv/bin/python -m tests.fuzz --count 5000 --seed 7
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from digest.commands.build import build_site
from digest.commands.check import run_check
from digest.errors import DigestError, SnapshotError
from digest.inputs.sources import read_snapshot
from digest.project import Project
from tests.helpers import make_project

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TODAY = date(2026, 6, 1)
FIRST_DAY = date(2000, 1, 3)  # mutants are renamed to distinct days from here on, so they can be built together

HOSTILE_STRINGS = (
    "", " ", "\x00", "\ud800", "\udfff x", "\u200b", "\u200b\u200c\ufeff", "\u202e\u2066", "\x00\u200b\u202e",
    "<script>alert(1)</script>", "javascript:alert(1)", "x" * 5_000, "2510.00001\x00", "9999.99999", "\U0001f600",
    "a\nb\r\nc", "${HOME}", "'\"><img src=x onerror=alert(1)>", "http://", "ftp://example.org/x",
    " https://github.com/a/b\n", "$\\frac{a}{b}$", "{{ 7*7 }}{% raw %}", "]]><!--", "\ufffe\uffff", "e\u0301",
    "2405.14734v9", "hep-th/9901001", "2025-13-45T00:00:00Z", "0001-01-01", "https://a.example/" + "p" * 3_000,
)
HOSTILE_VALUES: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, 2**70, -(2**70), 1e308, [], {}, [None], {"": ""}, [[[[[]]]]],
    ["x"] * 2_000, {"name": "\ud800"}, *HOSTILE_STRINGS,
)


@dataclass(frozen=True)
class Mutant:
    """One mutated snapshot: the file name it is read under, its bytes and what was done to it."""

    name: str
    data: bytes
    how: str


# ---------------------------------------------------------------------------------------------------------------
# JSON snapshots


def json_mutant(rng: random.Random, day: date) -> Mutant:
    """A seed JSON snapshot with one to three mutations, named after `day`."""
    items: list[Any] = json.loads((FIXTURES / "json" / rng.choice(("2025-10-08.json", "2025-10-09.json")))
                                  .read_text(encoding="utf-8"))
    for number, item in enumerate(items):  # papers of their own, so the build has as many as the mutants hold
        item["paper"]["id"] = f"{day:%y%m}.{day.day:02d}{number:03d}"
    hows = []
    for _ in range(rng.randint(1, 3)):
        mutate = rng.choice(_STRUCTURE_MUTATIONS)
        hows.append(mutate(rng, items))
    data = json.dumps(items, indent=rng.choice((None, 2))).encode("utf-8")
    if rng.random() < 0.3:
        data, how = _byte_mutation(rng, data)
        hows.append(how)
    return Mutant(f"{day.isoformat()}.json", data, "; ".join(hows))


def _set_random_field(rng: random.Random, items: list[Any]) -> str:
    if not items:
        return "nothing to set"
    item = rng.choice(items)
    path = _random_path(rng, item)
    value = copy.deepcopy(rng.choice(HOSTILE_VALUES))
    _assign(item, path, value)
    return f"set {'.'.join(map(str, path))} to {ascii(value)[:60]}"


def _random_path(rng: random.Random, value: Any) -> list[Any]:
    path: list[Any] = []
    while isinstance(value, dict | list) and value and rng.random() < 0.8:
        key = rng.choice(list(value)) if isinstance(value, dict) else rng.randrange(len(value))
        path.append(key)
        value = value[key]
    return path or [rng.choice(("paper", "title", "numComments", "publishedAt"))]


def _assign(container: Any, path: list[Any], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(container, dict | list):
            return
        container = container[key]
    if isinstance(container, dict) or (isinstance(container, list) and isinstance(path[-1], int)):
        container[path[-1]] = value


def _delete_random_key(rng: random.Random, items: list[Any]) -> str:
    if not items:
        return "nothing to delete"
    item = rng.choice(items)
    target = item["paper"] if isinstance(item, dict) and isinstance(item.get("paper"), dict) else item
    if isinstance(target, dict) and target:
        key = rng.choice(sorted(target))
        del target[key]
        return f"deleted {key}"
    return "nothing to delete"


def _set_known_field(rng: random.Random, items: list[Any]) -> str:
    """The fields the reader uses, set to hostile values: most of what matters lies here."""
    if not items or not isinstance(items[0], dict) or not isinstance(items[0].get("paper"), dict):
        return "no paper to change"
    paper = rng.choice([item["paper"] for item in items if isinstance(item, dict) and isinstance(item.get("paper"),
                                                                                                 dict)])
    field = rng.choice(("id", "title", "summary", "authors", "publishedAt", "upvotes", "githubRepo", "githubStars",
                        "projectPage", "ai_keywords", "submittedOnDailyAt"))
    value = copy.deepcopy(rng.choice(HOSTILE_VALUES))
    if field == "authors" and rng.random() < 0.7:
        value = [{"name": rng.choice(HOSTILE_STRINGS)} for _ in range(rng.randint(0, 4))]
    if field == "ai_keywords" and rng.random() < 0.7:
        value = [rng.choice(HOSTILE_STRINGS) for _ in range(rng.randint(0, 4))]
    paper[field] = value
    return f"paper.{field} = {ascii(value)[:60]}"


def _duplicate_or_drop_items(rng: random.Random, items: list[Any]) -> str:
    if items and rng.random() < 0.5:
        items.append(copy.deepcopy(rng.choice(items)))
        return "duplicated an item"
    if items:
        items.pop(rng.randrange(len(items)))
        return "dropped an item"
    return "no items"


def _replace_item(rng: random.Random, items: list[Any]) -> str:
    if items:
        value = copy.deepcopy(rng.choice(HOSTILE_VALUES))
        items[rng.randrange(len(items))] = value
        return f"an item replaced by {ascii(value)[:40]}"
    return "no items"


_STRUCTURE_MUTATIONS: tuple[Callable[[random.Random, list[Any]], str], ...] = (
    _set_random_field, _set_known_field, _set_known_field, _delete_random_key, _duplicate_or_drop_items,
    _replace_item,
)


def _byte_mutation(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    position = rng.randrange(len(data) + 1)
    choice = rng.randrange(7)
    if choice == 0:
        return data[:position], f"truncated at byte {position}"
    if choice == 1 and data:
        flipped = bytearray(data)
        flipped[min(position, len(data) - 1)] ^= 1 << rng.randrange(8)
        return bytes(flipped), f"flipped a bit at byte {position}"
    if choice == 2:
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        return data[:position] + junk + data[position:], f"inserted {junk!r} at byte {position}"
    if choice == 3:
        return b"\xef\xbb\xbf" + data, "a byte order mark"
    if choice == 4:
        depth = rng.choice((50, 999, 10_000))
        return b"[" * depth + data + b"]" * depth, f"nested {depth} deep"
    if choice == 5:
        return data.replace(b"\n", b"\r\n"), "CRLF line ends"
    return data.replace(b'"title": "', b'"title": "\\ud800', 1), "a lone surrogate escape in a title"


# ---------------------------------------------------------------------------------------------------------------
# Text snapshots


def text_mutant(rng: random.Random, day: date) -> Mutant:
    """A seed text snapshot dated `day`, with one to three line or character mutations."""
    seed = (FIXTURES / "snapshots" / rng.choice(("minimal.txt", "hostile.txt"))).read_text(encoding="utf-8")
    lines = _redate(seed, day).split("\n")
    hows = [rng.choice(_LINE_MUTATIONS)(rng, lines) for _ in range(rng.randint(1, 3))]
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if rng.random() < 0.2:
        data, how = _byte_mutation(rng, data)
        hows.append(how)
    return Mutant(f"{day.isoformat()}.txt", data, "; ".join(hows))


def _redate(text: str, day: date) -> str:
    """The seed with its date line ("Oct 8") saying `day`, and `day` after each title (papers of their own)."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        words = line.split()
        if len(words) == 2 and words[0][:3] in MONTHS and words[1].isdigit():
            lines[index] = f"{MONTHS[day.month - 1]} {day.day}"
            content = [number for number in range(index + 1, len(lines)) if lines[number].strip()]
            for title in content[::2]:
                lines[title] += f" {day.isoformat()}"
            break
    return "\n".join(lines)


def _delete_line(rng: random.Random, lines: list[str]) -> str:
    index = rng.randrange(len(lines))
    del lines[index]
    return f"deleted line {index + 1}"


def _duplicate_line(rng: random.Random, lines: list[str]) -> str:
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return f"duplicated line {index + 1}"


def _spice_line(rng: random.Random, lines: list[str]) -> str:
    index = rng.randrange(len(lines))
    spice = rng.choice(HOSTILE_STRINGS).replace("\ud800", "\u2028").replace("\udfff", "\u2029")
    position = rng.randrange(len(lines[index]) + 1)
    lines[index] = lines[index][:position] + spice + lines[index][position:]
    return f"inserted {ascii(spice)[:40]} into line {index + 1}"


def _replace_line(rng: random.Random, lines: list[str]) -> str:
    index = rng.randrange(len(lines))
    lines[index] = rng.choice(("Feb 30", "Foo 1", "Oct 8", "", "\x0c", "\u200b", "x" * 3_000, "Daily Papers"))
    return f"replaced line {index + 1} by {ascii(lines[index])[:30]}"


_LINE_MUTATIONS: tuple[Callable[[random.Random, list[str]], str], ...] = (
    _delete_line, _duplicate_line, _spice_line, _spice_line, _replace_line,
)


# ---------------------------------------------------------------------------------------------------------------
# Running them


def mutants(count: int, seed: int) -> list[Mutant]:
    """`count` mutants, half of each format, each named after its own day."""
    rng = random.Random(seed)
    return [(json_mutant if number % 2 else text_mutant)(rng, FIRST_DAY + timedelta(days=number))
            for number in range(count)]


def read_each(folder: Path, batch: list[Mutant]) -> tuple[list[Mutant], list[str]]:
    """Write each mutant into `folder` and read it: the ones read, and a line per failure of the contract."""
    read, problems = [], []
    for mutant in batch:
        path = folder / mutant.name
        path.write_bytes(mutant.data)
        try:
            read_snapshot(path, TODAY)
        except SnapshotError as error:
            message = str(error)
            if "\n" in message or not message.startswith(str(path)):
                problems.append(f"{mutant.name} ({mutant.how}): message not one line naming the file: {message!r}")
            path.unlink()
        except Exception as error:
            problems.append(f"{mutant.name} ({mutant.how}): {type(error).__name__}: {error}"[:300])
            path.unlink()
        else:
            read.append(mutant)
    return read, problems


def build_and_check(root: Path) -> list[str]:
    """Build the project at `root` and run `digest check` on it: the problems, if either fails."""
    project = Project.at(root)
    problems = []
    for name, step in (("digest check", run_check), ("digest build", build_site)):
        try:
            step(project)
        except DigestError as error:
            problems.append(f"{name} refused what the reader accepted: {error}")
        except Exception as error:
            problems.append(f"{name} crashed: {type(error).__name__}: {error}"[:300])
    return problems


def run(count: int, seed: int, root: Path) -> tuple[int, int, list[str]]:
    """Mutate, read, then build what was read: (mutants, read, problems)."""
    project = make_project(root)
    batch = mutants(count, seed)
    read, problems = read_each(project.snapshots, batch)
    if read:
        problems += build_and_check(root)
    return len(batch), len(read), problems


def main() -> int:
    parser = argparse.ArgumentParser(description="Fuzz both snapshot readers and the build with seeded mutants.")
    parser.add_argument("--count", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        total, read, problems = run(args.count, args.seed, Path(folder))
    print(f"{total} mutants, {read} read, {total - read} refused, {len(problems)} problems, "
          f"{time.perf_counter() - started:.1f} s")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
