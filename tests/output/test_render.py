"""Template dependencies: an edit renders again exactly the pages (and emails) that read what changed.

Each scenario builds once with a BuildState, as `digest serve` does, edits one template or setting, builds
again and checks two things: how many pages were rendered, and that the site equals a fresh full build of
the edited sources, byte for byte.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from digest.commands.build import BuildReport, BuildState, build_site
from digest.output import fast_escape
from digest.output.render import Renderer
from digest.plan.spec import PageSpec
from digest.project import Project
from tests.helpers import REPO, make_project, tree


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """The bundled content with its own copy of the templates, to edit."""
    project = make_project(tmp_path / "edited", with_seeds=True)
    shutil.copytree(REPO / "templates", project.root / "templates")
    return project


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def templates_by_path(state: BuildState) -> dict[str, str]:
    """Each cached page's own template (what plan_site chose), by path."""
    entries = {**state.renders.entries, **state.paper_renders.entries}
    return {path: key[1] for path, (key, _) in entries.items()}


def pages_whose_template(state: BuildState, project: Project, needle: str) -> int:
    """How many pages use a template whose own source contains `needle` (e.g. an extends or an import)."""
    templates = project.root / "templates"
    using = {name for name in set(templates_by_path(state).values()) if needle in (templates / name).read_text()}
    return sum(1 for name in templates_by_path(state).values() if name in using)


def assert_same_as_a_fresh_build(project: Project, root: Path) -> None:
    fresh = Project.at(root)
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(project.content, fresh.content)
    shutil.copytree(project.root / "templates", fresh.root / "templates")
    build_site(fresh)
    assert tree(project.output) == tree(fresh.output), "the incremental site equals a fresh full build's"


def rebuild(project: Project, state: BuildState) -> BuildReport:
    return build_site(project, state=state)


@pytest.mark.parametrize(("template", "old", "new", "used_by"), [
    ("paper.html", "{% block main %}", "{% block main %}<p>EDITED paper</p>", None),
    ("topic.html", "{% block main %}", "{% block main %}<p>EDITED topic</p>", None),
    ("partials/cards.html", "{%", "<!-- EDITED cards -->\n{%", '"partials/cards.html"'),
    ("base.html", "<body>", "<body>\n<p>EDITED base</p>", 'extends "base.html"'),
])
def test_a_template_edit_renders_only_the_pages_that_load_it(project: Project, tmp_path: Path, template: str,
                                                             old: str, new: str, used_by: str | None) -> None:
    state = BuildState()
    first = build_site(project, state=state)
    expected = (sum(1 for name in templates_by_path(state).values() if name == template) if used_by is None
                else pages_whose_template(state, project, used_by))
    assert 0 < expected < first.pages

    edit(project.root / "templates" / template, old, new)
    again = rebuild(project, state)

    assert again.rendered == expected and again.reused == first.pages - expected
    assert state.emails.rendered == 0, "a site template never renders an email again"
    assert_same_as_a_fresh_build(project, tmp_path / "fresh")


def test_the_numbers_are_what_a_reader_would_count(project: Project) -> None:
    """Not only the cache's own bookkeeping: paper.html is one page per paper, base.html every HTML page."""
    state = BuildState()
    first = build_site(project, state=state)
    edit(project.root / "templates" / "paper.html", "{% block main %}", "{% block main %}<p>EDITED</p>")
    assert rebuild(project, state).rendered == first.papers == len(list((project.output / "papers").iterdir()))
    edit(project.root / "templates" / "base.html", "<body>", "<body>\n<p>BASE EDITED</p>")
    again = rebuild(project, state)
    html_files = list(project.output.rglob("*.html"))
    emails = list(project.output.glob("snapshots/*/email.html"))
    edited = sum("BASE EDITED" in path.read_text() for path in html_files)
    assert again.rendered == edited == len(html_files) - len(emails)


