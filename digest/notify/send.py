"""Sending one post to one destination through Apprise: tried on its own, retried while the failure may pass.

Apprise answers a send with True or False and logs why; `quiet_apprise` keeps those lines (masked) as
the reason. An HTTP status in them decides whether to try again: 408, 425, 429 and 5xx may pass, other
4xx answers will not (a wrong token stays wrong); a failure without a status (a refused connection, a
timeout) is tried again. Nothing here raises for a failed destination: the caller gets an `Outcome`
and carries on with the next one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from digest.notify.destinations import DestinationError, Filled, Redactor, fill, load_service, quiet_apprise
from digest.notify.message import HTML, MARKDOWN, TEXT, Post
from digest.text import short_hash

Say = Callable[[str], None]
Sleep = Callable[[float], None]
TEMPORARY_STATUSES = frozenset({408, 425, 429})
_STATUS = re.compile(r"error=(\d{3})\b")
# Services that pass a message on to readers paper-digest does not know (a webhook, an Apprise API server):
# they get their default format (plain text) unless the URL asks for another with ?format=.
GENERIC_PROTOCOLS = frozenset({"json", "jsons", "form", "forms", "xml", "xmls", "apprise", "apprises"})


@dataclass(frozen=True)
class Retrying:
    """How hard to try one destination: tries after the first, and the first wait (doubled after each try)."""

    retries: int = 3
    backoff: float = 2.0

    def wait(self, attempt: int) -> float:
        """Seconds to wait after failed try number `attempt`."""
        return self.backoff * 2 ** (attempt - 1)


@dataclass(frozen=True)
class Outcome:
    """What became of one destination: delivered (with the id recorded in the ledger) or why not."""

    destination: str  # the template as site.yaml writes it: never a secret
    delivered: bool
    tries: int
    reason: str = ""
    message_id: str = ""


def service_format(service: object) -> str:
    """The format a service gets: Markdown where it renders Markdown, HTML where it takes only HTML, else text."""
    from apprise import NotifyFormat

    generic = getattr(service, "protocol", "") in GENERIC_PROTOCOLS
    chosen = service.resolve_format(None if generic else NotifyFormat.MARKDOWN)  # type: ignore[attr-defined]
    return {NotifyFormat.MARKDOWN: MARKDOWN, NotifyFormat.HTML: HTML}.get(chosen, TEXT)


def post_id(key: str, post: Post) -> str:
    """A message id for the ledger: the edition and a hash of exactly what was sent."""
    return f"notify.{key}.{short_hash(post.title + chr(0) + post.body, 12)}"


def deliver(template: str, make_post: Callable[[object], Post], key: str, environ: Mapping[str, str],
            retrying: Retrying, sleep: Sleep = time.sleep, say: Say = print) -> Outcome:
    """Send the post `make_post` writes for this destination's service, retrying a failure that may pass."""
    try:
        filled = fill(template, environ)
        service = load_service(filled)
    except DestinationError as error:
        return Outcome(template, False, 0, str(error))
    post = make_post(service)
    tries = retrying.retries + 1
    for attempt in range(1, tries + 1):
        if attempt > 1:  # a new service object: Apprise spaces out requests from one object by seconds
            service = load_service(filled)
        problem, temporary = send_once(service, post, filled)
        if problem is None:
            return Outcome(template, True, attempt, message_id=post_id(key, post))
        if not temporary or attempt == tries:
            return Outcome(template, False, attempt, problem)
        wait = retrying.wait(attempt)
        say(f"{template}: {problem}; trying again in {wait:g} s (try {attempt + 1} of {tries})")
        sleep(wait)
    raise AssertionError("unreachable: the last try returns")


def send_once(service: object, post: Post, filled: Filled) -> tuple[str | None, bool]:
    """(None, _) when the service took the post, else (why, whether trying again may help)."""
    from apprise import NotifyFormat

    redact = Redactor.of(filled.secrets)
    with quiet_apprise(redact) as said:
        try:
            sent = service.notify(body=post.body, title=post.title,  # type: ignore[attr-defined]
                                  body_format=NotifyFormat(post.format))
        except Exception as error:  # a plugin's bug must not stop the other destinations
            said.append(redact(f"{type(error).__name__}: {error}"))
            sent = False
    if sent:
        return None, False
    reason = said[-1].rstrip(".") if said else "Apprise reported a failure without saying why"
    statuses = [int(code) for message in said for code in _STATUS.findall(message)]
    if not statuses:
        return reason, True  # no answer at all: a network problem, which may pass
    status = statuses[-1]
    return reason, status in TEMPORARY_STATUSES or status >= 500
