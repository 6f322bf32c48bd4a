"""A full build on every core gives the bytes a one-process build gives, and errors as clear."""

from __future__ import annotations

import filecmp
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from digest.commands import parallel
from digest.commands.build import build_site
from digest.errors import DigestError, TemplateError
from digest.project import PACKAGE_ROOT, Project
from tests.helpers import make_project, tree


def test_tasks_come_back_numbered_whatever_order_they_finish_in() -> None:
    tasks = [lambda n=n: n * n for n in range(7)]
    assert sorted(parallel.run_tasks(tasks, processes=2)) == [(n, n * n) for n in range(7)]
    assert list(parallel.run_tasks(tasks, processes=1)) == [(n, n * n) for n in range(7)]


def test_a_parallel_build_equals_a_one_process_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not parallel.can_fork():
        pytest.skip("this platform cannot fork")
    from digest import taxonomy as classifier

    project = make_project(tmp_path / "a", with_seeds=True)
    monkeypatch.setattr(classifier, "CLASSIFY_ALONE", 0)  # the catalog classifies on the workers too
    build_site(project)  # a full build keeps no memo: every paper is classified in each
    monkeypatch.setattr(parallel, "usable_cores", lambda: 1)
    single = Project.at(project.root, tmp_path / "single")
    build_site(single)
    assert tree(project.output) == tree(single.output)
    assert not filecmp.dircmp(project.output, single.output).diff_files


def test_a_user_error_raised_in_a_worker_keeps_its_file_and_line(tmp_path: Path) -> None:
    error = pickle.loads(pickle.dumps(TemplateError("unknown filter 'x'", tmp_path / "paper.html", 12)))
    assert isinstance(error, DigestError) and error.line == 12
    assert str(error).endswith("paper.html:12: unknown filter 'x'")
    project = make_project(tmp_path / "b", with_seeds=True)
    shutil.copytree(PACKAGE_ROOT / "templates", project.root / "templates")
    paper = project.root / "templates" / "paper.html"
    broken = "{% block main %}{{ missing.attribute.chain }}"
    text = paper.read_text(encoding="utf-8").replace("{% block main %}", broken)
    paper.write_text(text, encoding="utf-8")
    line = next(number for number, source in enumerate(text.splitlines(), 1) if broken in source)
    with pytest.raises(TemplateError) as raised:
        build_site(project)
    assert raised.value.path is not None and raised.value.path.name == "paper.html" and raised.value.line == line
    assert not project.output.exists()
    assert [path.name for path in project.root.iterdir() if path.name.startswith(".site")] == []  # no staging left


def test_the_tasks_marked_here_run_in_this_process_beside_the_workers(tmp_path: Path) -> None:
    """A preview's memo-bound tasks stay where the memo is; the others go to the workers; every result comes back."""
    if not parallel.can_fork() or parallel.usable_cores() < 2:
        pytest.skip("needs fork and two cores")
    tasks = [os.getpid] * 5
    pids = dict(parallel.run_tasks(tasks, here=[1, 3]))
    assert sorted(pids) == [0, 1, 2, 3, 4]
    assert pids[1] == pids[3] == os.getpid()
    assert os.getpid() not in {pids[0], pids[2], pids[4]}, "the others ran in workers"

    def fail() -> None:
        raise DigestError("bad snapshot", tmp_path / "2025-10-08.json", 3)

    with pytest.raises(DigestError) as raised:
        list(parallel.run_tasks([fail, os.getpid], here=[1]))
    assert raised.value.line == 3 and raised.value.path == tmp_path / "2025-10-08.json", "a worker's error, whole"


STOPPED_EARLY = """
import signal, sys, time
from digest.commands import parallel
signal.signal(signal.SIGTERM, lambda *_: None)  # as `digest serve` does: the handler only notes a stop
for _ in parallel.run_tasks([lambda: 0, lambda: time.sleep(60)], processes=2):
    break  # a failed build leaves the pool while a worker still runs a task
print("ended")
"""


def test_workers_end_when_told_even_under_a_parent_that_keeps_running_on_sigterm() -> None:
    """A forked worker must not inherit a handler that ignores SIGTERM: a preview hung in its first build."""
    if not parallel.can_fork() or parallel.usable_cores() < 2:
        pytest.skip("needs fork and two cores")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", STOPPED_EARLY], capture_output=True, text=True, timeout=50,
                          cwd=PACKAGE_ROOT.parent)
    assert done.stdout.strip() == "ended", done.stderr
    assert time.monotonic() - started < 20
