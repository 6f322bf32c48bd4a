"""`digest serve`: path safety, content types, live reload, error pages, debouncing and clean shutdown."""

from __future__ import annotations

import http.client
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from digest.commands.build import BuildState, build_site
from digest.errors import DigestError
from digest.preview.errorpage import error_page
from digest.preview.guard import Guard
from digest.preview.http import PreviewServer
from digest.preview.limits import Connections, Limits
from digest.preview.serve import bind_server, serve
from digest.preview.session import BuildStatus, Preview
from digest.project import Project
from tests.helpers import REPO, free_port, make_project

NEWEST = "2025-10-08.txt"
NEW_TITLE = "Preview Servers Considered Helpful"
NEW_PAPER = (f"\n{NEW_TITLE}\n\n"
             "We show that a local preview with live reload shortens the edit loop for diffusion models.\n")
BROKEN_LINE = "{% if <b>oops</b> %}\n"
SECRET = "TOP-SECRET-CONTENTS"


def add_paper(project: Project) -> None:
    path = project.snapshots / NEWEST
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_PAPER, encoding="utf-8")


def break_template(project: Project) -> str:
    """Put a syntax error on line 4 of home.html (with markup in it); returns the original text."""
    path = project.root / "templates" / "home.html"
    original = path.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    path.write_text("".join([*lines[:3], BROKEN_LINE, *lines[3:]]), encoding="utf-8")
    return original


