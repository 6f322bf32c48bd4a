"""The delivery ledger: which edition reached which destination, when, under which message id.

One small text file in the project (`deliveries.tsv`), committed by the scheduled workflow, so the
repository remembers what it sent: a second run for the same edition sends nothing. Lines are only
ever added, one per delivery, tab-separated, so the file reads in any editor and two branches that
both added lines merge cleanly (`digest init` writes a .gitattributes line with git's union merge).

A line that does not read (a truncated file, a bad merge, a hand edit) is an error naming the line:
guessing would mean sending everything again, or nothing.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from digest.errors import DigestError

LEDGER_NAME = "deliveries.tsv"
HEADER = (
    "# paper-digest's delivery ledger: one line per edition delivered to one destination, never edited.\n"
    "# Fields, tab-separated: time (UTC), edition (day or ISO week), destination (as site.yaml writes it),\n"
    "# message id, and 'resent' when --force sent it again.\n"
)
RESENT = "resent"
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_EDITION = re.compile(r"\d{4}-\d\d-\d\d|\d{4}-W\d\d")


class LedgerError(DigestError):
    """The ledger cannot be read or written."""


@dataclass(frozen=True)
class Delivery:
    """One line of the ledger."""

    time: str  # '2026-12-07T21:04:05Z'
    edition: str  # '2026-12-07' or '2026-W50'
    destination: str  # 'email to a@example.org' or a notification URL template
    message_id: str
    note: str = ""  # RESENT for a delivery --force repeated

    def line(self) -> str:
        fields = (self.time, self.edition, self.destination, self.message_id, *([self.note] if self.note else []))
        return "\t".join(fields) + "\n"


@dataclass(frozen=True)
class Ledger:
    """Every delivery recorded in one file, in the order they were recorded."""

    path: Path
    deliveries: tuple[Delivery, ...] = ()

    def find(self, edition: str, destination: str) -> Delivery | None:
        """The first delivery of `edition` to `destination`, or None."""
        return next((d for d in self.deliveries if d.edition == edition and d.destination == destination), None)

    def record(self, delivery: Delivery) -> Ledger:
        """Add `delivery` to the file at once (a run that dies later keeps it) and return the ledger with it."""
        for field_value in (delivery.edition, delivery.destination, delivery.message_id, delivery.note):
            if any(char in field_value for char in "\t\r\n"):
                raise LedgerError(f"cannot record {field_value!r}: tabs and line breaks would split the line",
                                  self.path)
        text = ("" if self.path.exists() and self.path.stat().st_size else HEADER) + delivery.line()
        try:
            with self.path.open("a", encoding="utf-8", newline="\n") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
        except OSError as exc:
            raise LedgerError(f"cannot add to the delivery ledger: {exc.strerror or exc}", self.path) from None
        return Ledger(self.path, (*self.deliveries, delivery))


def now() -> str:
    """The time a delivery is recorded with: UTC, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_ledger(path: Path) -> Ledger:
    """The ledger in `path` (empty if there is none); a LedgerError naming the first line that does not read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Ledger(path)
    except OSError as exc:
        raise LedgerError(f"cannot read the delivery ledger: {exc.strerror or exc}", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise LedgerError("not UTF-8 text; restore the file from git", path, line) from None
    lines = text.split("\n")
    if lines[-1]:
        raise LedgerError("the line is cut short (the file ends inside it): the ledger was truncated; restore it "
                          "from git, or delete that line if you are sure what it recorded was not delivered",
                          path, len(lines))
    deliveries = tuple(_parse(line, path, number) for number, line in enumerate(lines[:-1], 1)
                       if line.strip() and not line.startswith("#"))
    return Ledger(path, deliveries)


def _parse(line: str, path: Path, number: int) -> Delivery:
    fields = line.rstrip("\r").split("\t")
    if len(fields) not in (4, 5):
        raise LedgerError(f"expected 4 or 5 tab-separated fields (time, edition, destination, message id[, "
                          f"{RESENT}]), found {len(fields)}; restore the file from git", path, number)
    time, edition, destination, message_id, *note = fields
    problem = (
        "the time is not YYYY-MM-DDTHH:MM:SSZ" if not _TIME.fullmatch(time) else
        "the edition is not a day (YYYY-MM-DD) or a week (YYYY-Www)" if not _EDITION.fullmatch(edition) else
        "the destination is empty" if not destination else
        "the message id is empty" if not message_id else
        f"the last field may only be '{RESENT}'" if note and note[0] != RESENT else None)
    if problem:
        raise LedgerError(f"{problem}; restore the file from git", path, number)
    return Delivery(time, edition, destination, message_id, note[0] if note else "")
