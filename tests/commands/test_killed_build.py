"""A killed build leaves nothing running and nothing the next build keeps: its workers end with it, and its
staging folder goes (SIGTERM: on its way out; SIGKILL: at the next build). A live build's folder stays."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from digest.commands import parallel
from digest.output.writer import StagedSite, remove_stale_staging, write_site
from tests.helpers import REPO

PAPERS = 1500  # a build of a couple of seconds: long enough to be killed halfway
PR_SET_CHILD_SUBREAPER = 36  # from <sys/prctl.h>


def _bench() -> Any:
    """bench/bench.py, whose seeded corpus generator makes the project."""
    spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "bench" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic project (the benchmark's generator) and a clean build of it in reference/."""
    if not parallel.can_fork() or parallel.usable_cores() < 2:
        pytest.skip("needs fork and two cores: a build without workers has none to stop")
    root = tmp_path_factory.mktemp("corpus") / "project"
    _bench().make_project(root, PAPERS)
    subprocess.run(_build_command(root, root / "reference"), check=True, capture_output=True, timeout=120)
    return root


def _build_command(root: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "digest", "build", "--source", str(root), "--output", str(output), "-q"]


def _staging(output: Path) -> list[Path]:
    return sorted(output.parent.glob(f".{output.name}.new-*")) + sorted(output.parent.glob(f".{output.name}.old-*"))


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _papers(site: Path) -> int:
    return len(list((site / "papers").glob("*/index.html")))


def _children(pid: int) -> set[int]:
    """Live processes whose parent is `pid` (zombies are gone: they run nothing)."""
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextmanager
def _build_with_workers(root: Path, output: Path) -> Iterator[tuple[subprocess.Popen[bytes], set[int]]]:
    """Start a build; yield it and its workers once it has a staging folder and two workers."""
    build = subprocess.Popen(_build_command(root, output), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and build.poll() is None:
            workers = _children(build.pid)
            if _staging(output) and len(workers) >= 2:
                yield build, workers
                return
            time.sleep(0.01)
        pytest.fail(f"the build never ran two workers with a staging folder (exit {build.poll()})")
    finally:
        if build.poll() is None:
            build.kill()
        build.wait()


@contextmanager
def _adopting_orphans() -> Iterator[None]:
    """Make this process the subreaper of its descendants (Linux): a killed build's workers become its
    children, so how they ended can be read."""
    prctl = ctypes.CDLL(None).prctl
    if prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        pytest.skip("no PR_SET_CHILD_SUBREAPER here")
    try:
        yield
    finally:
        prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def _wait_for(children: set[int], seconds: float = 5) -> dict[int, int]:
    """The wait status of each child that ended within `seconds`."""
    ended: dict[int, int] = {}
    deadline = time.monotonic() + seconds
    while len(ended) < len(children) and time.monotonic() < deadline:
        for pid in children - ended.keys():
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                ended[pid] = status
        time.sleep(0.01)
    return ended


def _assert_gone_soon(pids: set[int], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while any(map(_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not [pid for pid in pids if _running(pid)], "workers outlived their build"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_sigkilled_builds_workers_end_and_the_next_build_removes_its_staging_folder(corpus: Path,
                                                                                       tmp_path: Path) -> None:
    output = tmp_path / "site"
    with _adopting_orphans(), _build_with_workers(corpus, output) as (build, workers):
        build.kill()
        build.wait()
        assert len(_wait_for(workers)) == len(workers), "workers outlived their build"
    left = _staging(output)
    assert left, "a SIGKILLed build cannot clean up: its staging folder is there"
    subprocess.run(_build_command(corpus, output), check=True, capture_output=True, timeout=120)
    assert _staging(output) == []
    assert _tree(output) == _tree(corpus / "reference"), "the site is whole: as a build never interrupted made it"
    assert _papers(output) == PAPERS


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_sigtermed_build_stops_at_once_removes_its_staging_folder_and_keeps_the_site(corpus: Path,
                                                                                        tmp_path: Path) -> None:
    output = tmp_path / "site"
    write_site({"index.html": b"previous"}, output)
    with _build_with_workers(corpus, output) as (build, workers):
        stopped = time.monotonic()
        build.terminate()
        assert build.wait(timeout=10) == 128 + signal.SIGTERM, build.stderr.read() if build.stderr else ""
        assert time.monotonic() - stopped < 5
        _assert_gone_soon(workers)
    assert _staging(output) == []
    assert (output / "index.html").read_bytes() == b"previous"


BUSY_WORKERS = """
import os, sys, time
from pathlib import Path
from digest.commands import parallel

def task():
    (Path(sys.argv[1]) / str(os.getpid())).touch()  # started
    time.sleep(60)

for _ in parallel.run_tasks([task, task], processes=2):
    pass
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux: PR_SET_PDEATHSIG")
def test_busy_workers_are_killed_with_the_process_that_forked_them(tmp_path: Path) -> None:
    """Not left to finish their tasks: a killed build's workers went on writing into its staging folder."""
    if not parallel.can_fork() or parallel.usable_cores() < 2:
        pytest.skip("needs fork and two cores")
    with _adopting_orphans():
        parent = subprocess.Popen([sys.executable, "-c", BUSY_WORKERS, str(tmp_path)], cwd=REPO)
        try:
            deadline = time.monotonic() + 30
            while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            workers = {int(path.name) for path in tmp_path.iterdir()}
            assert len(workers) == 2, "two pool workers started"
        finally:
            parent.kill()
            parent.wait()
        ended = _wait_for(workers)
        for pid in workers - ended.keys():  # left running: the test fails, and ends them
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert len(ended) == 2, "workers outlived their parent"
    assert all(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL for status in ended.values())


HOLD_STAGING = """
import sys
from pathlib import Path
from digest.output.writer import StagedSite
staged = StagedSite(Path(sys.argv[1]))
staged.add({"index.html": b"live"})
print(staged.staging, flush=True)
sys.stdin.readline()  # the test says when this build ends
staged.finish(["index.html"])
"""


def test_a_live_builds_staging_folder_survives_another_builds_cleanup(tmp_path: Path) -> None:
    output = tmp_path / "site"
    dead_new, dead_old = tmp_path / ".site.new-1-dead", tmp_path / ".site.old-1-dead"  # no lock: a killed build's
    for folder in (dead_new, dead_old):
        (folder / "papers").mkdir(parents=True)
    live = subprocess.Popen([sys.executable, "-c", HOLD_STAGING, str(output)], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert live.stdout is not None and live.stdin is not None
        staging = Path(live.stdout.readline().strip())
        write_site({"index.html": b"other"}, output)  # another build to the same output, done meanwhile
        remove_stale_staging(output)
        assert (staging / "index.html").read_bytes() == b"live"
        assert not dead_new.exists() and not dead_old.exists()
        live.stdin.write("\n")
        live.stdin.close()
        assert live.wait(timeout=30) == 0
    finally:
        if live.poll() is None:
            live.kill()
    assert (output / "index.html").read_bytes() == b"live"
    assert _staging(output) == []


def test_staging_folders_are_locked_in_this_process_too(tmp_path: Path) -> None:
    """A second lock on a folder fails even from the process holding the first (a flock is per open file)."""
    staged = StagedSite(tmp_path / "site")
    remove_stale_staging(tmp_path / "site")
    assert staged.staging.is_dir()
    staged.abandon()
    assert _staging(tmp_path / "site") == []
