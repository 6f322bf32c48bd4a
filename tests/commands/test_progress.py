"""Build progress: the terminal's status line, stage timings and the summary."""

from __future__ import annotations

import io
from pathlib import Path

from digest.commands.build import BuildReport, BuildState, InView, build_site
from digest.commands.progress import ERASE_TO_END, NullProgress, Stages, StageTime, TerminalProgress, summary
from tests.helpers import make_project


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def redraws(text: str) -> list[str]:
    """Each state the status line was drawn in, in order."""
    return [part.removesuffix(ERASE_TO_END) for part in text.split("\r") if part]


def test_the_status_line_is_redrawn_in_place_with_count_and_rate() -> None:
    terminal, clock = FakeTerminal(), Clock()
    progress = TerminalProgress(terminal, clock=clock)
    progress.stage("reading")
    progress.stage("rendering", 10_781, "pages")
    clock.now += 2
    progress.advance(4_210)
    assert progress.line() == "rendering 4,210/10,781 pages (2,105/s)"
    progress.done()
    assert redraws(terminal.getvalue()) == ["reading…", "rendering 0/10,781 pages",
                                            "rendering 4,210/10,781 pages (2,105/s)", ""]
    assert "\n" not in terminal.getvalue(), "one line, rewritten, never scrolled"
    assert terminal.getvalue().endswith("\r" + ERASE_TO_END), "done() leaves the line empty"


def test_counts_are_drawn_at_most_ten_times_a_second() -> None:
    terminal, clock = FakeTerminal(), Clock()
    progress = TerminalProgress(terminal, clock=clock)
    progress.stage("rendering", 10_000, "pages")
    for _ in range(10_000):  # 10,000 pages over 2 s
        clock.now += 0.0002
        progress.advance()
    assert 1 + 19 <= terminal.getvalue().count("\r") <= 1 + 21


def test_a_long_line_is_cut_to_the_terminal_width() -> None:
    terminal = FakeTerminal()
    progress = TerminalProgress(terminal, width=20)
    progress.stage("rendering, search and emails")
    assert redraws(terminal.getvalue()) == ["rendering, search a"]


def test_done_without_anything_drawn_writes_nothing() -> None:
    terminal = FakeTerminal()
    TerminalProgress(terminal).done()
    assert terminal.getvalue() == ""


def test_stages_are_timed_and_parts_run_side_by_side() -> None:
    clock = Clock()
    stages = Stages(NullProgress(), clock=clock)
    stages.start("reading")
    clock.now += 1.5
    stages.start("rendering, search and emails")
    stages.show("rendering", 100, "pages")  # what the line says; the stage's timing goes on
    stages.add("pages", 2.0)
    stages.add("search", 3.0)
    clock.now += 3.25
    stages.start("writing")
    clock.now += 0.5
    assert stages.finish() == (
        StageTime("reading", 1.5),
        StageTime("rendering, search and emails", 3.25, (StageTime("pages", 2.0), StageTime("search", 3.0))),
        StageTime("writing", 0.5),
    )


def test_the_summary_says_what_was_made_and_where_the_time_went() -> None:
    report = BuildReport(papers=10_000, snapshots=300, pages=10_781, files=12_000, written=11_990, unchanged=10,
                         removed=0, rendered=10_781, reused=0, search_bytes=22_700_000, seconds=13.24, warnings=(),
                         stages=(StageTime("reading", 1.2),
                                 StageTime("rendering, search and emails", 5.1,
                                           (StageTime("pages", 2.4), StageTime("search", 4.9))),
                                 StageTime("writing", 1.0)))
    assert summary(report).splitlines() == [
        "Built 10,000 papers in 13.2 s: 10,781 pages (10,781 rendered), 12,000 files (11,990 written, "
        "10 unchanged, 0 removed), search 22.7 MB",
        "  reading 1.2 s · rendering, search and emails 5.1 s (side by side: pages 2.4 s, search 4.9 s) "
        "· writing 1.0 s",
    ]


def test_a_build_and_a_preview_rebuild_go_through_the_same_stages(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    terminal = FakeTerminal()
    full = build_site(project, progress=TerminalProgress(terminal))
    stages = ["reading", "catalog", "planning", "making", "paper pages", "writing"]
    assert [stage.name for stage in full.stages] == stages
    # side by side, on every core
    assert {part.name for part in full.stages[3].parts} == {"related papers", "search", "emails", "pages"}
    assert [part.name for part in full.stages[4].parts] == ["pages"]
    assert sum(stage.seconds for stage in full.stages) <= full.seconds
    shown = redraws(terminal.getvalue())  # every new stage is drawn at once; counts at most ten times a second
    assert {"reading…", "reading 0/2 snapshots", "catalog…", "planning…", f"rendering 0/{full.papers:,} paper pages",
            "writing…"} <= set(shown)

    state = BuildState()
    assert [stage.name for stage in build_site(project, state=state).stages] == stages
    settings = project.content / "site.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("title:", "title: Our", 1), encoding="utf-8")
    again = build_site(project, state=state, in_view=InView(frozenset({"index.html"}), lambda files: None))
    assert [stage.name for stage in again.stages] == ["reading", "catalog", "open pages", *stages[2:]]