def fetch(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One raw request: http.client sends the path exactly as given (no `..` normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --- incremental rebuilds -----------------------------------------------------------------------------------------


def test_one_changed_snapshot_rewrites_only_the_pages_it_affects(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    state = BuildState()
    first = build_site(project, state=state)
    site = project.output
    inode = {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("*") if path.is_file()}
    add_paper(project)
    again = build_site(project, state=state)
    assert again.papers == first.papers + 1
    # its page, its day, home, topics, archive, and the papers whose related list it joins or nudges; and the
    # three reference files of each list page it is on (its day, week, month and topic: 12), and the "New for you"
    # files of its topics and of its authors (up to 6)
    assert 0 < again.rendered <= 25 + 12 + 6 and again.reused >= first.pages - 25 - 12 - 6
    assert 0 < again.written <= 34 + 12 + 6 and again.unchanged >= first.files - 34 - 12 - 6  # each feed: 2 formats
    changed = {path.relative_to(site).as_posix() for path in site.rglob("*")
               if path.is_file() and inode.get(path.relative_to(site).as_posix()) != path.stat().st_ino}
    assert {"index.html", "feed.xml", "feed.json", "sitemap.xml", "search/manifest.json",
            "snapshots/2025-10-08/index.html", "feeds/daily-digest.xml", "feeds/daily-digest.json",
            "export/bibtex/snapshots/2025-10-08.bib", "export/ris/weeks/2025-W41.ris"} <= changed
    assert any(name.startswith("topics/") for name in changed)
    assert any(name.startswith("new-for-you/topics/") for name in changed)
    assert not {name for name in inode if name.startswith("new-for-you/topics/")} <= changed
    assert any(name.startswith("papers/preview-servers") for name in changed)
    assert "snapshots/2025-03-19/index.html" not in changed and "about/index.html" not in changed

    unchanged = build_site(project, state=state)
    assert unchanged.rendered == 0 and unchanged.written == 0


def test_a_change_to_the_base_template_renders_every_html_page_again(tmp_path: Path) -> None:
    """Only the pages that load base.html: feeds, the sitemap and robots.txt stay (output/test_render.py has more)."""
    project = make_project(tmp_path, with_seeds=True)
    shutil.copytree(REPO / "templates", project.root / "templates")
    state = BuildState()
    first = build_site(project, state=state)
    footer = project.root / "templates" / "base.html"
    footer.write_text(footer.read_text(encoding="utf-8").replace("All snapshots", "Every snapshot"), encoding="utf-8")
    again = build_site(project, state=state)
    pages = [*project.output.rglob("index.html"), project.output / "404.html"]
    assert again.rendered == len(pages) and 0 < again.reused < first.pages
    assert all("Every snapshot" in page.read_text(encoding="utf-8") for page in pages)


# --- the HTTP server, in-process ----------------------------------------------------------------------------------


class Served:
    def __init__(self, project: Project, preview: Preview, server: PreviewServer) -> None:
        self.project, self.preview, self.server = project, preview, server
        self.port = int(server.server_address[1])


def start_served(root: Path) -> Served:
    """A built project served in-process, with a secret beside the site and symlinks that point at it."""
    project = make_project(root, with_seeds=True)
    shutil.copytree(REPO / "templates", project.root / "templates")
    preview = Preview(project, out=io.StringIO(), err=io.StringIO())
    preview.rebuild()
    server = bind_server("127.0.0.1", free_port(), preview)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    (project.output / "leak.txt").symlink_to(root / "secret.txt")
    (project.output / "leak-dir").symlink_to(root)
    return Served(project, preview, server)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Shared by the read-only tests."""
    started = start_served(tmp_path_factory.mktemp("served"))
    yield started
    started.server.shutdown()
    started.server.server_close()


@pytest.fixture
def own_served(tmp_path: Path) -> Iterator[Served]:
    """For a test that edits the project."""
    started = start_served(tmp_path)
    yield started
    started.preview.stop_waiting()
    started.server.shutdown()
    started.server.server_close()


@pytest.mark.parametrize(("path", "status"), [
    ("/../secret.txt", 403),
    ("/%2e%2e/secret.txt", 403),
    ("/%2E%2E/%2e%2e/secret.txt", 403),
    ("/papers/..%2f..%2fsecret.txt", 403),
    ("/.%2e/secret.txt", 403),
    ("/..%5csecret.txt", 404),
    ("//etc/passwd", 404),
    ("/%2Fetc%2Fpasswd", 404),
    (str(Path(__file__).resolve()), 404),
    ("/leak.txt", 403),
    ("/leak-dir/secret.txt", 403),
    ("/%00", 404),
    ("/%ff%fe", 404),
])
def test_only_files_inside_the_output_folder_are_served(served: Served, path: str, status: int) -> None:
    code, _, body = fetch(served.port, path)
    assert code == status
    assert SECRET.encode() not in body and b"root:" not in body


@pytest.mark.parametrize(("pattern", "expected"), [
    ("feed.xml", "application/xml"),
    ("search/manifest.json", "application/json"),
    ("assets/site.*.js", "text/javascript"),
    ("assets/style.*.css", "text/css"),
    ("assets/favicon.*.svg", "image/svg+xml"),
    ("robots.txt", "text/plain"),
    ("about/index.html", "text/html"),
])
def test_files_are_served_with_their_content_type(served: Served, pattern: str, expected: str) -> None:
    file = next(served.project.output.glob(pattern))
    code, headers, body = fetch(served.port, "/" + file.relative_to(served.project.output).as_posix())
    assert code == 200 and headers["Content-Type"].split(";")[0] == expected
    if expected != "text/html":
        assert body == file.read_bytes()


def test_pretty_urls_redirects_and_the_sites_404_page(served: Served) -> None:
    slug = next(path.name for path in (served.project.output / "papers").iterdir() if path.is_dir())
    code, headers, body = fetch(served.port, f"/papers/{slug}/")
    assert code == 200 and headers["Content-Type"].startswith("text/html") and b"<h1" in body
    code, headers, _ = fetch(served.port, f"/papers/{slug}?from=feed")
    assert code == 301 and headers["Location"] == f"/papers/{slug}/?from=feed"
    code, headers, body = fetch(served.port, "/papers/no-such-paper/")
    assert code == 404 and b"Page not found" in body and headers["Content-Type"].startswith("text/html")
    get_status, get_headers, _ = fetch(served.port, "/")
    head_status, head_headers, head_body = fetch(served.port, "/", method="HEAD")
    assert head_status == get_status == 200 and head_body == b""
    assert head_headers["Content-Length"] == get_headers["Content-Length"]


def test_the_reload_script_is_added_when_served_and_never_written(served: Served) -> None:
    _, _, page = fetch(served.port, "/")
    build_id = served.preview.status.build_id
    assert f'src="/__digest__/reload.js" data-build="{build_id}"'.encode() in page
    code, headers, script = fetch(served.port, "/__digest__/reload.js")
    assert code == 200 and headers["Content-Type"].startswith("text/javascript") and b"location.reload" in script
    assert b"new WebSocket(" in script and b"fetch(" not in script  # one mechanism: the socket, reopened
    assert fetch(served.port, "/__digest__/build")[0] == 404  # no polling endpoint
    files = [path for path in served.project.output.rglob("*") if path.is_file() and not path.is_symlink()]
    assert files and not [path for path in files if b"__digest__" in path.read_bytes()]


RFC_KEY, RFC_ACCEPT = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455's own example


def open_live(port: int, *extra_headers: str, page: str = "", host: str = "") -> tuple[socket.socket, bytes]:
    """A WebSocket handshake on the live-reload endpoint, by hand: the socket and the response head. `page` is
    the page it says it is on, as the reload script does; `host` the Host header (127.0.0.1:port)."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=10)
    query = f"?page={quote(page, safe='')}" if page else ""
    request = [f"GET /__digest__/live{query} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}", "Upgrade: websocket",
               "Connection: Upgrade", f"Sec-WebSocket-Key: {RFC_KEY}", "Sec-WebSocket-Version: 13", *extra_headers]
    connection.sendall(("\r\n".join(request) + "\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = connection.recv(1)
        if not chunk:
            break
        head += chunk
    return connection, head


def first_build_id(port: int, page: str = "") -> bytes:
    """What a tab on `page` is told the moment its socket opens (or reopens): the build id it should show."""
    connection, head = open_live(port, f"Origin: http://127.0.0.1:{port}", page=page)
    with connection:
        assert head.startswith(b"HTTP/1.1 101 "), head
        opcode, payload = read_frame(connection)
        assert opcode == 0x1
        return payload


def read_frame(connection: socket.socket) -> tuple[int, bytes]:
    """One short, unmasked server frame: (opcode, payload)."""
    first, length = connection.recv(1)[0], connection.recv(1)[0]
    assert first & 0x80 and length < 126  # whole frames, short ones
    payload = b""
    while len(payload) < length:
        payload += connection.recv(length - len(payload))
    return first & 0x0F, payload


def test_the_live_socket_tells_the_build_id_at_once_then_each_new_build(own_served: Served) -> None:
    served = own_served
    connection, head = open_live(served.port, f"Origin: http://127.0.0.1:{served.port}")
    with connection:
        assert head.startswith(b"HTTP/1.1 101 ") and f"Sec-WebSocket-Accept: {RFC_ACCEPT}".encode() in head
        first = served.preview.status.build_id
        assert read_frame(connection) == (0x1, first.encode())
        add_paper(served.project)
        served.preview.rebuild()
        second = served.preview.status.build_id
        assert second != first and read_frame(connection) == (0x1, second.encode())
        served.preview.stop_waiting()  # the server shuts down: the socket is closed, "going away"
        assert read_frame(connection) == (0x8, (1001).to_bytes(2, "big"))


def test_open_pages_written_ahead_are_told_first_and_a_page_not_yet_written_waits(own_served: Served) -> None:
    """Home and About are open when a paper is added: the home tab is told the new build while the build is still
    under way (About, unchanged, is not), is served with that build's id, so it does not reload again when the
    build ends; the new paper's page, linked from it but not written yet, is answered once it is. A socket that
    reopens meanwhile is told the same as one that stayed open."""
    served = own_served
    origin = f"Origin: http://127.0.0.1:{served.port}"
    home, _ = open_live(served.port, origin, page="/")
    about, _ = open_live(served.port, origin, page="/about/")
    with home, about:
        first = served.preview.status.build_id.encode()
        assert read_frame(home) == (0x1, first) and read_frame(about) == (0x1, first)
        assert served.preview.open_pages == {"index.html", "about/index.html"}
        add_paper(served.project)
        during: dict[str, Any] = {}
        paper_page: list[tuple[int, dict[str, str], bytes]] = []
        asking = threading.Thread(target=lambda: paper_page.append(
            fetch(served.port, "/papers/preview-servers-considered-helpful/")))
        tell_first = served.preview.show_first

        def show_first(files: frozenset[str]) -> None:
            tell_first(files)
            if during:
                return
            during["told"] = files
            during["home"] = read_frame(home)[1]
            during["page"] = fetch(served.port, "/")[2]
            during["reopened"] = [first_build_id(served.port, path) for path in ("/", "/about/")]
            about.settimeout(0.3)
            with pytest.raises(TimeoutError):
                about.recv(1)
            about.settimeout(10)
            asking.start()
            asking.join(0.5)
            during["still asking"] = asking.is_alive()

        served.preview.show_first = show_first  # type: ignore[method-assign]
        served.preview.rebuild()
        asking.join(10)
        final = served.preview.status.build_id.encode()
        assert during["told"] == {"index.html"} and during["home"] == final != first
        assert NEW_TITLE.encode() in during["page"] and f'data-build="{final.decode()}"'.encode() in during["page"]
        assert during["reopened"] == [final, first]  # a socket opened mid-build is told what its page shows
        assert during["still asking"] and paper_page[0][0] == 200 and NEW_TITLE.encode() in paper_page[0][2]
        assert read_frame(about) == (0x1, final)
        home.settimeout(0.3)
        with pytest.raises(TimeoutError):
            home.recv(1)  # told once: the end of its build is no news


@pytest.mark.browser
def test_an_open_page_shows_a_new_paper_before_the_rest_of_the_site_is_written(own_served: Served,
                                                                               browser: Any) -> None:
    """The build is held just after it wrote the open home page: the tab must reload and show the new paper
    then, while the paper's own page is not written yet."""
    served = own_served
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{served.port}/")
        deadline = time.monotonic() + 10
        while served.preview.open_pages != {"index.html"} and time.monotonic() < deadline:
            time.sleep(0.02)
        add_paper(served.project)
        paper_page = served.project.output / "papers" / "preview-servers-considered-helpful" / "index.html"
        seen: list[bool] = []
        tell_first = served.preview.show_first

        def show_first(files: frozenset[str]) -> None:
            tell_first(files)
            if not seen:
                page.wait_for_function(f"() => document.body.innerText.includes({NEW_TITLE!r})", timeout=15_000)
                seen.append(paper_page.exists())

        served.preview.show_first = show_first  # type: ignore[method-assign]
        served.preview.rebuild()
        assert seen == [False] and paper_page.exists()
    finally:
        page.close()


def test_the_live_socket_refuses_other_sites_pages_and_plain_requests(served: Served) -> None:
    connection, head = open_live(served.port, "Origin: https://evil.example")
    with connection:
        assert head.startswith(b"HTTP/1.1 403 ") or head.startswith(b"HTTP/1.0 403 ")
    code, _, body = fetch(served.port, "/__digest__/live")
    assert code == 426 and b"WebSocket" in body


def restart_in_process(served: Served, preview: Preview) -> Served:
    """Stop `served`'s server and listen on its port again with `preview`, as a restarted `digest serve` would."""
    served.preview.stop_waiting()
    served.server.shutdown()
    served.server.server_close()
    server = bind_server("127.0.0.1", served.port, preview)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return Served(served.project, preview, server)


def wait_until_open(preview: Preview, pages: set[str], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while preview.open_pages != pages:
        assert time.monotonic() < deadline, preview.open_pages
        time.sleep(0.02)


@pytest.mark.browser
def test_a_dropped_socket_reopens_and_reloads_the_page_only_for_a_new_build(own_served: Served,
                                                                              browser: Any) -> None:
    """The server goes away twice. Back with the same build id (a socket that merely dropped), the page reopens
    its socket and stays; back as a new process (a new token in the id), the page reloads."""
    served = own_served
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{served.port}/")
        page.evaluate("() => { window.stillTheSamePage = true; }")
        wait_until_open(served.preview, {"index.html"})
        same = Preview(served.project, out=io.StringIO(), err=io.StringIO())
        same.status = BuildStatus(served.preview.status.build_id)
        served = restart_in_process(served, same)
        wait_until_open(same, {"index.html"})  # the tab's socket is back
        time.sleep(0.5)
        assert page.evaluate("() => window.stillTheSamePage") is True
        served = restart_in_process(served, Preview(served.project, out=io.StringIO(), err=io.StringIO()))
        page.wait_for_function("() => window.stillTheSamePage === undefined", timeout=15_000)
        assert "New today" in body_text(page)
    finally:
        page.close()
        served.preview.stop_waiting()
        served.server.shutdown()
        served.server.server_close()


def test_a_failed_build_shows_an_escaped_error_page_until_the_next_good_build(own_served: Served) -> None:
    served = own_served
    connection, _ = open_live(served.port, page="/")
    with connection:
        before = read_frame(connection)
        original = break_template(served.project)
        served.preview.rebuild()
        assert read_frame(connection)[1] != before[1]  # open tabs reload to show the error
    code, _, page = fetch(served.port, "/")
    assert code == 500
    assert b"templates/home.html, line 4" in page
    assert b"&lt;b&gt;oops&lt;/b&gt;" in page and b"<b>oops" not in page
    assert fetch(served.port, "/feed.xml")[0] == 200  # the last good site is still there
    assert "home.html:4" in served.preview.err.getvalue()

    (served.project.root / "templates" / "home.html").write_text(original, encoding="utf-8")
    served.preview.rebuild()
    code, _, page = fetch(served.port, "/")
    assert code == 200 and b"New today" in page


def test_a_busy_port_is_reported_or_the_next_one_is_used(served: Served) -> None:
    with pytest.raises(Exception, match="already in use"):
        bind_server("127.0.0.1", served.port, served.preview)
    other = bind_server("127.0.0.1", served.port, served.preview, try_next=True)
    try:
        assert other.server_address[1] > served.port
    finally:
        other.server_close()


def test_the_command_says_a_busy_port_is_busy_without_a_traceback(tmp_path: Path) -> None:
    make_project(tmp_path, with_seeds=True)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "digest", "serve", "--port", str(port)], cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"port {port} is already in use" in result.stderr and "Traceback" not in result.stderr


# --- only this machine's visitors, within bounds -----------------------------------------------------------------

SMALL = Limits(connections=2, live=3, header_seconds=1.5)  # more live sockets than connections: they count apart
SMALL_PAGE = b"<!DOCTYPE html>\n<html><head><title>Small</title></head><body>SMALL-SITE</body></html>\n"


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Served]:
    """One hand-written page (no build) served with `SMALL` limits, so the bounds are reached at once."""
    project = make_project(tmp_path)
    project.output.mkdir()
    (project.output / "index.html").write_bytes(SMALL_PAGE)
    preview = Preview(project, out=io.StringIO(), err=io.StringIO())
    server = bind_server("127.0.0.1", free_port(), preview, limits=SMALL)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield Served(project, preview, server)
    preview.stop_waiting()
    server.shutdown()
    server.server_close()


def raw(port: int, *lines: str) -> tuple[bytes, bytes]:
    """A request head sent exactly as given (no Host unless in `lines`): the answer's status line and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


@pytest.mark.parametrize("hosts", [
    ("evil.example",), ("evil.example:{port}",), ("localhost.evil.example:{port}",), ("127.0.0.1.nip.io:{port}",),
    ("localhost:{other}",), ("127.0.0.1@evil.example",), ("[::2]:{port}",), ("",),
    ("127.0.0.1:{port}", "evil.example:{port}"),
])
def test_a_request_naming_another_host_is_refused_without_any_of_the_site(served: Served,
                                                                           hosts: tuple[str, ...]) -> None:
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 still sends its own name."""
    port = served.port
    headers = [f"Host: {host.format(port=port, other=port + 1)}" for host in hosts]
    for path in ("/", "/__digest__/live", "/feed.xml", "/__digest__/reload.js"):
        status, body = raw(port, f"GET {path} HTTP/1.1", *headers)
        assert status.startswith(b"HTTP/1.0 421 ") and body.startswith(b"421 Misdirected Request"), (path, status)
        assert b"<" not in body and served.preview.status.build_id.encode() not in body


@pytest.mark.parametrize("hosts", [
    ("localhost:{port}",), ("127.0.0.1:{port}",), ("LocalHost.:{port}",), ("localhost",), ("[::1]:{port}",), (),
])
def test_a_request_naming_this_server_is_answered(served: Served, hosts: tuple[str, ...]) -> None:
    """By any of its local names, with or without the port; without a Host (HTTP/1.0) too: no browser does that."""
    version = "HTTP/1.1" if hosts else "HTTP/1.0"
    status, body = raw(served.port, f"GET / {version}", *(f"Host: {host.format(port=served.port)}" for host in hosts))
    assert status.startswith(b"HTTP/1.0 200 ") and b"New today" in body


def test_live_sockets_answer_only_this_servers_pages(small: Served) -> None:
    port, build_id = small.port, small.preview.status.build_id.encode()
    refused = [
        (f"evil.example:{port}", f"http://evil.example:{port}", b"421"),  # rebinding: both name the attacker
        (f"127.0.0.1:{port}", f"http://evil.example:{port}", b"403"),
        (f"127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}", b"403"),
        (f"127.0.0.1:{port}", f"https://127.0.0.1:{port}", b"403"),
        (f"127.0.0.1:{port}", "null", b"403"),
    ]
    for host, origin, status in refused:
        connection, head = open_live(port, f"Origin: {origin}", host=host)
        with connection:
            assert head.split(b" ")[1] == status and build_id not in head, (host, origin, head)
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        connection, head = open_live(port, f"Origin: http://{host}", host=host)
        with connection:
            assert head.startswith(b"HTTP/1.1 101 ") and read_frame(connection) == (0x1, build_id)


def test_the_error_page_names_files_relative_to_the_project_and_only_to_this_server(own_served: Served,
                                                                                    tmp_path: Path) -> None:
    served = own_served
    wrong = served.project.snapshots / "2025-10-09.txt"  # its date line says Oct 8
    shutil.copy(served.project.snapshots / NEWEST, wrong)
    line = wrong.read_text(encoding="utf-8").splitlines().index("Oct 8") + 1
    served.preview.rebuild()
    code, _, page = fetch(served.port, "/")
    assert code == 500 and f"content/snapshots/2025-10-09.txt, line {line}".encode() in page
    assert b"<code>site</code>" in page and str(tmp_path).encode() not in page
    status, body = raw(served.port, "GET / HTTP/1.1", f"Host: evil.example:{served.port}")
    assert status.startswith(b"HTTP/1.0 421 ") and b"2025-10-09" not in body and b"Oct 8" not in body


def test_an_error_page_shows_no_absolute_path_in_a_message_or_a_traceback(tmp_path: Path) -> None:
    project = Project.at(tmp_path / "digest", output=tmp_path / "public")

    def fail() -> None:
        raise ValueError(f"cannot use {project.content / 'x.txt'} <b>here</b>")

    try:
        fail()
    except ValueError as bug:
        page = error_page(BuildStatus("1", bug, traceback.format_exc()), project)
    assert str(tmp_path).encode() not in page and str(REPO).encode() not in page
    assert b"File &quot;tests/preview/test_serve.py&quot;" in page and b"./content/x.txt &lt;b&gt;here" in page
    assert b"<b>here" not in page  # the traceback is escaped too
    error = DigestError(f"output folder {project.output} would replace {project.root}", project.root / "x.yaml", 3)
    page = error_page(BuildStatus("2", error), project)
    assert str(tmp_path).encode() not in page
    assert b"x.yaml, line 3" in page and b"output folder ../public would replace ." in page
    assert b"<code>../public</code>" in page


def test_a_client_that_drips_its_headers_is_cut_off_at_the_header_deadline(small: Served) -> None:
    """Each line comes well within any per-read timeout; the request head as a whole must not take longer
    than `header_seconds`."""
    with socket.create_connection(("127.0.0.1", small.port), timeout=5) as connection:
        connection.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{small.port}\r\n".encode())
        started, received, closed_after = time.monotonic(), b"", None
        connection.settimeout(0.5)  # a line every half second
        while closed_after is None and time.monotonic() - started < 4 * SMALL.header_seconds:
            try:
                connection.sendall(b"X-Drip: 1\r\n")
                chunk = connection.recv(1024)
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            received += chunk
            closed_after = time.monotonic() - started if not chunk else None
    assert closed_after is not None and SMALL.header_seconds - 0.2 < closed_after < SMALL.header_seconds + 1.5
    assert b"SMALL-SITE" not in received


def test_idle_connections_beyond_the_bound_neither_add_threads_nor_keep_a_page_from_being_served(
        small: Served) -> None:
    before = threading.active_count()
    idle = [socket.create_connection(("127.0.0.1", small.port), timeout=5) for _ in range(4 * SMALL.connections)]
    try:
        time.sleep(0.3)  # every one accepted
        assert threading.active_count() - before <= SMALL.connections
        started = time.monotonic()
        code, _, body = fetch(small.port, "/")
        assert code == 200 and body.startswith(SMALL_PAGE[:40]) and time.monotonic() - started < 2
        assert small.server.connections.pages <= SMALL.connections
    finally:
        for connection in idle:
            connection.close()


def test_live_sockets_have_their_own_cap_and_leave_page_loads_free(small: Served) -> None:
    origin = f"Origin: http://127.0.0.1:{small.port}"
    sockets = [open_live(small.port, origin) for _ in range(SMALL.live + 1)]  # more than SMALL.connections
    try:
        assert [head.split(b" ")[1] for _, head in sockets] == [b"101"] * SMALL.live + [b"503"]
        started = time.monotonic()
        assert [fetch(small.port, "/")[0] for _ in range(3)] == [200] * 3 and time.monotonic() - started < 2
        assert small.server.connections.live == SMALL.live
    finally:
        for connection, _ in sockets:
            connection.close()


def test_connections_being_answered_are_never_closed_to_make_room() -> None:
    """At the cap with every connection answering a request, a new one is refused (503) within a second."""
    connections = Connections(Limits(connections=2))
    pairs = [socket.socketpair() for _ in range(3)]
    try:
        for ours, _ in pairs[:2]:
            assert connections.admit(ours)
            connections.answering(ours)
        started = time.monotonic()
        assert not connections.admit(pairs[2][0]) and time.monotonic() - started < 2
        for ours, theirs in pairs[:2]:
            theirs.sendall(b"still open")
            assert ours.recv(64) == b"still open"
        connections.done(pairs[0][0])
        assert connections.admit(pairs[2][0])  # room again
    finally:
        for pair in pairs:
            for end in pair:
                end.close()


@pytest.mark.parametrize(("listen", "header", "allowed"), [
    ("127.0.0.1", "127.0.0.1:8000", True),
    ("127.0.0.1", "192.168.1.20:8000", False),
    ("127.0.0.1", "[::1]:8000", True),
    ("127.0.0.1", "[evil]:8000", False),
    ("myhost.local", "MyHost.Local.:8000", True),
    ("myhost.local", "evil.example:8000", False),
    ("0.0.0.0", "192.168.1.20:8000", True),  # listening everywhere: an address, never a name, may come in
    ("0.0.0.0", "[fe80::1]:8000", True),
    ("0.0.0.0", f"{socket.gethostname()}:8000", True),
    ("0.0.0.0", "evil.example:8000", False),
    ("::", "localhost:8001", False),
])
def test_the_host_rule(listen: str, header: str, allowed: bool) -> None:
    assert Guard.for_address(listen, 8000).host_allowed([header]) is allowed


@pytest.mark.parametrize(("origin", "allowed"), [
    ("http://localhost:8000", True), ("http://127.0.0.1:8000", True), ("http://[::1]:8000", True),
    ("http://localhost", False), ("https://localhost:8000", False), ("null", False), ("localhost:8000", False),
    ("http://evil.example:8000", False), ("http://localhost:8000@evil.example", False),
])
def test_the_origin_rule(origin: str, allowed: bool) -> None:
    guard = Guard.for_address("127.0.0.1", 8000)
    assert guard.origin_allowed([origin]) is allowed
    assert guard.origin_allowed([]) and not guard.origin_allowed(["http://localhost:8000"] * 2)


# --- the real command in a browser --------------------------------------------------------------------------------


class ServeProcess:
    """`python -m digest serve` in a subprocess, its output in files (a full pipe would block it)."""

    def __init__(self, root: Path, port: int, *extra: str) -> None:
        self.root, self.port = root, port
        self.stdout = (root / f"serve-{port}-{time.monotonic_ns()}.out").open("w+")
        self.stderr = (root / f"serve-{port}-{time.monotonic_ns()}.err").open("w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digest", "serve", "--port", str(port), *extra], cwd=root,
            stdout=self.stdout, stderr=self.stderr, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.url = f"http://127.0.0.1:{port}/"
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                if fetch(self.port, "/__digest__/reload.js")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"digest serve did not start: {self.output()}")

    def build_id(self) -> bytes:
        return first_build_id(self.port)

    def output(self) -> str:
        return "".join(Path(stream.name).read_text() for stream in (self.stdout, self.stderr))

    def stop(self, sig: signal.Signals) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=20)
        finally:
            self.stdout.close()
            self.stderr.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def assert_port_free(port: int) -> None:
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def body_text(page: Any) -> str:
    return str(page.evaluate("() => document.body.innerText"))


def test_serve_stops_on_sigint_with_status_0_and_leaves_no_threads_behind(tmp_path: Path) -> None:
    project = make_project(tmp_path, with_seeds=True)
    port = free_port()
    before = set(threading.enumerate())
    handler = signal.getsignal(signal.SIGINT)  # pytest's, unless an earlier test left another
    answered: list[int] = []

    def use_then_interrupt() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not answered:
            try:
                answered.append(fetch(port, "/")[0])
            except OSError:
                time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    client = threading.Thread(target=use_then_interrupt)
    client.start()
    assert serve(project, port=port) == 0
    client.join()
    assert answered == [200]
    assert [thread for thread in threading.enumerate() if thread not in before and thread.is_alive()] == []
    assert signal.getsignal(signal.SIGINT) is handler  # the handler it found is back: pytest's Ctrl-C works
    assert_port_free(port)


@pytest.mark.browser
@pytest.mark.slow
def test_pages_reload_after_a_save_show_build_errors_and_recover(tmp_path: Path, browser: Any) -> None:
    project = make_project(tmp_path, with_seeds=True)
    shutil.copytree(REPO / "templates", project.root / "templates")
    server = ServeProcess(tmp_path, free_port())
    context = browser.new_context()
    asked: list[str] = []  # any request to the server's own endpoints besides the script
    context.on("request", lambda request: asked.append(request.url)
               if "/__digest__/" in request.url and not request.url.endswith("/reload.js") else None)
    try:
        tabs = [context.new_page() for _ in range(8)]  # more tabs than the browser's 6 connections per host
        sockets: list[Any] = []
        for tab in tabs:
            tab.on("websocket", lambda socket: sockets.append(socket))
            tab.goto(server.url)
        assert NEW_TITLE not in body_text(tabs[0])

        add_paper(project)
        for tab in tabs:
            tab.wait_for_function(f"() => document.body.innerText.includes({NEW_TITLE!r})", timeout=15_000)
        assert len(sockets) >= 8 and asked == []  # every tab was told over its socket; none had to ask
        page = tabs[0]
        page.get_by_role("link", name=NEW_TITLE).first.click()
        page.wait_for_url("**/papers/**")

        original = break_template(project)
        page.wait_for_function("() => document.title.startsWith('Build failed')", timeout=15_000)
        assert "templates/home.html, line 4" in body_text(page)
        assert BROKEN_LINE.strip() in page.locator("pre").inner_text()  # shown as text, not as markup
        assert page.locator("pre b").count() == 0

        (project.root / "templates" / "home.html").write_text(original, encoding="utf-8")
        page.wait_for_function(f"() => document.body.innerText.includes({NEW_TITLE!r})", timeout=15_000)
        assert page.locator("h1").first.inner_text() == NEW_TITLE
    finally:
        context.close()
        code = server.stop(signal.SIGINT)
        server.kill()
    output = server.output()
    assert code == 0 and "Stopped (SIGINT)" in output, output
    assert "home.html:4" in output and "Traceback" not in output
    assert_port_free(server.port)


@pytest.mark.browser
@pytest.mark.slow
def test_open_pages_reconnect_after_a_restart_and_sigterm_stops_cleanly(tmp_path: Path, browser: Any) -> None:
    make_project(tmp_path, with_seeds=True)
    port = free_port()
    output = ("--output", "content/preview")  # inside content/: the server's own writes must not trigger builds
    first = ServeProcess(tmp_path, port, *output)
    context = browser.new_context()
    second = None
    try:
        page = context.new_page()
        page.goto(first.url)
        page.evaluate("() => { window.stillTheSamePage = true; }")
        build_id = first.build_id()
        time.sleep(1.5)
        assert page.evaluate("() => window.stillTheSamePage") is True  # no reload without a change
        assert first.build_id() == build_id and "Rebuilt" not in first.output()

        assert first.stop(signal.SIGTERM) == 0
        assert "Stopped (SIGTERM)" in first.output()
        assert_port_free(port)

        second = ServeProcess(tmp_path, port, *output)
        page.wait_for_function("() => window.stillTheSamePage === undefined", timeout=15_000)
        assert "New today" in body_text(page)
    finally:
        context.close()
        first.kill()
        if second is not None:
            assert second.stop(signal.SIGINT) == 0
            second.kill()
