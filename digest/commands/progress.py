"""A build's progress as it runs, and its summary when it is done.

`build_site` goes through its stages (reading, catalog, planning, rendering,
search, emails, writing) with a `Stages`, which times each one for
`BuildReport.stages` and tells a `Progress` what to show. On a terminal that is
a `TerminalProgress`: one line on stderr, rewritten in place
(`rendering 4,210/10,781 pages (2,130/s)`), cleared when the build ends so
that only the summary stays in the scrollback. Anywhere else (a pipe, a log,
`--quiet`, the preview server) it is a `NullProgress`, and nothing is drawn.

This module knows nothing of the pipeline; `summary` reads a report through
the small `Summarized` protocol, so commands/build.py can import this module
and not the other way round.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO


class Progress(Protocol):
    """What a build tells whoever shows its progress."""

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        """A stage starts; `total` items of `unit` (e.g. 10,781 pages) when it is counted."""

    def advance(self, count: int = 1) -> None:
        """`count` more items of the current stage are done."""

    def done(self) -> None:
        """The build is over (finished or failed): take down whatever was drawn."""


class NullProgress:
    """Shows nothing: for pipes, logs, `--quiet` and the preview server."""

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def done(self) -> None:
        pass


ERASE_TO_END = "\x1b[K"  # ANSI "erase in line": clears what a longer previous line left behind


class TerminalProgress:
    """One status line on a terminal, rewritten in place with a carriage return.

    Counts are drawn at most every `interval` seconds (a build advances thousands of times a second; the
    terminal need not repaint that often); a new stage is drawn at once, and a build has only a few.
    """

    def __init__(self, stream: TextIO, *, interval: float = 0.1, clock: Callable[[], float] = time.monotonic,
                 width: int | None = None) -> None:
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.width = width or _terminal_width(stream)
        self._name, self._total, self._unit = "", None, ""
        self._count = 0
        self._started = self._drawn_at = 0.0
        self._shown = False

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        self._name, self._total, self._unit, self._count = name, total, unit, 0
        self._started = self.clock()
        self._draw()

    def advance(self, count: int = 1) -> None:
        self._count += count
        if self.clock() - self._drawn_at >= self.interval:
            self._draw()

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r" + ERASE_TO_END)
            self.stream.flush()
            self._shown = False

    def line(self) -> str:
        """What the status line says now, e.g. 'rendering 4,210/10,781 pages (2,130/s)'."""
        if self._total is None:
            return f"{self._name}…"
        text = f"{self._name} {self._count:,}/{self._total:,}" + (f" {self._unit}" if self._unit else "")
        elapsed = self.clock() - self._started
        if self._count and elapsed > 0:
            text += f" ({self._count / elapsed:,.0f}/s)"
        return text

    def _draw(self) -> None:
        self._drawn_at = self.clock()
        self.stream.write("\r" + self.line()[:self.width - 1] + ERASE_TO_END)  # a wrapped line cannot be redrawn
        self.stream.flush()
        self._shown = True


def _terminal_width(stream: TextIO) -> int:
    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's stream) or not a terminal
        columns = 0
    return columns or 80  # a pseudo-terminal nobody sized says 0


@dataclass(frozen=True)
class StageTime:
    """How long one stage of a build took, by the wall clock.

    `parts`: work that ran side by side in worker processes during the stage (a full build renders the
    pages, builds the search files and renders the emails at once), each with its own seconds of work;
    they overlap, so they add up to more than the stage.
    """

    name: str
    seconds: float
    parts: tuple[StageTime, ...] = ()


class Stages:
    """A build's way through its stages: each is shown on a Progress and timed for the report."""

    def __init__(self, progress: Progress | None = None, clock: Callable[[], float] = time.perf_counter) -> None:
        self.progress: Progress = progress or NullProgress()
        self.clock = clock
        self._times: list[StageTime] = []
        self._current: tuple[str, float] | None = None
        self._parts: list[StageTime] = []

    def start(self, name: str, total: int | None = None, unit: str = "") -> None:
        """End the current stage and start `name`."""
        self._close()
        self._current = (name, self.clock())
        self.progress.stage(name, total, unit)

    def show(self, name: str, total: int | None = None, unit: str = "") -> None:
        """Show what the current stage is busy with now (e.g. its pages, then what is left); timing is unchanged."""
        self.progress.stage(name, total, unit)

    def advance(self, count: int = 1) -> None:
        self.progress.advance(count)

    def add(self, name: str, seconds: float) -> None:
        """A part of the current stage that ran alongside its other parts, timed where it ran."""
        self._parts.append(StageTime(name, seconds))

    def finish(self) -> tuple[StageTime, ...]:
        self._close()
        return tuple(self._times)

    def _close(self) -> None:
        if self._current is not None:
            name, started = self._current
            self._times.append(StageTime(name, self.clock() - started, tuple(self._parts)))
            self._current, self._parts = None, []


class Summarized(Protocol):
    """What `summary` reads of a BuildReport."""

    @property
    def papers(self) -> int: ...
    @property
    def pages(self) -> int: ...
    @property
    def rendered(self) -> int: ...
    @property
    def files(self) -> int: ...
    @property
    def written(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def removed(self) -> int: ...
    @property
    def search_bytes(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    @property
    def stages(self) -> tuple[StageTime, ...]: ...


def summary(report: Summarized, verb: str = "Built") -> str:
    """Two lines: what the build made, then where its time went."""
    made = (f"{verb} {report.papers:,} papers in {report.seconds:.1f} s: {report.pages:,} pages "
            f"({report.rendered:,} rendered), {report.files:,} files ({report.written:,} written, "
            f"{report.unchanged:,} unchanged, {report.removed:,} removed), search {report.search_bytes / 1e6:.1f} MB")
    times = stage_times(report.stages)
    return f"{made}\n  {times}" if times else made


def stage_times(stages: tuple[StageTime, ...]) -> str:
    """'reading 0.9 s · rendering, search and emails 5.1 s (side by side: pages 2.4 s, search 4.9 s) · ...'."""
    return " · ".join(f"{stage.name} {stage.seconds:.1f} s" + (
        " (side by side: " + ", ".join(f"{part.name} {part.seconds:.1f} s" for part in stage.parts) + ")"
        if stage.parts else "") for stage in stages)
