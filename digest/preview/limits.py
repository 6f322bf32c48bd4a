"""Bounds on what a client of the preview server can hold: threads, and time to send a request.

The server runs one thread per connection. Without bounds, a client could
open connections until the process runs out of threads, or keep one forever
by sending a header line just before each read times out. So:

* at most `Limits.connections` connections are handled at once (page loads
  and connections that have not sent their request yet). At the cap,
  a new connection closes the one that has waited longest for its request
  (a stalled client's, or a browser's spare, which it simply reopens), never
  one being answered; if none frees up within a second it gets a 503;
* a request line and its headers must arrive within `Limits.header_seconds`
  as a whole, not per read;
* live-reload WebSockets, open as long as their tab by design, are counted
  apart under `Limits.live`, so open tabs never crowd out page loads.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

ADMIT_WAIT_SECONDS = 1.0  # how long a connection over the cap waits for one to close before it gets a 503
BUSY_BODY = b"503 Service Unavailable: too many connections open\n"
BUSY_RESPONSE = (b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 b"Content-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s" % (len(BUSY_BODY), BUSY_BODY))


@dataclass(frozen=True)
class Limits:
    connections: int = 32  # handled at once, live sockets apart
    live: int = 64  # live-reload sockets open at once
    header_seconds: float = 10.0  # for a request line and its headers, all of them


class HeaderDeadline(io.RawIOBase):
    """A connection's reads, each allowed only the time left until the deadline (while one is set).

    A per-read timeout alone lets a client that sends a byte now and then keep
    the connection forever; this bounds the whole request head. An end of file
    before the head is complete is an error, not the end of the headers: it is
    what a connection closed to make room reads.
    """

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.deadline is None:
            return self.sock.recv_into(buffer)
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's line and headers took too long")
        self.sock.settimeout(left)
        count = self.sock.recv_into(buffer)
        if not count:
            raise ConnectionAbortedError("the connection closed before its request was complete")
        return count

    def start(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def stop(self, timeout: float | None) -> None:
        """The request head is read: back to the handler's per-read `timeout`."""
        self.deadline = None
        self.sock.settimeout(timeout)


class Connections:
    """The connections being handled, counted against `Limits`; every method is thread-safe."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.pages = 0  # connections other than live sockets
        self.live = 0
        self._changed = threading.Condition()
        self._waiting: dict[socket.socket, None] = {}  # connections waiting for their request, oldest first

    def admit(self, connection: socket.socket) -> bool:
        """Count in a new connection, at the cap closing the one that has waited longest for its request first;
        False when no room frees up within `ADMIT_WAIT_SECONDS`."""
        with self._changed:
            if self.pages >= self.limits.connections and self._waiting:
                oldest = next(iter(self._waiting))
                del self._waiting[oldest]
                with contextlib.suppress(OSError):
                    oldest.shutdown(socket.SHUT_RDWR)  # its thread's read returns at once, and it ends
            if not self._changed.wait_for(lambda: self.pages < self.limits.connections, ADMIT_WAIT_SECONDS):
                return False
            self.pages += 1
            self._waiting[connection] = None
            return True

    def done(self, connection: socket.socket) -> None:
        """An admitted connection is closed."""
        with self._changed:
            self.pages -= 1
            self._waiting.pop(connection, None)
            self._changed.notify_all()

    def waiting(self, connection: socket.socket) -> None:
        """The connection waits for another request: it may be closed to make room."""
        with self._changed:
            self._waiting[connection] = None

    def answering(self, connection: socket.socket) -> None:
        """The connection has its request: it is no longer closed to make room."""
        with self._changed:
            self._waiting.pop(connection, None)

    @contextlib.contextmanager
    def live_socket(self) -> Iterator[bool]:
        """Count a connection as a live socket, not a page load, while it is one; yields False at the cap."""
        with self._changed:
            allowed = self.live < self.limits.live
            if allowed:
                self.live += 1
                self.pages -= 1
                self._changed.notify_all()
        try:
            yield allowed
        finally:
            if allowed:
                with self._changed:
                    self.live -= 1
                    self.pages += 1  # until the connection is done


def refuse(request: socket.socket) -> None:
    """Answer a connection over the cap with a 503, without blocking the thread that accepts connections."""
    with contextlib.suppress(OSError):
        request.setblocking(False)
        request.send(BUSY_RESPONSE)
