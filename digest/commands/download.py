"""One HTTP GET for `digest fetch`, as careful as a remote service that is sometimes slow, down or odd needs.

- every request has a timeout and is retried with backoff on 5xx, 429 (honouring Retry-After) and network
  errors;
- `--timeout` bounds each wait for data, and a whole answer (connecting, redirects, headers, body) must arrive
  within DEADLINE_PER_TIMEOUT times it, so a server that drips a byte a second cannot hold a try;
- a redirect is followed only over http(s) to the first URL's own host (never https to http), at most
  MAX_REDIRECTS times, and a refused or looping redirect is an error at once;
- a body is read up to MAX_BODY bytes.

Only the standard library (urllib), so fetching adds no dependency.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import io
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO, Any, NoReturn

from digest import __version__
from digest.errors import DigestError
from digest.inputs.api_json import printable_excerpt

DEFAULT_TIMEOUT = 30.0
DEADLINE_PER_TIMEOUT = 4  # a whole answer may take 4 x --timeout (2 minutes by default), however it trickles in
MAX_REDIRECTS = 5  # a longer chain of redirects is a misconfigured server, not an API
DEFAULT_RETRIES = 3  # so 4 tries in all
FIRST_BACKOFF = 1.0  # seconds; doubles after each failed try
MAX_WAIT = 120.0  # the longest we sleep between tries, whatever Retry-After asks
MAX_BODY = 32 * 1024 * 1024
EXCERPT = 160

Say = Callable[[str], None]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, successful or not, as far as the fetcher needs it."""

    url: str
    status: int
    reason: str
    content_type: str
    body: bytes
    retry_after: str | None = None

    def describe(self) -> str:
        """Status, type and the start of the body, for an error message."""
        start = printable_excerpt(self.body[:4 * EXCERPT].decode("utf-8", "replace"), EXCERPT)
        body = f"body starts '{start}'" if start else "empty body"
        return f"HTTP {self.status} {self.reason}, {self.content_type or 'no content type'}, {body}"


@dataclass(frozen=True)
class Failure:
    """A try that did not work, and the seconds to wait before the next one."""

    problem: str
    wait: float


@dataclass(frozen=True)
class Retrying:
    """How hard to try one request: the longest wait for data, tries after the first, seconds for a whole answer."""

    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    deadline: float = DEADLINE_PER_TIMEOUT * DEFAULT_TIMEOUT


def get_with_retries(url: str, retrying: Retrying, sleep: Sleep, say: Say) -> Reply:
    """A 2xx reply for `url`; retries server errors, 429 and network trouble, fails at once on other statuses."""
    tries = max(retrying.retries, 0) + 1
    attempt = 1
    while True:
        outcome = try_once(url, retrying, attempt)
        if isinstance(outcome, Reply):
            return outcome
        if attempt == tries:
            raise DigestError(f"{url} failed {tries} times; the last time: {outcome.problem}")
        say(f"{url}: {outcome.problem}; trying again in {outcome.wait:g} s (try {attempt + 1} of {tries})")
        sleep(outcome.wait)
        attempt += 1


def try_once(url: str, retrying: Retrying, attempt: int) -> Reply | Failure:
    """A 2xx reply, or what went wrong and how long to wait before try `attempt` + 1."""
    try:
        reply = request_once(url, retrying.timeout, retrying.deadline)
    except (OSError, http.client.HTTPException) as error:
        return Failure(describe_network_error(error, retrying.timeout), backoff(attempt))
    if 200 <= reply.status < 300:
        return reply
    if not is_retryable(reply.status):
        raise DigestError(f"{url} answered with an error: {reply.describe()}")
    asked = retry_after_seconds(reply.retry_after, datetime.now(UTC))
    return Failure(reply.describe(), backoff(attempt) if asked is None else asked)


def request_once(url: str, timeout: float, deadline: float) -> Reply:
    """One GET, redirects and body included, within `deadline` seconds.

    Network errors propagate (`AnswerTooSlow` among them), HTTP error statuses
    come back as a `Reply`, a refused redirect is a `DigestError`.
    """
    headers = {"User-Agent": f"paper-digest/{__version__}", "Accept": "application/json"}
    request = urllib.request.Request(url, headers=headers, method="GET")
    opener = urllib.request.build_opener(CheckedRedirects(url), _BoundedHandler(_Deadline.start(deadline, timeout)))
    try:
        with opener.open(request, timeout=timeout) as response:
            return _reply(url, response.status, response.reason, response.headers, _read_body(response, url))
    except urllib.error.HTTPError as error:
        with contextlib.closing(error):
            body = _read_body(error, url) if error.fp is not None else b""
            return _reply(url, error.code, str(error.reason), error.headers, body)


def redirect_refusal(origin: str, target: str) -> str | None:
    """Why a redirect from `origin` to `target` is not followed, or None if it is.

    Only http(s) on the API's own host (any port), never from https down to
    http: an answer must not send the fetcher to another service (ftp, a host
    on the local network) or off TLS. No option allows other hosts: give the
    final URL as --api instead.
    """
    try:
        old, new = urllib.parse.urlsplit(origin), urllib.parse.urlsplit(urllib.parse.urljoin(origin, target))
    except ValueError:
        return "it is not a valid URL"
    if new.scheme not in ("http", "https"):
        return "only http:// and https:// redirects are followed"
    if (old.scheme, new.scheme) == ("https", "http"):
        return "a redirect from https:// down to http:// is not followed"
    if new.hostname != old.hostname:
        return f"redirects are followed only within {old.hostname} (give the final URL as --api)"
    return None


class CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only where `redirect_refusal` allows, at most MAX_REDIRECTS times, never in a loop.

    urllib alone follows any http, https or ftp Location. A refusal is a
    `DigestError`, not retried: asking again would be redirected the same way.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.asked = [url]

    def http_error_302(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                       headers: http.client.HTTPMessage) -> IO[bytes] | None:
        """urllib's, after the same check: urllib stops at file: with a three-line error of its own, and at a
        Location it cannot parse (http://[::1) with a ValueError, leaving the answer open."""
        self._check(fp, headers.get("Location") or headers.get("URI") or "")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: http.client.HTTPMessage, newurl: str) -> urllib.request.Request | None:
        self._check(fp, newurl)
        hop = f"{printable_excerpt(req.full_url, EXCERPT)} → {printable_excerpt(newurl, EXCERPT)}"
        if newurl in self.asked:
            self._refuse(fp, f"{self.url} redirected in a loop ({hop}, asked before); not followed")
        if len(self.asked) > MAX_REDIRECTS:
            self._refuse(fp, f"{self.url} redirected more than {MAX_REDIRECTS} times (last {hop}); not followed")
        self.asked.append(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

    def _check(self, fp: IO[bytes], target: str) -> None:
        problem = redirect_refusal(self.url, target)
        if problem is not None:
            self._refuse(fp, f"{self.url} redirected to {printable_excerpt(target, EXCERPT)}; not followed: {problem}")

    def _refuse(self, fp: IO[bytes], message: str) -> NoReturn:
        fp.close()
        raise DigestError(message)


class AnswerTooSlow(TimeoutError):
    """The whole answer did not arrive within the deadline: retried like any other timeout, as it may pass."""


@dataclass(frozen=True)
class _Deadline:
    """The end of one try: each wait for data lasts at most `timeout` and none goes past `end` (monotonic)."""

    seconds: float
    timeout: float
    end: float

    @classmethod
    def start(cls, seconds: float, timeout: float) -> _Deadline:
        return cls(seconds, timeout, time.monotonic() + seconds)

    def wait(self) -> float:
        """How long the next wait for data may last; `AnswerTooSlow` once the deadline has passed."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.passed()
        return min(self.timeout, left)

    def passed(self) -> AnswerTooSlow:
        return AnswerTooSlow(f"the answer took longer than {self.seconds:g} s")


class _BoundedHandler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """http and https connections whose every wait (connect, status line, each header, the body) ends by the deadline.

    A socket timeout alone restarts with every byte: a server dripping one
    byte a second would hold a try for as long as it likes.
    """

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection(http.client.HTTPConnection), req)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection(http.client.HTTPSConnection), req)

    def _connection(self, kind: type[http.client.HTTPConnection]) -> Callable[..., http.client.HTTPConnection]:
        def connect(host: str, **kwargs: Any) -> http.client.HTTPConnection:
            connection = kind(host, **{**kwargs, "timeout": self.deadline.wait()})
            connection.response_class = functools.partial(_BoundedResponse, deadline=self.deadline)
            return connection
        return connect


class _BoundedResponse(http.client.HTTPResponse):
    """An HTTPResponse that reads its socket through a `_BoundedReader`."""

    def __init__(self, sock: socket.socket, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp.close()  # the plain reader HTTPResponse made, unused so far
        self.fp = io.BufferedReader(_BoundedReader(sock, deadline))


class _BoundedReader(io.RawIOBase):
    """Sets the socket's timeout before each read to what is left of `timeout` and of the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self.sock, self.stream, self.deadline = sock, sock.makefile("rb", buffering=0), deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int | None:
        wait = self.deadline.wait()
        self.sock.settimeout(wait)
        try:
            return self.stream.readinto(buffer)
        except TimeoutError:
            if wait < self.deadline.timeout:  # the deadline, not --timeout, cut this wait short
                raise self.deadline.passed() from None
            raise

    def close(self) -> None:
        self.stream.close()
        super().close()


def _read_body(response: http.client.HTTPResponse | urllib.error.HTTPError, url: str) -> bytes:
    """The whole body; a connection closed before Content-Length bytes is a network error (and retried)."""
    body = response.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise DigestError(f"{url} sent more than {MAX_BODY // (1024 * 1024)} MB; that is not a day of papers")
    expected = (response.headers.get("Content-Length") or "").strip()
    if expected.isdigit() and len(body) < int(expected):
        raise http.client.IncompleteRead(body, int(expected) - len(body))
    return body


def _reply(url: str, status: int, reason: str, headers: http.client.HTTPMessage, body: bytes) -> Reply:
    content_type = headers.get_content_type() if headers.get("Content-Type") else ""
    return Reply(url=url, status=status, reason=printable_excerpt(reason, EXCERPT), content_type=content_type,
                 body=body, retry_after=headers.get("Retry-After"))


def is_retryable(status: int) -> bool:
    """Too many requests and server errors may pass; other client errors will not."""
    return status == 429 or status >= 500


def backoff(attempt: int) -> float:
    """Seconds to wait after failed try number `attempt` (1, 2, 4, ...), capped."""
    return min(FIRST_BACKOFF * 2 ** (attempt - 1), MAX_WAIT)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds to wait (delay-seconds or an HTTP date), capped; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_WAIT)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - now).total_seconds(), 0.0), MAX_WAIT)


def describe_network_error(error: BaseException, timeout: float) -> str:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, AnswerTooSlow):
        return str(reason)
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server down?)"
    if isinstance(reason, http.client.IncompleteRead):
        return f"the connection closed after {len(reason.partial)} bytes, before the end of the body"
    if isinstance(reason, OSError) and reason.strerror:
        return f"network error: {reason.strerror}"
    return f"network error: {printable_excerpt(str(reason) or type(reason).__name__)}"
