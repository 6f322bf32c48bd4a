"""`digest serve`: build, serve the output over HTTP, rebuild on changes and reload the browser.

Three parts run side by side until Ctrl-C or SIGTERM:

* a watchdog observer on content/ and the templates (watch.py), whose events
  only poke a `Debouncer`, so a burst of saves (or a `git checkout`) gives one build;
* one rebuild thread that calls `Preview.rebuild` (session.py), which keeps a
  `BuildState` for the whole session, so a rebuild rewrites only what changed;
* the HTTP server (http.py), which serves the output folder and tells open
  pages about each build over their live-reload sockets (live.py).

This module binds the port, starts and stops those parts, and says what it does.
"""

from __future__ import annotations

import errno
import signal
import threading
import time
import webbrowser
from types import FrameType

from digest.commands.build import check_output_location
from digest.errors import DigestError
from digest.preview.http import PreviewServer
from digest.preview.limits import Limits
from digest.preview.session import Preview
from digest.preview.watch import Debouncer, Watcher
from digest.project import Project

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
PORT_TRIES = 10


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