def test_an_include_by_a_computed_name_is_tracked(project: Project, tmp_path: Path) -> None:
    """Names only the render knows (a variable, `ignore missing`, the first of a list found) are recorded as the
    pages load them."""
    templates = project.root / "templates"
    (templates / "partials" / "extra.html").write_text("<p>EXTRA one</p>\n", encoding="utf-8")
    edit(templates / "paper.html", "{% block main %}",
         '{% block main %}{% set part = ["partials", "extra.html"] | join("/") %}{% include part %}')
    edit(templates / "topic.html", "{% block main %}",
         '{% block main %}{% include ["partials/never.html", "partials/" ~ "later.html"] ignore missing %}')
    state = BuildState()
    first = build_site(project, state=state)
    papers = sum(1 for name in templates_by_path(state).values() if name == "paper.html")
    topics = sum(1 for name in templates_by_path(state).values() if name == "topic.html")

    (templates / "partials" / "extra.html").write_text("<p>EXTRA two</p>\n", encoding="utf-8")
    again = rebuild(project, state)
    assert again.rendered == papers == first.papers
    assert "EXTRA two" in next((project.output / "papers").glob("*/index.html")).read_text()

    (templates / "partials" / "later.html").write_text("<p>LATER</p>\n", encoding="utf-8")
    assert rebuild(project, state).rendered == topics, "a template that was missing, then created"
    assert_same_as_a_fresh_build(project, tmp_path / "fresh")


def test_a_session_compiles_a_template_again_when_its_source_changes_under_the_same_file_time(
        project: Project, tmp_path: Path) -> None:
    """A preview keeps compiled templates between builds; Jinja reloads one only when its file time changes,
    which a copy that keeps times (`cp -p`, a checkout, a sync tool) does not."""
    state = BuildState()
    build_site(project, state=state)
    paper = project.root / "templates" / "paper.html"
    times = paper.stat()
    edit(paper, "{% block main %}", "{% block main %}<p>SAME TIME</p>")
    os.utime(paper, ns=(times.st_atime_ns, times.st_mtime_ns))
    again = rebuild(project, state)
    assert again.rendered == again.papers
    assert "SAME TIME" in next((project.output / "papers").glob("*/index.html")).read_text()
    assert rebuild(project, state).rendered == 0, "and from then on the pages are current"
    assert_same_as_a_fresh_build(project, tmp_path / "fresh")


def test_an_email_template_renders_every_email_and_no_site_page(project: Project, tmp_path: Path) -> None:
    state = BuildState()
    first = build_site(project, state=state)
    days = first.snapshots
    assert state.emails.rendered == days
    edit(project.root / "templates" / "email" / "digest.html", "View in browser", "Open in your browser")
    again = rebuild(project, state)
    assert again.rendered == 0 and again.reused == first.pages
    assert state.emails.rendered == days and state.emails.reused == 0
    assert "Open in your browser" in next(project.output.glob("snapshots/*/email.html")).read_text()
    assert_same_as_a_fresh_build(project, tmp_path / "fresh")


@pytest.mark.parametrize(("old", "new", "emails_again"), [
    ("  max_new: 40", "  max_new: 3", True),  # the email shows fewer papers: its content changed
    ("  port: 587", "  port: 2525", False),  # delivery only: nothing rendered reads it
])
def test_an_email_setting_renders_no_site_page(project: Project, tmp_path: Path, old: str, new: str,
                                               emails_again: bool) -> None:
    state = BuildState()
    build_site(project, state=state)
    edit(project.content / "site.yaml", old, new)
    again = rebuild(project, state)
    assert again.rendered == 0
    assert (state.emails.rendered > 0) is emails_again
    assert_same_as_a_fresh_build(project, tmp_path / "fresh")


def test_a_setting_the_pages_show_renders_the_pages_that_show_it(project: Project, tmp_path: Path) -> None:
    state = BuildState()
    first = build_site(project, state=state)
    edit(project.content / "site.yaml", "contact: digest@example.org", "contact: editors@example.org")
    again = rebuild(project, state)
    footer = pages_whose_template(state, project, 'extends "base.html"')  # base.html's footer shows it
    assert again.rendered == footer < first.pages
    assert state.emails.rendered == 0, "the email does not show the contact address"
    edit(project.content / "site.yaml", "title: Paper Digest", "title: Paper Digest Weekly")
    rebuild(project, state)
    assert state.emails.rendered == first.snapshots, "the email shows the site's title"
    assert_same_as_a_fresh_build(project, tmp_path / "fresh")


