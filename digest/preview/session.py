"""The preview's build loop: one `BuildState` for the session, the build ids open tabs compare, the open pages.

A build id names what the browser should be showing. It changes only when a
build changed the output or went from failing to passing (or back), and it
starts with a token drawn once per process, so a restarted server never
repeats an id a tab was served with: the tab sees a new id and reloads.

The HTTP side (http.py, live.py) reads the status, waits on it and counts
the open pages; only the rebuild thread changes the status.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from digest.commands.build import BuildReport, BuildState, InView, build_site
from digest.commands.progress import summary
from digest.errors import DigestError
from digest.project import Project


@dataclass(frozen=True)
class BuildStatus:
    """What the server shows: the id pages compare against, and the last build's error if it failed."""

    build_id: str
    error: BaseException | None = None
    details: str = ""


@dataclass(frozen=True)
class _ShownFirst:
    """The id of a build under way and the files it wrote already: tabs showing them may reload now."""

    build_id: str
    files: frozenset[str]


class Preview:
    """The project being previewed, its build cache and the outcome of the latest build."""

    def __init__(self, project: Project, *, keep_going: bool = False, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        self.project = project
        self.keep_going = keep_going
        self.state = BuildState()
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._session = secrets.token_hex(4)
        self._counter = 0
        self._changed = threading.Condition()
        self._status = BuildStatus(self._next_id())
        self._shown_first: _ShownFirst | None = None
        self._building = False
        self._open: Counter[str] = Counter()  # output files of the pages open in a tab, counted per live socket
        self._stopping = False
        self.builds = 0

    @property
    def status(self) -> BuildStatus:
        return self._status

    @status.setter
    def status(self, status: BuildStatus) -> None:
        with self._changed:
            self._status = status
            self._shown_first = None
            self._changed.notify_all()

    def build_id_for(self, page: str | None) -> str:
        """The id a tab showing `page` (an output file) should have: a build's own once its page is written."""
        shown = self._shown_first
        return shown.build_id if shown is not None and page in shown.files else self._status.build_id

    def wait_for_build(self, build_id: str, timeout: float, page: str | None = None) -> str | None:
        """The id for `page` once it differs from `build_id` (or after `timeout`); None once stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self.build_id_for(page) != build_id, timeout)
            return None if self._stopping else self.build_id_for(page)

    @property
    def building(self) -> bool:
        return self._building

    def wait_while_building(self, timeout: float) -> None:
        """Return once no build is under way (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or not self._building, timeout)

    @property
    def open_pages(self) -> frozenset[str]:
        """The output files of the pages open in a tab (with a live socket) now."""
        with self._changed:
            return frozenset(self._open)

    @contextlib.contextmanager
    def page_open(self, page: str | None) -> Iterator[None]:
        """Count `page` as open in a tab while a live socket for it is connected."""
        if page is not None:
            with self._changed:
                self._open[page] += 1
        try:
            yield
        finally:
            if page is not None:
                with self._changed:
                    self._open[page] -= 1
                    if not self._open[page]:
                        del self._open[page]

    def stop_waiting(self) -> None:
        """Release every live connection (the server is shutting down)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def rebuild(self) -> BuildReport | None:
        """Build once; a failure is recorded and shown, never raised, so the server keeps running."""
        with self._changed:
            self._building = True
            # Not after a failed build: its tabs show the error page until the whole next build is good.
            open_pages = frozenset(self._open) if self._status.error is None else frozenset()
        in_view = InView(open_pages, self.show_first) if open_pages else None
        try:
            return self._build(in_view)
        finally:
            with self._changed:
                self._building = False
                self._changed.notify_all()

    def _build(self, in_view: InView | None) -> BuildReport | None:
        try:
            report = build_site(self.project, keep_going=self.keep_going, state=self.state, in_view=in_view)
        except DigestError as error:
            self._failed(error, "")
            return None
        except Exception as error:  # a bug in paper-digest: show it, keep serving
            self._failed(error, traceback.format_exc())
            return None
        self.builds += 1
        shown = self._shown_first
        changed = report.written + report.removed > 0 or self.status.error is not None or self.builds == 1
        new_id = shown.build_id if shown is not None else self._next_id() if changed else self.status.build_id
        self.status = BuildStatus(new_id)
        self._print(self.out, summary(report, "Built" if self.builds == 1 else "Rebuilt"))  # no live progress here
        for warning in report.warnings:
            self._print(self.err, f"warning: {warning}")
        return report

    def show_first(self, files: frozenset[str]) -> None:
        """The build under way wrote these files ahead of the rest: tabs showing them may reload with its id."""
        with self._changed:
            shown = self._shown_first
            self._shown_first = (_ShownFirst(self._next_id(), files) if shown is None
                                 else _ShownFirst(shown.build_id, shown.files | files))
            self._changed.notify_all()

    def _failed(self, error: BaseException, details: str) -> None:
        self.builds += 1
        previous = self.status
        same = previous.error is not None and str(previous.error) == str(error) and previous.details == details
        self.status = BuildStatus(previous.build_id if same else self._next_id(), error, details)
        self._print(self.err, f"error: {error}" + (f"\n{details}" if details else ""))
        self._print(self.err, "The server keeps running; the browser shows the error until the next good build.")

    def _next_id(self) -> str:
        self._counter += 1
        return f"{self._session}-{self._counter}"

    @staticmethod
    def _print(stream: TextIO, message: str) -> None:
        print(message, file=stream, flush=True)
