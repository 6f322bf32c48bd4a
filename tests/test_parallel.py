"""A full build on every core gives the bytes a one-process build gives, and errors as clear."""

from __future__ import annotations

import filecmp
import pickle
import shutil
from pathlib import Path

import pytest

from digest.commands import parallel
from digest.commands.build import build_site
from digest.errors import DigestError, TemplateError
from digest.project import PACKAGE_ROOT, Project
from tests.conftest import make_project


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_tasks_come_back_numbered_whatever_order_they_finish_in() -> None:
    tasks = [lambda n=n: n * n for n in range(7)]
    assert sorted(parallel.run_tasks(tasks, processes=2)) == [(n, n * n) for n in range(7)]
    assert list(parallel.run_tasks(tasks, processes=1)) == [(n, n * n) for n in range(7)]


def test_a_parallel_build_equals_a_one_process_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not parallel.can_fork():
        pytest.skip("this platform cannot fork")
    project = make_project(tmp_path / "a", with_seeds=True)
    build_site(project)
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
    with pytest.raises(TemplateError) as raised:
        build_site(project)
    assert raised.value.path is not None and raised.value.path.name == "paper.html" and raised.value.line == 11