def test_a_render_lists_what_it_read(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "parts").mkdir(parents=True)
    (templates / "layout.html").write_text("<h1>{{ site.title }}</h1>{% block body %}{% endblock %}")
    (templates / "parts" / "a.html").write_text("A")
    (templates / "page.html").write_text(
        '{% extends "layout.html" %}{% block body %}{% include which %}'
        '{% include "parts/none.html" ignore missing %}{% endblock %}')
    config = make_project(tmp_path / "p").root / "content"
    from digest.inputs.config import load_site_config

    renderer = Renderer(templates, load_site_config(config), {}, ())
    page = renderer.render_tracked(PageSpec("x/", "page.html", {"which": "parts/a.html"}))
    assert page.body == b"<h1>Paper Digest</h1>A"
    assert [name for name, _ in page.dependencies.templates] == [
        "layout.html", "page.html", "parts/a.html", "parts/none.html"]
    assert dict(page.dependencies.templates)["parts/none.html"] is None
    assert [name for name, _ in page.dependencies.settings] == ["title"]
    assert renderer.is_current(page.dependencies)
    (templates / "parts" / "a.html").write_text("B")
    assert not Renderer(templates, renderer.config, {}, ()).is_current(page.dependencies)


class _Html:
    """A value that renders itself as HTML, as a theme's helper object might."""

    def __html__(self) -> str:
        return "<em>kept</em>"


@pytest.mark.parametrize("fast", [True, False])
def test_what_templates_write_is_escaped_once_whatever_its_kind(tmp_path: Path, fast: bool,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """`{{ ... }}` escapes as stock Jinja does, which themes rely on, with the fast path and without: plain text,
    numbers and None are escaped, `__html__` objects are not escaped again, and macros, `set` blocks,
    `autoescape false` and `| safe` keep their meaning."""
    monkeypatch.setattr(fast_escape, "enabled", lambda: fast)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text(
        '{% macro tag(text) %}<b>{{ text }}</b>{% endmacro %}'
        '{% set block %}<i>{{ hostile }}</i>{% endset %}'
        '{{ hostile }}|{{ count }}|{{ nothing }}|{{ html }}|{{ tag(hostile) }}|{{ block }}|{{ hostile | safe }}|'
        '{% autoescape false %}{{ hostile }}{% endautoescape %}|{{ hostile ~ "&" }}|{{ quote }}')
    (templates / "feed.txt").write_text("{{ hostile }}")
    from digest.inputs.config import load_site_config

    config = load_site_config(make_project(tmp_path / "p").root / "content")
    renderer = Renderer(templates, config, {}, ())
    context = {"hostile": '<script>"x"</script>', "count": 3, "nothing": None, "html": _Html(),
               "quote": "O'Neil & co"}
    body = renderer.render(PageSpec("x/", "page.html", context)).decode()
    escaped = "&lt;script&gt;&#34;x&#34;&lt;/script&gt;"
    assert body.split("|") == [
        escaped, "3", "None", "<em>kept</em>", f"<b>{escaped}</b>", f"<i>{escaped}</i>", '<script>"x"</script>',
        '<script>"x"</script>', escaped + "&amp;", "O&#39;Neil &amp; co"]
    assert renderer.render(PageSpec("x.txt", "feed.txt", context)) == b'<script>"x"</script>'  # not autoescaped


def test_the_fast_escaping_is_used_only_with_the_versions_it_was_tested_with(monkeypatch: pytest.MonkeyPatch,
                                                                           ) -> None:
    monkeypatch.setattr(fast_escape, "TESTED", {"jinja2": ("0.0.1",), "markupsafe": ("0.0.1",)})
    assert not fast_escape.enabled()


def test_the_fast_and_the_stock_escaping_build_the_same_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trees = []
    for fast in (True, False):
        monkeypatch.setattr(fast_escape, "enabled", lambda fast=fast: fast)
        project = make_project(tmp_path / str(fast), with_seeds=True)
        build_site(project)
        trees.append(tree(project.output))
    assert trees[0] == trees[1] and len(trees[0]) > 100
