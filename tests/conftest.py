"""Shared fixtures: a built copy of the bundled site, project scaffolds and Chromium (plain helpers: helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from digest.commands.build import BuildReport, build_site
from digest.project import Project
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, FakeApi, make_project, serve_api, serve_folder


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, BuildReport]:
    """The bundled content built once for the whole session (read-only: do not modify)."""
    root = tmp_path_factory.mktemp("bundled")
    project = make_project(root, with_seeds=True)
    report = build_site(project)
    return project, report


@pytest.fixture(scope="session")
def site_dir(built_site: tuple[Project, BuildReport]) -> Path:
    return built_site[0].output


@pytest.fixture(scope="session")
def site_server(site_dir: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1; yields the base URL ending in '/'."""
    with serve_folder(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        pytest.fail("Playwright is not installed: run `make test`, which installs the test dependencies")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def api() -> Iterator[FakeApi]:
    """A recorded Daily Papers API on 127.0.0.1 (tests/helpers.py's FakeApi): script its answers per day."""
    with serve_api() as fake:
        yield fake
