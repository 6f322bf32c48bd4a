"""--base-url and DIGEST_BASE_URL: one build for another address (a deploy preview), checked like base_url."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.inputs.config import load_site_config
from tests.helpers import REPO, make_project

SAMPLE = (REPO / "content" / "snapshots" / "2025-10-08.txt").read_text(encoding="utf-8")
LIVE = "https://paper-digest.netlify.app/"  # the bundled site.yaml's base_url
PREVIEW = "https://deploy-preview-7--paper-digest.netlify.app/"


def digest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "DIGEST_BASE_URL"}
    return subprocess.run([sys.executable, "-m", "digest", *args], capture_output=True, text=True, timeout=120,
                          env={**environ, "SOURCE_DATE_EPOCH": "1763769600", **(env or {})})


def absolute_urls(site: Path) -> str:
    """The canonical link of the home page and the links of both site feeds, as one text."""
    home = (site / "index.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', home)
    assert canonical is not None
    return " ".join([canonical.group(1), (site / "feed.xml").read_text(encoding="utf-8"),
                     (site / "feed.json").read_text(encoding="utf-8"), (site / "sitemap.xml").read_text("utf-8")])


@pytest.mark.parametrize("how", ["option", "environment"])
def test_canonical_links_feeds_and_sitemap_use_the_override(tmp_path: Path, how: str) -> None:
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    given = PREVIEW.rstrip("/")  # as Netlify's $DEPLOY_PRIME_URL comes, without the slash
    result = (digest("build", "--source", str(tmp_path), "--base-url", given) if how == "option" else
              digest("build", "--source", str(tmp_path), env={"DIGEST_BASE_URL": given}))
    assert result.returncode == 0, result.stderr
    text = absolute_urls(project.output)
    assert text.startswith(PREVIEW) and f"{PREVIEW}feed.xml" in text and f"{PREVIEW}papers/" in text
    assert LIVE not in text


def test_the_option_wins_over_the_environment_and_site_yaml_applies_without_either(tmp_path: Path) -> None:
    project = make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    other = "https://other.example.net/"
    assert digest("build", "--source", str(tmp_path), "--base-url", PREVIEW,
                  env={"DIGEST_BASE_URL": other}).returncode == 0
    assert absolute_urls(project.output).startswith(PREVIEW) and other not in absolute_urls(project.output)
    assert digest("build", "--source", str(tmp_path)).returncode == 0
    assert absolute_urls(project.output).startswith(LIVE) and PREVIEW not in absolute_urls(project.output)


def test_the_email_links_to_the_override(tmp_path: Path) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    result = digest("email", "--source", str(tmp_path), "--out", str(tmp_path / "mail"), "--base-url", PREVIEW)
    assert result.returncode == 0, result.stderr
    (html,) = (tmp_path / "mail").glob("*.html")
    assert f'href="{PREVIEW}papers/' in html.read_text(encoding="utf-8") and LIVE not in html.read_text("utf-8")


@pytest.mark.parametrize("bad", ["ftp://example.org/", "example.org", "https://example.org/?preview=1", "/sub/"])
def test_a_bad_override_exits_2_naming_where_it_came_from(tmp_path: Path, bad: str) -> None:
    make_project(tmp_path, snapshots={"2025-10-08.txt": SAMPLE})
    option = digest("build", "--source", str(tmp_path), "--base-url", bad)
    assert option.returncode == 2 and "--base-url" in option.stderr and "absolute http(s) URL" in option.stderr
    variable = digest("build", "--source", str(tmp_path), env={"DIGEST_BASE_URL": bad})
    assert variable.returncode == 2 and "DIGEST_BASE_URL" in variable.stderr and "Traceback" not in variable.stderr
    assert not (tmp_path / "site").exists()


def test_load_site_config_replaces_only_the_base_url() -> None:
    bundled = load_site_config(REPO / "content")
    preview = load_site_config(REPO / "content", base_url=" https://preview.example.net/sub ")
    assert preview.base_url == "https://preview.example.net/sub/"
    assert preview.title == bundled.title and preview.email == bundled.email
    with pytest.raises(ConfigError, match="--base-url or DIGEST_BASE_URL"):
        load_site_config(REPO / "content", base_url="preview.example.net")
