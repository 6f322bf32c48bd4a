"""netlify.toml: it publishes what we build, and its headers work with the real pages."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, NetlifyLikeHandler, serve_folder

CONFIG = tomllib.loads((REPO / "netlify.toml").read_text(encoding="utf-8"))


def rules_for(path: str) -> list[dict[str, str]]:
    """Header tables whose `for` pattern matches a URL path ('*' is Netlify's splat)."""
    return [rule["values"] for rule in CONFIG["headers"] if fnmatch.fnmatchcase(path, rule["for"])]


def url_paths(site: Path) -> list[str]:
    paths = []
    for file in site.rglob("*"):
        if file.is_file():
            relative = "/" + file.relative_to(site).as_posix()
            paths.append(relative.removesuffix("index.html"))
    return paths


def test_build_command_and_publish_folder_match_the_project() -> None:
    assert CONFIG["build"]["publish"] == "site"
    assert CONFIG["build"]["command"] == "make site"
    assert "make site" in (REPO / "README.md").read_text(encoding="utf-8")
    assert CONFIG["build"]["environment"]["PYTHON_VERSION"].startswith("3.1")
    (not_found,) = [r for r in CONFIG["redirects"] if r["to"] == "/404.html"]
    assert not_found["status"] == 404 and not not_found.get("force", False)


def test_no_path_gets_the_same_header_from_two_rules(site_dir: Path) -> None:
    for path in url_paths(site_dir):
        names = [name.lower() for values in rules_for(path) for name in values]
        assert len(names) == len(set(names)), f"{path} gets a header twice: {names}"


def test_hashed_assets_are_cached_long_and_pages_and_index_briefly(site_dir: Path) -> None:
    for path in url_paths(site_dir):
        cache = [v["Cache-Control"] for v in rules_for(path) if "Cache-Control" in v]
        if path.startswith("/assets/"):
            assert re.search(r"\.[0-9a-f]{10}\.\w+$", path), f"{path} is cached for a year but has no hash"
            assert cache == ["public, max-age=31536000, immutable"]
        elif re.match(r"/search/[twdnvp]/[0-9a-f]{12}\.json$", path):
            assert cache == ["public, max-age=31536000, immutable"], path
        elif path == "/search/manifest.json":
            assert cache == ["public, max-age=300, must-revalidate"]
        else:
            assert cache == [], f"{path} should keep Netlify's max-age=0 default"


def test_pages_have_no_inline_scripts_or_handlers(site_dir: Path) -> None:
    """Scripts come from files; the only inline <script> is a JSON-LD data block, which is never run."""
    data_blocks = 0
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.DOTALL):
            assert match.group(1) == ' type="application/ld+json"', f"inline script in {page}: {match.group(0)[:80]}"
            json.loads(match.group(2))
            data_blocks += 1
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler in {page}"
    assert data_blocks >= 96  # one per paper page


@pytest.fixture(scope="module")
def netlify_like_server(site_dir: Path) -> Iterator[str]:
    with serve_folder(site_dir, NetlifyLikeHandler) as url:
        yield url


@pytest.mark.browser
def test_the_content_security_policy_lets_the_site_work(browser: Any, netlify_like_server: str) -> None:
    page = browser.new_page()
    page.add_init_script("window.__violations = [];"
                         "document.addEventListener('securitypolicyviolation',"
                         " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(netlify_like_server + "search/?q=federated")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("#search-results li")
    assert page.locator("#search-results li").count() >= 4
    # The search worker (and the scripts it imports) are allowed too: the engine ran there, not on the page.
    assert page.get_attribute("#search-form", "data-ran-in") == "worker" and len(page.workers) == 1
    assert page.evaluate("window.__violations") == [] and errors == []
    page.goto(netlify_like_server)
    assert page.evaluate("window.__violations") == []
    page.close()
