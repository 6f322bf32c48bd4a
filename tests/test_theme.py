"""The theme: the packaged default, a site's own templates/ over it file by file, and the lunr.js it ships."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from digest.commands.build import build_site
from digest.output.assets import find_lunr
from digest.project import Project
from digest.theme import Theme, default_theme_dir
from tests.helpers import REPO, make_project

SAMPLE = REPO / "content" / "snapshots" / "2025-10-08.txt"


def project_with_sample(root: Path) -> Project:
    return make_project(root, snapshots={"2025-10-08.txt": SAMPLE.read_text(encoding="utf-8")})


def test_the_default_theme_is_the_repository_templates_folder_in_a_checkout() -> None:
    assert default_theme_dir() == REPO / "templates"
    assert Project.at(REPO).theme.layers == (REPO / "templates",), "the repository's own site has one layer"


def test_a_site_without_templates_uses_the_default_theme(tmp_path: Path) -> None:
    project = project_with_sample(tmp_path)
    assert project.theme.layers == (default_theme_dir(),) and project.theme.overridden() == ()
    build_site(project)
    assert "Regression Transformer" in (project.output / "index.html").read_text(encoding="utf-8")


def test_one_template_of_the_site_overrides_the_default_and_the_rest_stays(tmp_path: Path) -> None:
    project = project_with_sample(tmp_path)
    own = project.root / "templates"
    (own / "partials").mkdir(parents=True)
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    (own / "base.html").write_text(base.replace("</body>", "<p>Curated by us</p>\n</body>"), encoding="utf-8")
    (own / ".base.html.swp").write_text("editor litter", encoding="utf-8")
    assert project.theme.overridden() == ("base.html",)
    build_site(project)
    home = (project.output / "index.html").read_text(encoding="utf-8")
    about = (project.output / "about" / "index.html").read_text(encoding="utf-8")
    assert "Curated by us" in home and "Curated by us" in about
    assert "Regression Transformer" in home, "home.html still comes from the default theme"


def test_a_theme_may_call_the_link_helpers_or_use_them_as_filters(tmp_path: Path) -> None:
    """The bundled templates write `{{ path | url }}` (a cheaper call); a theme written with `{{ url(path) }}`,
    `asset()` and `absolute_url()` gets the same links."""
    project = project_with_sample(tmp_path)
    own = project.root / "templates"
    own.mkdir()
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    as_calls = re.sub(r"\{\{ ([^{}]+?) \| (url|asset|absolute_url) \}\}", r"{{ \2(\1) }}", base)
    assert "{{ url(paths.ARCHIVE) }}" in as_calls and "{{ asset('style.css') }}" in as_calls
    build_site(project)
    expected = {path: path.read_bytes() for path in sorted(project.output.rglob("*.html"))}
    (own / "base.html").write_text(as_calls, encoding="utf-8")
    build_site(project)
    assert {path: path.read_bytes() for path in sorted(project.output.rglob("*.html"))} == expected


def test_a_static_file_of_the_site_overrides_the_default_one(tmp_path: Path) -> None:
    project = project_with_sample(tmp_path)
    (project.root / "templates" / "static").mkdir(parents=True)
    (project.root / "templates" / "static" / "style.css").write_text("body { color: rebeccapurple }\n",
                                                                     encoding="utf-8")
    (project.root / "templates" / "static" / "extra.txt").write_text("added\n", encoding="utf-8")
    theme = project.theme
    assert theme.static_files()["style.css"].parent == project.root / "templates" / "static"
    assert theme.static_files()["site.js"].parent == default_theme_dir() / "static"
    build_site(project)
    styles = list((project.output / "assets").glob("style.*.css"))
    assert [path.read_text(encoding="utf-8") for path in styles] == ["body { color: rebeccapurple }\n"]
    assert list((project.output / "assets").glob("site.*.js")) and list((project.output / "assets").glob("extra.*"))


def test_digest_build_says_which_templates_came_from_the_site(tmp_path: Path) -> None:
    project = project_with_sample(tmp_path)
    (project.root / "templates" / "email").mkdir(parents=True)
    for name in ("404.html", "email/digest.txt"):
        (project.root / "templates" / name).write_bytes((REPO / "templates" / name).read_bytes())
    result = subprocess.run([sys.executable, "-m", "digest", "build", "--source", str(project.root)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"templates from {project.root / 'templates'}: 404.html, email/digest.txt" in result.stderr
    quiet = subprocess.run([sys.executable, "-m", "digest", "build", "-q", "--source", str(project.root)],
                           capture_output=True, text=True, timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_theme_files_skip_hidden_and_editor_files(tmp_path: Path) -> None:
    default, own = tmp_path / "default", tmp_path / "own"
    (default / "static").mkdir(parents=True)
    own.mkdir()
    for path in (default / "a.html", default / "b.html", default / "static" / "x.js", own / "b.html",
                 own / "b.html~", own / ".#b.html"):
        path.write_text(path.name, encoding="utf-8")
    theme = Theme(own=own, default=default)
    assert theme.files() == {"a.html": default / "a.html", "b.html": own / "b.html",
                             "static/x.js": default / "static" / "x.js"}
    assert theme.template_names() == ("a.html", "b.html")
    assert theme.static_files() == {"x.js": default / "static" / "x.js"}


def test_the_shipped_lunr_is_the_npm_package_2_3_9_byte_for_byte() -> None:
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/lunr"]["version"] == "2.3.9"
    assert json.loads((REPO / "package.json").read_text(encoding="utf-8"))["dependencies"]["lunr"] == "2.3.9"
    shipped = find_lunr()
    assert shipped == REPO / "digest" / "vendor" / "lunr.min.js"
    assert shipped.read_bytes() == (REPO / "node_modules" / "lunr" / "lunr.min.js").read_bytes()
    assert b"2.3.9" in shipped.read_bytes()[:200]
    notice = (REPO / "digest" / "vendor" / "LICENSE-lunr").read_bytes()
    assert notice == (REPO / "node_modules" / "lunr" / "LICENSE").read_bytes()


def test_the_built_site_serves_the_shipped_lunr(site_dir: Path) -> None:
    (served,) = (site_dir / "assets").glob("lunr.*.js")
    assert served.read_bytes() == find_lunr().read_bytes()
