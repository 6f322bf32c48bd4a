"""The `digest` command as a user runs it: messages, exit codes, no tracebacks."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from digest import __version__
from tests.helpers import FIXTURES, make_project


def digest(*args: str, cwd: Path | None = None, stderr: int | None = subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1763769600"}  # 2025-11-22
    return subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=stderr, timeout=120)


def test_version_and_help() -> None:
    assert digest("--version").stdout.strip() == f"paper-digest {__version__}"
    help_text = digest("build", "--help").stdout
    assert "--keep-going" in help_text and "--source DIR" in help_text and "--output DIR" in help_text


@pytest.mark.parametrize(("fixture", "where", "words"), [
    ("missing-abstract.txt", "2025-10-08.txt:9", "has no abstract"),
    ("no-date.txt", "2025-10-08.txt:1", "no date line"),
    ("latin1.txt", "2025-10-08.txt:5", "not UTF-8"),
    ("binary.txt", "2025-10-08.txt:3", "binary file"),
    ("empty.txt", "2025-10-08.txt", "file is empty"),
])
def test_bad_snapshots_exit_2_with_file_line_and_no_traceback(tmp_path: Path, fixture: str, where: str,
                                                              words: str) -> None:
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": (FIXTURES / "snapshots" / fixture).read_bytes()})
    result = digest("build", "--source", str(project.root))
    assert result.returncode == 2
    assert where in result.stderr and words in result.stderr
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert not project.output.exists()


def test_keep_going_builds_the_good_files_and_warns(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True, snapshots={
        "2025-10-09.txt": (FIXTURES / "snapshots" / "empty.txt").read_bytes()})
    result = digest("build", "--source", str(project.root), "--keep-going")
    assert result.returncode == 0
    assert "warning: " in result.stderr and "2025-10-09.txt: file is empty" in result.stderr
    assert (project.output / "index.html").is_file()


def test_a_year_less_file_name_builds_with_a_warning(tmp_path: Path) -> None:
    project = make_project(tmp_path, snapshots={"october.txt": (FIXTURES / "snapshots" / "minimal.txt").read_text()})
    result = digest("build", "--source", str(project.root))
    assert result.returncode == 0
    assert "the year was taken as 2025" in result.stderr
    assert (project.output / "snapshots" / "2025-10-08" / "index.html").is_file()


def test_bad_config_is_an_error_naming_the_key(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True, site_yaml="title: T\nbase_url: not a url\n")
    result = digest("build", "--source", str(project.root))
    assert result.returncode == 2
    assert "site.yaml:2: 'base_url': must be an absolute http(s) URL" in result.stderr


def on_a_terminal(*args: str) -> tuple[int, str]:
    """Run `digest` with stderr on a pseudo-terminal; its exit status and what the terminal received."""
    leader, follower = pty.openpty()
    try:
        result = digest(*args, stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    return result.returncode, shown.decode()


def test_no_progress_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    quiet = digest("build", "--source", str(project.root), "--output", str(tmp_path / "out"))
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert "\r" not in quiet.stderr


def test_live_progress_and_a_summary_on_a_terminal(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    status, shown = on_a_terminal("build", "--source", str(project.root), "--output", str(tmp_path / "tty"))
    assert status == 0
    live, _, summary = shown.rpartition("\r\x1b[K")  # the status line is taken down before the summary
    assert "\rreading" in live and "\rrendering" in live and " pages" in live
    assert "\r" not in summary.replace("\r\n", "\n"), "the summary is plain lines"
    assert summary.startswith("Built 96 papers in ") and "pages (" in summary and "search " in summary
    assert "reading " in summary and "writing " in summary and "side by side" in summary


def test_quiet_on_a_terminal_prints_warnings_only(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"october.txt": (FIXTURES / "snapshots" / "minimal.txt").read_text()})
    status, shown = on_a_terminal("build", "--quiet", "--source", str(project.root), "--output", str(tmp_path / "q"))
    assert status == 0
    assert shown.startswith("warning: ") and "the year was taken as" in shown
    assert "\r" not in shown.replace("\r\n", "\n") and "Built" not in shown

