"""`digest serve`: build, serve the output over HTTP, rebuild on changes and reload the browser.

Three parts run side by side until Ctrl-C or SIGTERM:

* a watchdog observer on content/ and the templates (watch.py), whose events
  only poke a `Debouncer`, so a burst of saves (or a `git checkout`) gives one build;
* one rebuild thread that calls `build_site` with a `BuildState` kept for the
  whole session, so a rebuild re-renders and rewrites only what changed;
* a stdlib `ThreadingHTTPServer` that serves files from the output folder,
  looked up by path on every request so the writer's atomic swap is seen.

Live reload: HTML responses get a script tag (added by the server only,
never written to site/) that opens a WebSocket to `/__digest__/live`; the
server sends the current build id at once and each new one as soon as its
build is written, and the page reloads when the id differs from the one it
was served with. Browsers keep WebSockets apart from their six connections
per host, so any number of open tabs leave page loads free. Where the socket
cannot connect or drops (a restarted server), the page falls back to asking
`/__digest__/build` about once a second; the id includes a per-process
token, so a restarted server also reloads the open tabs.

Open pages first: each socket (and poll) names its page, so a rebuild knows
which pages are open and writes those that show no related papers before
anything else (`InView`); their tabs get the new build id at once, the others
when the whole build is written. Until then a request for a file that is not
there yet (a new paper's page, linked from a page shown first) waits for the
build instead of answering 404.

Only for this machine's visitors: requests must name the server's own address
(guard.py, against DNS rebinding), connections and the time to send a request
are bounded (limits.py), and the error page names files relative to the project.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import html
import io
import mimetypes
import os
import re
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback
import webbrowser
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any, TextIO
from urllib.parse import parse_qs, quote, unquote, urlsplit

from digest.commands.build import BuildReport, BuildState, InView, build_site, check_output_location
from digest.commands.progress import summary
from digest.errors import DigestError
from digest.preview.guard import Guard
from digest.preview.limits import Connections, HeaderDeadline, Limits, refuse
from digest.preview.watch import Debouncer, Watcher
from digest.project import Project
from digest.theme import CHECKOUT_ROOT, default_theme_dir

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
PORT_TRIES = 10
ENDPOINT_PREFIX = "/__digest__/"
BUILD_ENDPOINT = ENDPOINT_PREFIX + "build"
LIVE_ENDPOINT = ENDPOINT_PREFIX + "live"
WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, section 1.3
LIVE_PING_SECONDS = 20.0  # how often an idle live socket is checked for a tab that went away
RELOAD_SCRIPT = ENDPOINT_PREFIX + "reload.js"
BUILD_WAIT_SECONDS = 20.0  # how long a request for a missing file waits for a build under way to finish
TEXT = "text/plain; charset=utf-8"
TRACEBACK_FILE = re.compile(r'File "([^"]+)"')

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
}

# Listens on a WebSocket, which the server tells each new build id at once; where there is none or it
# drops, polls while the tab is visible, backing off while the server is down. Reloads when the id differs
# from the one the page was served with.
RELOAD_JS = b"""\
(() => {
  "use strict";
  const script = document.currentScript;
  const served = script ? script.dataset.build : "";
  const page = encodeURIComponent(location.pathname);
  const endpoint = `/__digest__/build?page=${page}`;
  let delay = 1000;
  let timer = 0;
  let polling = false;
  function reloadIfNew(current) {
    if (!current || current === served) return false;
    location.reload();
    return true;
  }
  function listen() {
    if (!("WebSocket" in window)) return poll();
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/__digest__/live?page=${page}`);
    socket.addEventListener("message", (event) => reloadIfNew(String(event.data).trim()));
    socket.addEventListener("close", poll);
  }
  function poll() {
    if (polling) return;
    polling = true;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState !== "visible") return;
      clearTimeout(timer);
      timer = 0;
      check();
    });
    schedule();
  }
  async function check() {
    timer = 0;
    if (document.visibilityState === "hidden") return;
    try {
      const response = await fetch(endpoint, {cache: "no-store"});
      const current = (await response.text()).trim();
      if (response.ok && reloadIfNew(current)) return;
      delay = 1000;
    } catch (error) {
      delay = Math.min(delay * 2, 4000);
    }
    schedule();
  }
  function schedule() {
    if (!timer) timer = setTimeout(check, delay);
  }
  listen();
})();
"""


@dataclass(frozen=True)
class BuildStatus:
    """What the server shows: the id pages compare against, and the last build's error if it failed."""

    build_id: str
    error: BaseException | None = None
    details: str = ""


@dataclass(frozen=True)
class _ShownFirst:
    """The id of a build under way and the files it wrote already: tabs showing them may reload now."""

    build_id: str
    files: frozenset[str]


class Preview:
    """The project being previewed, its build cache and the outcome of the latest build."""

    def __init__(self, project: Project, *, keep_going: bool = False, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        self.project = project
        self.keep_going = keep_going
        self.state = BuildState()
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._session = secrets.token_hex(4)
        self._counter = 0
        self._changed = threading.Condition()
        self._status = BuildStatus(self._next_id())
        self._shown_first: _ShownFirst | None = None
        self._building = False
        self._open: Counter[str] = Counter()  # output files of the pages open in a tab, counted per live socket
        self._stopping = False
        self.builds = 0

    @property
    def status(self) -> BuildStatus:
        return self._status

    @status.setter
    def status(self, status: BuildStatus) -> None:
        with self._changed:
            self._status = status
            self._shown_first = None
            self._changed.notify_all()

    def build_id_for(self, page: str | None) -> str:
        """The id a tab showing `page` (an output file) should have: a build's own once its page is written."""
        shown = self._shown_first
        return shown.build_id if shown is not None and page in shown.files else self._status.build_id

    def wait_for_build(self, build_id: str, timeout: float, page: str | None = None) -> str | None:
        """The id for `page` once it differs from `build_id` (or after `timeout`); None once stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self.build_id_for(page) != build_id, timeout)
            return None if self._stopping else self.build_id_for(page)

    @property
    def building(self) -> bool:
        return self._building

    def wait_while_building(self, timeout: float) -> None:
        """Return once no build is under way (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or not self._building, timeout)

    @property
    def open_pages(self) -> frozenset[str]:
        """The output files of the pages open in a tab (with a live socket) now."""
        with self._changed:
            return frozenset(self._open)

    @contextlib.contextmanager
    def page_open(self, page: str | None) -> Iterator[None]:
        """Count `page` as open in a tab while a live socket for it is connected."""
        if page is not None:
            with self._changed:
                self._open[page] += 1
        try:
            yield
        finally:
            if page is not None:
                with self._changed:
                    self._open[page] -= 1
                    if not self._open[page]:
                        del self._open[page]

    def stop_waiting(self) -> None:
        """Release every live connection (the server is shutting down)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def rebuild(self) -> BuildReport | None:
        """Build once; a failure is recorded and shown, never raised, so the server keeps running."""
        with self._changed:
            self._building = True
            # Not after a failed build: its tabs show the error page until the whole next build is good.
            open_pages = frozenset(self._open) if self._status.error is None else frozenset()
        in_view = InView(open_pages, self.show_first) if open_pages else None
        try:
            return self._build(in_view)
        finally:
            with self._changed:
                self._building = False
                self._changed.notify_all()

    def _build(self, in_view: InView | None) -> BuildReport | None:
        try:
            report = build_site(self.project, keep_going=self.keep_going, state=self.state, in_view=in_view)
        except DigestError as error:
            self._failed(error, "")
            return None
        except Exception as error:  # a bug in paper-digest: show it, keep serving
            self._failed(error, traceback.format_exc())
            return None
        self.builds += 1
        shown = self._shown_first
        changed = report.written + report.removed > 0 or self.status.error is not None or self.builds == 1
        new_id = shown.build_id if shown is not None else self._next_id() if changed else self.status.build_id
        self.status = BuildStatus(new_id)
        self._print(self.out, summary(report, "Built" if self.builds == 1 else "Rebuilt"))  # no live progress here
        for warning in report.warnings:
            self._print(self.err, f"warning: {warning}")
        return report

    def show_first(self, files: frozenset[str]) -> None:
        """The build under way wrote these files ahead of the rest: tabs showing them may reload with its id."""
        with self._changed:
            shown = self._shown_first
            self._shown_first = (_ShownFirst(self._next_id(), files) if shown is None
                                 else _ShownFirst(shown.build_id, shown.files | files))
            self._changed.notify_all()

    def _failed(self, error: BaseException, details: str) -> None:
        self.builds += 1
        previous = self.status
        same = previous.error is not None and str(previous.error) == str(error) and previous.details == details
        self.status = BuildStatus(previous.build_id if same else self._next_id(), error, details)
        self._print(self.err, f"error: {error}" + (f"\n{details}" if details else ""))
        self._print(self.err, "The server keeps running; the browser shows the error until the next good build.")

    def _next_id(self) -> str:
        self._counter += 1
        return f"{self._session}-{self._counter}"

    @staticmethod
    def _print(stream: TextIO, message: str) -> None:
        print(message, file=stream, flush=True)


# --- serving ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a request path leads: a file (200), a redirect (301) or nowhere (403, 404)."""

    status: int
    file: Path | None = None
    location: str | None = None


def resolve_request(root: Path, url_path: str) -> Target:
    """Map a URL path to a file inside `root`, refusing anything that would leave it.

    `url_path` is still percent-encoded; it is decoded once here, so `%2e%2e`
    is caught like `..`. Symlinks are followed and must stay inside `root`.
    """
    try:
        decoded = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return Target(HTTPStatus.NOT_FOUND)
    if not decoded.startswith("/") or "\x00" in decoded or "\\" in decoded:
        return Target(HTTPStatus.NOT_FOUND)
    segments = [segment for segment in decoded.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        return Target(HTTPStatus.FORBIDDEN)
    try:
        base = root.resolve(strict=True)
        found = base.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, not a folder, or a symlink loop
        return Target(HTTPStatus.NOT_FOUND)
    if found != base and base not in found.parents:
        return Target(HTTPStatus.FORBIDDEN)
    if found.is_dir():
        if not decoded.endswith("/"):
            return Target(HTTPStatus.MOVED_PERMANENTLY, location="/" + "".join(quote(s) + "/" for s in segments))
        return resolve_request(root, url_path + "index.html")
    if not found.is_file():
        return Target(HTTPStatus.NOT_FOUND)
    return Target(HTTPStatus.OK, file=found)


def output_file(root: Path, file: Path | None) -> str | None:
    """A resolved file's path in the output folder, as a build names it ("papers/x/index.html")."""
    try:
        return file.relative_to(root.resolve()).as_posix() if file is not None else None
    except (OSError, ValueError):
        return None


def content_type(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def inject_reload(page: bytes, build_id: str) -> bytes:
    """Add the live-reload script tag to one served page (never to the file on disk)."""
    tag = f'<script src="{RELOAD_SCRIPT}" data-build="{html.escape(build_id)}" defer></script>\n'.encode()
    lowered = page.lower()
    for marker in (b"</head>", b"</body>"):
        at = lowered.find(marker)
        if at >= 0:
            return page[:at] + tag + page[at:]
    return page + tag


def error_page(status: BuildStatus, project: Project) -> bytes:
    """An HTML page naming the file and line of the build error, every piece of it escaped.

    It names files relative to the project folder, never by absolute path: the page is for the
    site, not a map of the machine (the terminal shows the full error)."""
    error = status.error
    where, excerpt = "", ""
    if isinstance(error, DigestError):
        message = _relative_text(error.message, project)
        if error.path is not None:
            where = _display_path(error.path, project) + (f", line {error.line}" if error.line else "")
            excerpt = _excerpt(error.path, error.line)
    else:
        message = _relative_text(f"{type(error).__name__}: {error} (a bug in paper-digest; please report it)", project)
        excerpt = html.escape(_relative_text(status.details, project))
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<title>Build failed · digest serve</title>\n<style>",
        "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}",
        "h1{color:#a40000}.where{font-family:monospace;font-weight:bold}",
        "pre{background:#f6f6f6;border-left:4px solid #a40000;padding:.75rem;overflow:auto}",
        "mark{background:#ffd6d6}</style>\n</head>\n<body>\n<h1>The build failed</h1>\n",
        f"<p class=\"where\">{html.escape(where)}</p>\n" if where else "",
        f"<p class=\"message\">{html.escape(message)}</p>\n",
        f"<pre>{excerpt}</pre>\n" if excerpt else "",
        "<p>Fix it and save: this page reloads by itself when the next build succeeds. ",
        f"The last good site is still in <code>{html.escape(_display_path(project.output, project))}</code>.</p>\n",
        "</body>\n</html>\n",
    ]
    return "".join(parts).encode("utf-8")


def _display_path(path: Path, project: Project) -> str:
    """`path` relative to the project folder (a file of the default theme by its name there)."""
    absolute, root = Path(os.path.abspath(path)), Path(os.path.abspath(project.root))
    if absolute.is_relative_to(root):
        return absolute.relative_to(root).as_posix()
    theme = Path(os.path.abspath(default_theme_dir()))
    if absolute.is_relative_to(theme):
        return f"{absolute.relative_to(theme).as_posix()} (default theme)"
    return os.path.relpath(absolute, root)


def _source_path(path: Path, project: Project) -> str:
    """A traceback's file: a project's file relative to it, Python's by its module path ("jinja2/runtime.py")."""
    absolute = Path(os.path.abspath(path))
    homes = [Path(os.path.abspath(entry)) for entry in (*sys.path, CHECKOUT_ROOT) if entry]
    home = max((home for home in homes if absolute.is_relative_to(home)), key=lambda h: len(h.parts), default=None)
    if home is None or absolute.is_relative_to(project.root):
        return _display_path(path, project)
    return absolute.relative_to(home).as_posix()


def _relative_text(text: str, project: Project) -> str:
    """`text` (a message, a traceback) with its traceback files and the project's folders named relatively."""
    text = TRACEBACK_FILE.sub(lambda match: f'File "{_source_path(Path(match[1]), project)}"', text)
    for folder in sorted({project.output, project.root}, key=lambda folder: -len(str(folder))):
        shown = _display_path(folder, project).replace("\\", "\\\\")  # a template for re.sub
        text = re.sub(re.escape(str(folder)) + r"(?![\w.-])", shown, text)
    return text


def _excerpt(path: Path, line: int | None, around: int = 2) -> str:
    """The lines around `line`, numbered and escaped, the faulty one marked."""
    if not line:
        return ""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    rows = []
    for number in range(max(1, line - around), min(len(lines), line + around) + 1):
        text = f"{number:>5} | {html.escape(lines[number - 1])}"
        rows.append(f"<mark>{text}</mark>" if number == line else text)
    return "\n".join(rows)


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server; `preview` is what its handlers read (output folder, build status).

    `guard` says which Host and Origin headers it answers (guard.py); `connections` bounds its threads (limits.py).
    """

    daemon_threads = True
    request_queue_size = 64  # connections the kernel holds until accepted (5 drops a burst of a page's requests)

    def __init__(self, address: tuple[str, int], preview: Preview, limits: Limits | None = None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview = preview
        self.limits = limits or Limits()
        self.connections = Connections(self.limits)
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        """Skip HTTPServer's reverse DNS lookup of the host: it can stall start-up for seconds."""
        host = str(self.server_address[0])  # as given (`--host`), before it becomes the bound address
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])
        self.guard = Guard.for_address(host, self.server_port)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a thread for the connection if `connections` has room; else answer 503 from here."""
        if not self.connections.admit(request):
            refuse(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.connections.done(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.done(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that goes away or stalls is no error worth a traceback in the terminal."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files in the output folder, plus the three live-reload endpoints."""

    server: PreviewServer
    server_version = "digest-serve"
    timeout = 30  # per read or write once the request head is in; `Limits.header_seconds` bounds the head

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket stays open; its reads go through the deadline instead
        self.request_head = HeaderDeadline(self.connection)
        self.rfile = io.BufferedReader(self.request_head)

    def handle_one_request(self) -> None:
        """One request, whose line and headers must arrive within `Limits.header_seconds` in all."""
        self.request_head.start(self.server.limits.header_seconds)
        self.server.connections.waiting(self.connection)
        super().handle_one_request()

    def parse_request(self) -> bool:
        try:
            return super().parse_request()  # reads the headers
        finally:
            self.server.connections.answering(self.connection)
            self.request_head.stop(self.timeout)

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: the terminal is for build results and errors."""

    def _handle(self, send_body: bool) -> None:
        # The browser may go away mid-response (a reload); there is nothing to tell anyone.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if not self.server.guard.host_allowed(self.headers.get_all("Host") or []):
                return self._send(421, TEXT, b"421 Misdirected Request: this server answers only to its own "
                                  b"address (such as 127.0.0.1 or localhost)\n", send_body)
            self._respond(send_body)

    def _respond(self, send_body: bool) -> None:
        preview = self.server.preview
        path = urlsplit(self.path).path
        if path in (BUILD_ENDPOINT, LIVE_ENDPOINT) and not self.server.guard.origin_allowed(
                self.headers.get_all("Origin") or []):
            return self._send(403, TEXT, b"403 Forbidden: another site's page\n", send_body)
        if path == BUILD_ENDPOINT:
            build_id = preview.build_id_for(self._open_page())
            return self._send(200, TEXT, build_id.encode(), send_body, cache="no-store")
        if path == RELOAD_SCRIPT:
            return self._send(200, CONTENT_TYPES[".js"], RELOAD_JS, send_body)
        if path == LIVE_ENDPOINT:
            return self._live()
        target = resolve_request(preview.project.output, path)
        if target.status == HTTPStatus.NOT_FOUND and preview.building:  # it may be a page the build is writing
            preview.wait_while_building(BUILD_WAIT_SECONDS)
            target = resolve_request(preview.project.output, path)
        if target.status == HTTPStatus.MOVED_PERMANENTLY and target.location:
            query = urlsplit(self.path).query
            return self._redirect(target.location + (f"?{query}" if query else ""), send_body)
        # The id before the bytes: a page read just before the build writes it must not get the new id.
        build_id = preview.build_id_for(output_file(preview.project.output, target.file))
        data = self._read(target.file) if target.file is not None else None
        if data is None:
            return self._not_found(target.status if target.status != HTTPStatus.OK else 404, send_body)
        kind = content_type(target.file) if target.file is not None else CONTENT_TYPES[".html"]
        if kind.startswith("text/html"):
            return self._send_page(200, data, send_body, build_id)
        return self._send(200, kind, data, send_body)

    def _live(self) -> None:
        """The WebSocket a page listens on: the current build id at once, then each new one as it is built."""
        key = self.headers.get("Sec-WebSocket-Key", "")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
            return self._send(426, TEXT, b"426 Upgrade Required: a WebSocket endpoint\n", True)
        with self.server.connections.live_socket() as allowed:
            if not allowed:
                return self._send(503, TEXT, b"503 Service Unavailable: too many live-reload sockets open\n", True)
            self._upgrade(key)
            self._tell_builds()

    def _upgrade(self, key: str) -> None:
        accept = base64.b64encode(hashlib.sha1((key.strip() + WEBSOCKET_GUID).encode()).digest()).decode()
        self.protocol_version = "HTTP/1.1"  # a handshake answered as HTTP/1.0 is refused
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.close_connection = True

    def _tell_builds(self) -> None:
        preview, sent, page = self.server.preview, "", self._open_page()
        current: str | None = preview.build_id_for(page)
        with preview.page_open(page):
            while current is not None:
                if current != sent:
                    self.wfile.write(_websocket_frame(0x1, current.encode()))  # text
                    sent = current
                else:
                    self.wfile.write(_websocket_frame(0x9, b""))  # ping: fails once the tab is gone
                self.wfile.flush()
                current = preview.wait_for_build(sent, LIVE_PING_SECONDS, page)
        self.wfile.write(_websocket_frame(0x8, (1001).to_bytes(2, "big")))  # close: going away

    def _open_page(self) -> str | None:
        """The output file of the page a live socket or poll says it is on (its `page` parameter)."""
        pages = parse_qs(urlsplit(self.path).query).get("page")
        if not pages:
            return None
        target = resolve_request(self.server.preview.project.output, quote(pages[0], safe="/"))
        return output_file(self.server.preview.project.output, target.file) if target.file else None

    @staticmethod
    def _read(path: Path) -> bytes | None:
        """Read the whole file now, so no descriptor into a folder the next build swaps away is kept."""
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _not_found(self, status: int, send_body: bool) -> None:
        if status == HTTPStatus.FORBIDDEN:
            return self._send(403, TEXT, b"403 Forbidden: outside the site folder\n", send_body)
        build_id = self.server.preview.status.build_id  # a missing page is not written ahead of a build
        page = self._read(self.server.preview.project.output / "404.html")
        if page is None:
            page = b"<!DOCTYPE html>\n<title>Not found</title>\n<h1>404 Not found</h1>\n"
        return self._send_page(404, page, send_body, build_id)

    def _send_page(self, status: int, page: bytes, send_body: bool, build_id: str) -> None:
        """An HTML response: the page with the reload script, or the error page while the build is broken.
        `build_id` is the id the page had when it was read (a build's own, for a page it wrote ahead)."""
        current = self.server.preview.status
        if current.error is not None:
            status, page = 500, error_page(current, self.server.preview.project)
        self._send(status, CONTENT_TYPES[".html"], inject_reload(page, build_id), send_body)

    def _redirect(self, location: str, send_body: bool) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, kind: str, data: bytes, send_body: bool, cache: str = "no-cache") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(data)


def _websocket_frame(opcode: int, payload: bytes) -> bytes:
    """One unmasked, unfragmented server frame (RFC 6455, section 5.2); payloads here are short."""
    if len(payload) > 125:
        raise ValueError("live-reload frames carry a build id, not more than 125 bytes")
    return bytes((0x80 | opcode, len(payload))) + payload


def bind_server(host: str, port: int, preview: Preview, *, try_next: bool = False,
                limits: Limits | None = None) -> PreviewServer:
    """Listen on host:port; with `try_next`, on the next free one of the following few ports."""
    last = port + (PORT_TRIES - 1 if try_next and port else 0)
    for candidate in range(port, last + 1):
        try:
            return PreviewServer((host, candidate), preview, limits)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                continue
            if error.errno == errno.EACCES:
                raise DigestError(f"not allowed to listen on port {candidate} (ports below 1024 need root); "
                                  "choose one such as --port 8000") from None
            raise DigestError(f"cannot listen on {host} port {candidate}: {error.strerror or error}") from None
    ports = f"port {port} is" if last == port else f"ports {port}-{last} are"
    raise DigestError(f"{ports} already in use on {host} (another `digest serve`?); "
                      "stop it or choose another with --port")


class _StopRequest:
    """Set from a signal handler; polled by the main thread (a lock in a handler could deadlock)."""

    def __init__(self) -> None:
        self.signal_name = ""

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.signal_name = signal.Signals(signum).name


def serve(project: Project, *, host: str = DEFAULT_HOST, port: int | None = None, open_browser: bool = False,
          keep_going: bool = False) -> int:
    """Run the preview until SIGINT or SIGTERM; returns the exit status (0 on a clean stop)."""
    check_output_location(project)
    preview = Preview(project, keep_going=keep_going)
    server = bind_server(host, DEFAULT_PORT if port is None else port, preview, try_next=port is None)
    url = _url(host, int(server.server_address[1]))
    if port is None and server.server_address[1] != DEFAULT_PORT:
        print(f"Port {DEFAULT_PORT} is busy; using {server.server_address[1]} instead.", flush=True)
    stop = _StopRequest()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    watcher = Watcher(project, lambda: debouncer.trigger())
    debouncer = Debouncer(lambda: (watcher.refresh(), preview.rebuild()))
    http_thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="digest-http")
    try:
        watcher.start()
        preview.rebuild()
        http_thread.start()
        debouncer.start()
        _announce(url, host)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), name="digest-open", daemon=True).start()
        while not stop.signal_name:
            time.sleep(0.1)
    finally:
        _shut_down(watcher, debouncer, server, http_thread)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"Stopped ({stop.signal_name or 'error'}).", flush=True)
    return 0


def _shut_down(watcher: Watcher, debouncer: Debouncer, server: PreviewServer, http_thread: threading.Thread) -> None:
    """Stop watching, let a running build finish, then close the listening socket."""
    watcher.stop()
    debouncer.stop()
    server.preview.stop_waiting()
    if http_thread.is_alive():
        server.shutdown()
        http_thread.join(10)
    server.server_close()


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _announce(url: str, host: str) -> None:
    print(f"Serving {url} (Ctrl-C to stop); watching content/ and the templates", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Note: listening on {host}, so other machines on the network can open the preview.", flush=True)
