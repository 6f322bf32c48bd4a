"""`digest check`: every source, setting and template validated without building; exit 2 at the first problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, REPO, make_project

SAMPLE = (REPO / "content" / "snapshots" / "2025-10-08.txt").read_text(encoding="utf-8")


def digest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "DIGEST_BASE_URL"}
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True, timeout=120,
                           env={**environ, "SOURCE_DATE_EPOCH": "1763769600", **(env or {})})


def test_a_good_site_passes_with_a_one_line_summary_and_nothing_written(tmp_path: Path) -> None:
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    before = sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*"))
    result = digest("check", "--source", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"OK: {project.content / 'site.yaml'}, 1 snapshot, 66 papers, ")
    assert line.endswith(" templates"), "no own templates, so none named"
    assert sorted(path.relative_to(tmp_path) for path in tmp_path.rglob("*")) == before
    assert not project.output.exists()


def test_the_summary_counts_the_sites_own_templates(tmp_path: Path) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "404.html").write_bytes((REPO / "templates" / "404.html").read_bytes())
    result = digest("check", "--source", str(tmp_path))
    assert result.returncode == 0 and f"(1 from {tmp_path / 'templates'})" in result.stdout


BAD_TEMPLATES = [
    ("{% extends 'base.html' %}\n{% block main %}\n{% if %}{% endblock %}\n", 3, "template syntax error"),
    ("{% extends 'base.html' %}\n{% block main %}\n\n{{ title | shout }}{% endblock %}\n", 4,
     "No filter named 'shout'"),
    ("{% extends 'base.html' %}\n{% block main %}{% include 'partials/missing.html' %}{% endblock %}\n", 2,
     "'partials/missing.html' is not a template"),
    ("{% extends 'bsae.html' %}\n", 1, "'bsae.html' is not a template"),
]


@pytest.mark.parametrize(("source", "line", "words"), BAD_TEMPLATES)
def test_a_bad_template_exits_2_with_file_and_line(tmp_path: Path, source: str, line: int, words: str) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "404.html").write_text(source, encoding="utf-8")
    result = digest("check", "--source", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {tmp_path / 'templates' / '404.html'}:{line}: ")
    assert words in result.stderr and "Traceback" not in result.stderr


def test_an_include_that_may_be_missing_is_fine(tmp_path: Path) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "404.html").write_text(
        "{% extends 'base.html' %}\n{% block main %}{% include 'extra.html' ignore missing %}{% endblock %}\n",
        encoding="utf-8")
    assert digest("check", "--source", str(tmp_path)).returncode == 0


def test_the_email_templates_are_checked_too(tmp_path: Path) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    (tmp_path / "templates" / "email").mkdir(parents=True)
    (tmp_path / "templates" / "email" / "digest.txt").write_text("{{ email.day }\n", encoding="utf-8")
    result = digest("check", "--source", str(tmp_path))
    assert result.returncode == 2 and f"{tmp_path / 'templates' / 'email' / 'digest.txt'}:1: " in result.stderr


@pytest.mark.parametrize(("files", "where", "words"), [
    ({"content/site.yaml": "title: T\nbase_url: https://example.org/\npapers_per_pag: 5\n"},
     "content/site.yaml:3", "unknown setting"),
    ({"content/site.yaml": "title: T\nbase_url: example.org\n"}, "content/site.yaml:2", "absolute http(s) URL"),
    ({"content/topics.yaml": (FIXTURES / "topics" / "duplicate-slug.yaml").read_text(encoding="utf-8")},
     "content/topics.yaml:", "duplicate slug"),
    ({"content/snapshots/2024-10-08.txt": (FIXTURES / "snapshots" / "missing-abstract.txt").read_text("utf-8")},
     "content/snapshots/2024-10-08.txt:9", "has no abstract"),
    ({"content/pages/bad.md": "---\ntitle: Bad\nmenu: sometimes\n---\nText\n"}, "content/pages/bad.md:3",
     "'menu' must be true or false"),
])
def test_bad_sources_exit_2_at_the_first_problem_with_file_and_line(tmp_path: Path, files: dict[str, str],
                                                                    where: str, words: str) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = digest("check", "--source", str(tmp_path))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"error: {tmp_path / where}") and words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_check_validates_the_base_url_override(tmp_path: Path) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    assert digest("check", "--source", str(tmp_path), "--base-url", "https://preview.example.net").returncode == 0
    bad = digest("check", "--source", str(tmp_path), env={"DIGEST_BASE_URL": "preview.example.net"})
    assert bad.returncode == 2 and "DIGEST_BASE_URL" in bad.stderr


# --- notification URLs: checked by Apprise, nothing sent ---------------------------------------------------------


def notify_site(urls: list[str]) -> str:
    listed = "".join(f"\n    - '{url}'" for url in urls)
    return f"title: T\nbase_url: https://example.org/\nnotify:\n  to:{listed}\n  alerts: ['${{DIGEST_ALERT_URL}}']\n"


def test_notification_urls_are_checked_without_sending(tmp_path: Path) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE}, site_yaml=notify_site(
        ["json://hook:${DIGEST_HOOK_PASS}@127.0.0.1:1/hook", "ntfy://127.0.0.1:1/digest"]))
    result = digest("check", "--source", str(tmp_path), env={"DIGEST_HOOK_PASS": "pass-never-shown"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(", 3 notification URLs")
    assert "notify.alerts[0]: ${DIGEST_ALERT_URL} not checked: ${DIGEST_ALERT_URL} is not set here" in result.stderr
    assert "pass-never-shown" not in result.stdout + result.stderr


@pytest.mark.parametrize("url, line, problem", [
    ("nosuch://127.0.0.1/hook", 6, "not a URL Apprise can send to: it knows no service 'nosuch://'"),
    ("gotify://", 6, "parts of this gotify:// URL are missing or malformed; Apprise says: Unparseable Gotify URL"),
    ("${DIGEST_SLACK_URL}", 6, "parts of this slack:// URL are missing"),  # set below to one Apprise refuses
])
def test_a_url_apprise_cannot_use_is_an_error_naming_its_line(tmp_path: Path, url: str, line: int,
                                                               problem: str) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE},
                 site_yaml=notify_site(["json://127.0.0.1:1/fine", url]))
    result = digest("check", "--source", str(tmp_path), env={"DIGEST_SLACK_URL": "slack://secret-Tok3n-zz"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {tmp_path / 'content' / 'site.yaml'}:{line}: 'notify.to[1]': {url}: ")
    assert problem in result.stderr and "secret-Tok3n-zz" not in result.stderr
