"""Hand-written Markdown pages with front matter."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from digest.errors import ConfigError
from digest.inputs.pages import read_page, read_pages
from tests.helpers import REPO


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_about_page() -> None:
    (about,) = read_pages(REPO / "content" / "pages")
    assert about.slug == "about" and about.title == "About"
    assert "<h1>About this digest</h1>" in about.html
    # The bundled settings set no email.unsubscribe_url, so the emails have no unsubscribe link to point to.
    assert "unsubscribe_url" not in yaml.safe_load((REPO / "content" / "site.yaml").read_text())["email"]
    assert "unsubscribe link" not in about.html.lower() and "contact address" in about.html


def test_raw_html_and_script_links_in_markdown_are_not_passed_through(tmp_path: Path) -> None:
    text = "---\ntitle: X\n---\n<script>alert(1)</script>\n\n[a](javascript:alert(1))\n"
    page = read_page(write(tmp_path, "x.md", text))
    assert "<script>" not in page.html
    assert 'href="javascript:' not in page.html


@pytest.mark.parametrize(("text", "line", "words"), [
    ("no front matter\n", 1, "starts with front matter"),
    ("---\ntitle: X\n", 1, "never ends"),
    ("---\ndescription: d\n---\nbody\n", 2, "needs a 'title'"),
    ("---\ntitle: X\nslug: Bad Slug\n---\n", 3, "lowercase ASCII"),
    ("---\ntitle: X\nslug: papers\n---\n", 3, "used by the site itself"),
    ("---\ntitle: X\nslug: feeds\n---\n", 3, "used by the site itself"),  # the list of feeds
    ("---\ntitle: X\nmenu: sometimes\n---\n", 3, "'menu' must be true or false"),
])
def test_bad_pages_name_the_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_page(write(tmp_path, "bad.md", text))
    assert caught.value.line == line
    assert words in str(caught.value) and "bad.md" in str(caught.value)
