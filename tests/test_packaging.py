"""The package as a user installs it: a self-contained wheel, `digest init` and `digest build` without Node.js."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from digest import __version__
from digest.commands.init import SAMPLE_SNAPSHOT
from digest.inputs.sources import is_source_name
from tests.helpers import REPO, node_or_fail

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def package_folders() -> set[str]:
    """Every folder of digest/ that holds modules or data, as a package name."""
    found = set()
    for path in (REPO / "digest").rglob("*"):
        if path.is_file() and is_source_name(path.name) and "__pycache__" not in path.parts:
            found.add(".".join(path.parent.relative_to(REPO).parts))
    return found


def test_every_package_and_the_mapped_folders_are_in_the_wheel_list() -> None:
    listed = set(SETUPTOOLS["packages"])
    assert package_folders() <= listed, f"add to [tool.setuptools] packages: {package_folders() - listed}"
    assert SETUPTOOLS["package-dir"] == {"digest.default_theme": "templates", "digest.default_content": "content"}
    assert f"snapshots/{SAMPLE_SNAPSHOT}" in SETUPTOOLS["package-data"]["digest.default_content"]
    assert PYPROJECT["project"]["license-files"] == ["LICENSE", "THIRD_PARTY_NOTICES.md"]
    assert "Copyright (c) 2026 paper-digest contributors" in (REPO / "LICENSE").read_text(encoding="utf-8")
    notices = (REPO / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    assert "lunr.js 2.3.9" in notices and (REPO / "node_modules" / "lunr" / "LICENSE").read_text("utf-8") in notices


def copy_sources(target: Path) -> Path:
    """What `pip install .` reads, copied, so the build leaves nothing in the working tree."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*~", ".*")
    for name in ("pyproject.toml", "README.md", "LICENSE", "THIRD_PARTY_NOTICES.md"):
        shutil.copy(REPO / name, target / name)
    for name in ("digest", "templates", "content"):
        shutil.copytree(REPO / name, target / name, ignore=ignore)
    return target


def run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **options)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_environment_and_builds_a_searchable_site_without_node(
        tmp_path: Path) -> None:
    node = node_or_fail()  # for checking the result only; the build must not need it
    (tmp_path / "source").mkdir()
    source = copy_sources(tmp_path / "source")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(source)])
    (wheel,) = (tmp_path / "dist").glob("paper_digest-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {path.relative_to(REPO / "templates").as_posix() for path in (REPO / "templates").rglob("*")
             if path.is_file() and all(is_source_name(part) for part in path.parts)}
    assert {f"digest/default_theme/{name}" for name in theme} <= names
    assert {"digest/vendor/lunr.min.js", "digest/vendor/LICENSE-lunr", "digest/default_content/topics.yaml",
            f"digest/default_content/snapshots/{SAMPLE_SNAPSHOT}", "digest/scaffold/publish.yml"} <= names
    assert {f"paper_digest-{__version__}.dist-info/licenses/{name}"
            for name in ("LICENSE", "THIRD_PARTY_NOTICES.md")} <= names

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)])  # no --system-site-packages: only what the wheel asks for
    pip_env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], env=pip_env)

    bare = {"PATH": str(venv / "bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8"}  # no node on this PATH
    assert shutil.which("node", path=bare["PATH"]) is None
    where = run([str(venv / "bin" / "python"), "-c", "import digest; print(digest.__file__)"], env=bare,
                cwd=tmp_path).stdout
    assert where.startswith(str(venv)), "the installed package, not the checkout"
    run(["digest", "init", "my-digest"], env=bare, cwd=tmp_path)
    site = tmp_path / "my-digest"
    run(["digest", "check"], env=bare, cwd=site)
    run(["digest", "build"], env=bare, cwd=site)

    (lunr,) = (site / "site" / "assets").glob("lunr.*.js")
    assert lunr.read_bytes() == (REPO / "node_modules" / "lunr" / "lunr.min.js").read_bytes()
    found = run([node, str(REPO / "tests" / "search_query.js"), str(site / "site"), "regression"]).stdout
    titles = [result["title"] for result in json.loads(found)[0]["results"]]
    assert any("Regression Transformer" in title for title in titles), titles
