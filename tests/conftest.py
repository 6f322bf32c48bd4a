"""Shared fixtures: a built copy of the bundled site, project scaffolds and Chromium."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from digest.commands.build import BuildReport, build_site
from digest.project import Project

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def node_or_fail() -> str:
    """Node.js and the npm packages the tests use, or a failure saying how to get them."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install Node.js, then run `make test` (npm ci installs lunr)")
    if not (REPO / "node_modules" / "lunr" / "lunr.js").is_file():
        pytest.fail("node_modules/lunr missing: run `make test`, which runs npm ci")
    return node


def stored_documents(site_dir: Path) -> list[list[object]]:
    """Every search result record of a built site, by paper number, read through the manifest."""
    import json

    manifest = json.loads((site_dir / "search" / "manifest.json").read_text(encoding="utf-8"))
    return [doc for name in manifest["chunks"]
            for doc in json.loads((site_dir / "search" / name).read_text(encoding="utf-8"))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_project(root: Path, snapshots: dict[str, str | bytes] | None = None, *, with_seeds: bool = False,
                 site_yaml: str | None = None, topics: bool = True) -> Project:
    """A project folder under `root` with the bundled settings, topics and pages, and the given snapshots."""
    content = root / "content"
    (content / "snapshots").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "content" / "site.yaml", content / "site.yaml")
    if site_yaml is not None:
        (content / "site.yaml").write_text(site_yaml, encoding="utf-8")
    if topics:
        shutil.copy(REPO / "content" / "topics.yaml", content / "topics.yaml")
    shutil.copytree(REPO / "content" / "pages", content / "pages", dirs_exist_ok=True)
    if with_seeds:
        for seed in sorted((REPO / "content" / "snapshots").glob("*.txt")):
            shutil.copy(seed, content / "snapshots" / seed.name)
    for name, text in (snapshots or {}).items():
        target = content / "snapshots" / name
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return Project.at(root)


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


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file server that logs nothing (subclass it to add headers)."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path, handler: type[SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[str]:
    """`folder` served over HTTP on 127.0.0.1 while the block runs; gives the base URL ending in '/'."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


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
