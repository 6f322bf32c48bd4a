"""Watching the sources for `digest serve`: which file events matter, and turning bursts into one build."""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from digest.errors import DigestError
from digest.inputs.sources import is_source_name
from digest.project import Project

QUIET_SECONDS = 0.25
MAX_WAIT_SECONDS = 2.0


class Debouncer:
    """Turn bursts of change events into single calls of `action`, one at a time.

    `action` runs `quiet` seconds after the last trigger (at most `max_wait`
    after the first, so a steady trickle cannot starve it). Triggers that
    arrive while it runs are folded into exactly one more run after it.
    """

    def __init__(self, action: Callable[[], None], quiet: float = QUIET_SECONDS,
                 max_wait: float = MAX_WAIT_SECONDS) -> None:
        self._action = action
        self._quiet = quiet
        self._max_wait = max_wait
        self._condition = threading.Condition()
        self._pending = False
        self._first = self._last = 0.0
        self._stopping = False
        self._thread: threading.Thread | None = None

    def trigger(self) -> None:
        with self._condition:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending = True
            self._last = now
            self._condition.notify()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="digest-rebuild", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Drop pending triggers and wait for a running action to finish."""
        with self._condition:
            self._stopping = True
            self._condition.notify()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while self._wait_until_due():
            try:
                self._action()
            except Exception:  # keep watching: the next save may fix it
                traceback.print_exc()

    def _wait_until_due(self) -> bool:
        with self._condition:
            while not self._stopping:
                if not self._pending:
                    self._condition.wait()
                    continue
                now = time.monotonic()
                due = min(self._last + self._quiet, self._first + self._max_wait)
                if now >= due:
                    self._pending = False
                    return True
                self._condition.wait(due - now)
            return False


IGNORED_EVENTS = frozenset({"opened", "closed_no_write"})


def is_relevant(event: FileSystemEvent, project: Project) -> bool:
    """True for an event that can change the site: a saved source file, not the build's own output."""
    if event.event_type in IGNORED_EVENTS or (event.is_directory and event.event_type == "modified"):
        return False
    paths = [event.src_path, getattr(event, "dest_path", "")]
    return any(is_watched_path(Path(os.fsdecode(path)), project) for path in paths if path)


def is_watched_path(path: Path, project: Project) -> bool:
    """A path under content/ or the templates that is not output, staging or an editor's scratch file."""
    output = project.output
    if path == output or output in path.parents:
        return False
    staging_prefix = f".{output.name}."
    if any(part.parent == output.parent and part.name.startswith(staging_prefix) for part in (path, *path.parents)):
        return False
    for source in (project.content, project.templates):
        if path == source or source in path.parents:
            return all(is_source_name(part) for part in path.relative_to(source).parts)
    return False


class _ChangeHandler(FileSystemEventHandler):
    def __init__(self, project: Project, on_change: Callable[[], None]) -> None:
        self.project = project
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if is_relevant(event, self.project):
            self.on_change()


class Watcher:
    """Watches content/, the templates and the project folder itself (for a templates/ created later)."""

    def __init__(self, project: Project, on_change: Callable[[], None]) -> None:
        self.project = project
        self.observer = Observer()
        self.handler = _ChangeHandler(project, on_change)
        self.watched: set[Path] = set()

    def start(self) -> None:
        self.refresh()
        self.observer.start()

    def refresh(self) -> None:
        """Watch any source folder that appeared since the last call."""
        folders = [(self.project.root, False), (self.project.content, True), (self.project.templates, True)]
        for folder, recursive in folders:
            if folder in self.watched or not folder.is_dir():
                continue
            try:
                self.observer.schedule(self.handler, str(folder), recursive=recursive)
            except OSError as error:
                raise DigestError(f"cannot watch for changes: {error.strerror or error} (on Linux, raise "
                                  "fs.inotify.max_user_watches)", folder) from None
            self.watched.add(folder)

    def stop(self) -> None:
        if self.observer.is_alive():
            self.observer.stop()
            self.observer.join(10)
