"""A preview's rebuild timed in one process: a first build, then three rounds of one paper appended to the newest
snapshot with the home page open. Prints, per round, the seconds until the open page is written and until the
whole site is.

    .venv/bin/python bench/preview_rebuild.py PROJECT_DIR LABEL

PROJECT_DIR holds content/ (e.g. one bench.py or bench/ab.sh made); the site goes to /dev/shm/prev-LABEL. The
newest snapshot is put back as it was at the end.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from digest.commands.build import BuildState, InView, build_site
from digest.project import Project


def main() -> None:
    root, label = Path(sys.argv[1]), sys.argv[2]
    project = Project.at(root, Path(f"/dev/shm/prev-{label}"))
    shutil.rmtree(project.output, ignore_errors=True)
    state = BuildState()
    started = time.perf_counter()
    build_site(project, state=state)
    first = time.perf_counter() - started
    snapshot = sorted(project.snapshots.glob("*.txt"))[-1]
    original = snapshot.read_text(encoding="utf-8")
    rounds = []
    try:
        for number in range(3):
            snapshot.write_text(original + f"\nAppended paper number {number} on sparse attention\n\n"
                                f"We study sparse attention for long context {number}.\n\n", encoding="utf-8")
            rounds.append(_one_round(project, state))
    finally:
        snapshot.write_text(original, encoding="utf-8")
    print(label, "first build", round(first, 2), "s; rounds (open page written, whole site):", rounds)


def _one_round(project: Project, state: BuildState) -> tuple[float | None, float]:
    """(seconds until the open home page is written, seconds until the whole site is)."""
    shown: list[float] = []
    started = time.perf_counter()
    build_site(project, state=state,
               in_view=InView(frozenset({"index.html"}), lambda _: shown.append(time.perf_counter() - started)))
    return (round(shown[0], 2) if shown else None, round(time.perf_counter() - started, 2))


if __name__ == "__main__":
    main()
