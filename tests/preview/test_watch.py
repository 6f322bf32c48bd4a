"""Watching for `digest serve`: bursts of saves give one build, and only source files count."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from watchdog.events import DirModifiedEvent, FileClosedNoWriteEvent, FileModifiedEvent, FileMovedEvent

from digest.preview.watch import Debouncer, is_relevant
from digest.project import Project
from tests.helpers import make_project


def test_a_burst_of_saves_gives_one_build() -> None:
    builds: list[float] = []
    debouncer = Debouncer(lambda: builds.append(time.monotonic()), quiet=0.1)
    debouncer.start()
    try:
        last = 0.0
        for _ in range(30):
            debouncer.trigger()
            last = time.monotonic()
            time.sleep(0.005)
        time.sleep(0.5)
    finally:
        debouncer.stop()
    assert len(builds) == 1
    assert builds[0] - last >= 0.09  # it waited for the burst to settle


def test_changes_during_a_build_give_exactly_one_more_build() -> None:
    started, release = threading.Event(), threading.Event()
    builds: list[int] = []

    def build() -> None:
        builds.append(len(builds))
        if len(builds) == 1:
            started.set()
            release.wait(5)

    debouncer = Debouncer(build, quiet=0.05)
    debouncer.start()
    try:
        debouncer.trigger()
        assert started.wait(2)
        for _ in range(5):
            debouncer.trigger()
            time.sleep(0.01)
        release.set()
        time.sleep(0.5)
    finally:
        debouncer.stop()
    assert len(builds) == 2


def test_a_steady_trickle_of_saves_still_builds() -> None:
    builds: list[float] = []
    debouncer = Debouncer(lambda: builds.append(time.monotonic()), quiet=0.1, max_wait=0.3)
    debouncer.start()
    try:
        for _ in range(20):
            debouncer.trigger()
            time.sleep(0.05)
    finally:
        debouncer.stop()
    assert len(builds) >= 2


def test_the_build_output_and_editor_scratch_files_never_trigger_a_build(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    inside = Project.at(tmp_path, tmp_path / "content" / "preview")  # an output folder inside content/
    snapshot = str(project.snapshots / "2025-10-08.txt")
    assert is_relevant(FileModifiedEvent(snapshot), project)
    assert is_relevant(FileModifiedEvent(str(project.content / "site.yaml")), project)
    assert is_relevant(FileMovedEvent(snapshot + ".tmp", snapshot), project)  # an editor's atomic save
    for ignored in (
        FileModifiedEvent(str(inside.output / "index.html")),
        FileModifiedEvent(str(tmp_path / "content" / ".preview.new-123" / "feed.xml")),
        FileModifiedEvent(str(project.output / "index.html")),
        FileModifiedEvent(snapshot + ".swp"),
        FileModifiedEvent(str(project.snapshots / ".#2025-10-08.txt")),
        FileClosedNoWriteEvent(snapshot),
        DirModifiedEvent(str(project.snapshots)),
    ):
        assert not is_relevant(ignored, inside), ignored
