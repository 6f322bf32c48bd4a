"""The preview's HTTP side: which file a request names, and the server and handler that send it.

Files are looked up by path on every request, so the folder each build swaps
in is what is served, and read whole at once, so no descriptor into a folder
the next build swaps away is kept. Requests must name the server's own
address (guard.py), connections and the time to send a request are bounded
(limits.py); HTML pages get the live-reload script tag (live.py), or the
error page while the build is failing (errorpage.py).
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import socket
import socketserver
import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from digest.preview import live
from digest.preview.errorpage import error_page
from digest.preview.guard import Guard
from digest.preview.limits import Connections, HeaderDeadline, Limits, refuse
from digest.preview.session import Preview

BUILD_WAIT_SECONDS = 20.0  # how long a request for a missing file waits for a build under way to finish
TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
JAVASCRIPT = "text/javascript; charset=utf-8"
NOT_FOUND_PAGE = b"<!DOCTYPE html>\n<title>Not found</title>\n<h1>404 Not found</h1>\n"
CONTENT_TYPES = MappingProxyType({
    ".html": HTML,
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".js": JAVASCRIPT,
    ".mjs": JAVASCRIPT,
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
    ".bib": "application/x-bibtex; charset=utf-8",  # reference files (plan/references.py), as netlify.toml says
    ".ris": "application/x-research-info-systems; charset=utf-8",
    ".csl.json": "application/vnd.citationstyles.csl+json; charset=utf-8",
})


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
    known = CONTENT_TYPES.get("".join(path.suffixes[-2:]).lower()) or CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def read_file(path: Path) -> bytes | None:
    """The whole file now, or None if it is gone."""
    try:
        return path.read_bytes()
    except OSError:
        return None


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
    """GET and HEAD for files in the output folder, the reload script and the live-reload socket."""

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
            path = urlsplit(self.path).path
            if path == live.RELOAD_SCRIPT:
                return self._send(200, JAVASCRIPT, live.RELOAD_JS, send_body)
            if path == live.LIVE_ENDPOINT:
                return self._live()
            self._serve_file(path, send_body)

    def _serve_file(self, path: str, send_body: bool) -> None:
        preview = self.server.preview
        target = resolve_request(preview.project.output, path)
        if target.status == HTTPStatus.NOT_FOUND and preview.building:  # it may be a page the build is writing
            preview.wait_while_building(BUILD_WAIT_SECONDS)
            target = resolve_request(preview.project.output, path)
        if target.status == HTTPStatus.MOVED_PERMANENTLY and target.location:
            query = urlsplit(self.path).query
            return self._redirect(target.location + (f"?{query}" if query else ""))
        # The id before the bytes: a page read just before the build writes it must not get the new id.
        build_id = preview.build_id_for(output_file(preview.project.output, target.file))
        data = read_file(target.file) if target.file is not None else None
        if target.file is None or data is None:
            return self._not_found(target.status if target.status != HTTPStatus.OK else 404, send_body)
        kind = content_type(target.file)
        if kind.startswith("text/html"):
            return self._send_page(200, data, send_body, build_id)
        return self._send(200, kind, data, send_body)

    def _live(self) -> None:
        """The live-reload socket, for this server's own pages only (the Origin rule) and within `Limits.live`."""
        if not self.server.guard.origin_allowed(self.headers.get_all("Origin") or []):
            return self._send(403, TEXT, b"403 Forbidden: another site's page\n", True)
        key = live.websocket_key(self.headers)
        if key is None:
            return self._send(426, TEXT, b"426 Upgrade Required: a WebSocket endpoint\n", True)
        with self.server.connections.live_socket() as allowed:
            if not allowed:
                return self._send(503, TEXT, b"503 Service Unavailable: too many live-reload sockets open\n", True)
            self._switch_to_websocket(key)
            live.tell_builds(self.wfile, self.server.preview, self._open_page())

    def _switch_to_websocket(self, key: str) -> None:
        self.protocol_version = "HTTP/1.1"  # a handshake answered as HTTP/1.0 is refused
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", live.accept_value(key))
        self.end_headers()
        self.close_connection = True

    def _open_page(self) -> str | None:
        """The output file of the page a live socket says it is on (its `page` parameter)."""
        pages = parse_qs(urlsplit(self.path).query).get("page")
        if not pages:
            return None
        target = resolve_request(self.server.preview.project.output, quote(pages[0], safe="/"))
        return output_file(self.server.preview.project.output, target.file)

    def _not_found(self, status: int, send_body: bool) -> None:
        if status == HTTPStatus.FORBIDDEN:
            return self._send(403, TEXT, b"403 Forbidden: outside the site folder\n", send_body)
        build_id = self.server.preview.status.build_id  # a missing page is not written ahead of a build
        page = read_file(self.server.preview.project.output / "404.html")
        if page is None:
            page = NOT_FOUND_PAGE
        return self._send_page(404, page, send_body, build_id)

    def _send_page(self, status: int, page: bytes, send_body: bool, build_id: str) -> None:
        """An HTML response: the page with the reload script, or the error page while the build is broken.
        `build_id` is the id the page had when it was read (a build's own, for a page it wrote ahead)."""
        current = self.server.preview.status
        if current.error is not None:
            status, page = 500, error_page(current, self.server.preview.project)
        self._send(status, HTML, live.inject_reload(page, build_id), send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, kind: str, data: bytes, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(data)
