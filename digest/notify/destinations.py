"""Notification destinations: Apprise URL templates, the secrets they name, and Apprise kept quiet about them.

A destination is written in site.yaml as an Apprise URL in which `${NAME}` stands for the value of an
environment variable (a token, a password, or the whole URL). The template is what paper-digest shows,
records in the ledger and names in errors; the filled-in URL exists only while sending, and every value
taken from the environment is masked in whatever Apprise logs (`quiet_apprise`), because Apprise's log
lines may hold parts of a URL.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from digest.inputs.config import VARIABLE_REFERENCE

APPRISE_LOGGER = "apprise"
# Loggers below Apprise that may log a request's URL (urllib3 at DEBUG: 'POST /path HTTP/1.1').
TRANSPORT_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "requests")
MASK = "***"
MIN_TOKEN = 6  # a URL part from a secret this long or longer is masked on its own too
PLACEHOLDER = "placeholder-value"  # stands for an unset variable when `digest check` checks a URL's shape


class DestinationError(Exception):
    """A destination that cannot be used as written: an unset variable, a URL Apprise does not know."""


@dataclass(frozen=True)
class Filled:
    """A template with its variables filled in: the URL to send to, and the values that must never be shown."""

    template: str
    url: str
    secrets: tuple[str, ...]


def variables(template: str) -> tuple[str, ...]:
    """The environment variables a template names, in order, each once."""
    return tuple(dict.fromkeys(VARIABLE_REFERENCE.findall(template)))


def fill(template: str, environ: Mapping[str, str], *, placeholder: str | None = None) -> Filled:
    """The URL `template` stands for; an unset or empty variable is a DestinationError (or `placeholder`)."""
    values: dict[str, str] = {}
    for name in variables(template):
        value = environ.get(name, "")
        if not value:
            if placeholder is None:
                raise DestinationError(f"${{{name}}} is not set in the environment")
            value = placeholder
        values[name] = value
    url = VARIABLE_REFERENCE.sub(lambda match: values[match.group(1)], template)
    secrets = tuple(value for name, value in values.items() if environ.get(name))
    return Filled(template, url, secrets)


@dataclass(frozen=True)
class Redactor:
    """Masks every secret, and the parts of a secret URL that could show up alone, in a piece of text."""

    pieces: tuple[str, ...] = ()

    @classmethod
    def of(cls, secrets: Sequence[str]) -> Redactor:
        pieces: set[str] = set()
        for secret in secrets:
            pieces.update(_forms(secret))
            pieces.update(form for part in _url_parts(secret) if len(part) >= MIN_TOKEN for form in _forms(part))
        return cls(tuple(sorted((piece for piece in pieces if piece), key=len, reverse=True)))

    def __call__(self, text: str) -> str:
        for piece in self.pieces:
            text = text.replace(piece, MASK)
        return text


def _forms(value: str) -> set[str]:
    """A value as it may be printed: as is, URL-quoted, URL-unquoted."""
    return {value, quote(value, safe=""), quote(value, safe="/:@"), unquote(value)}


def _url_parts(value: str) -> list[str]:
    """The user, password, path segments and query values of a secret that is a URL (tokens live there)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return []
    if not parts.scheme or not parts.netloc:
        return []
    found = [parts.username or "", parts.password or ""]
    found += [segment for segment in parts.path.split("/") if segment]
    found += [pair.partition("=")[2] for pair in parts.query.split("&")]
    return found


class _Collector(logging.Handler):
    """Keeps Apprise's warnings of one call, masked, as the reason a destination failed."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(logging.WARNING)
        self.redact = redact
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.messages.append(self.redact(record.getMessage()))


class _MaskingFilter(logging.Filter):
    """Rewrites a record's text with the secrets masked before any handler sees it."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        with contextlib.suppress(Exception):
            record.msg, record.args = self.redact(record.getMessage()), None
        return True


@contextlib.contextmanager
def quiet_apprise(redact: Redactor) -> Iterator[list[str]]:
    """While the block runs, Apprise's log lines go only to the list yielded, masked; none reaches the root
    logger (whose last-resort handler would print warnings, URLs and all, to stderr). The transport's
    loggers below keep their handlers but get their records masked."""
    apprise_logger = logging.getLogger(APPRISE_LOGGER)
    collector = _Collector(redact)
    masking = _MaskingFilter(redact)
    transports = [logging.getLogger(name) for name in TRANSPORT_LOGGERS]
    propagate = apprise_logger.propagate
    apprise_logger.addFilter(masking)
    apprise_logger.addHandler(collector)
    apprise_logger.propagate = False
    for logger in transports:
        logger.addFilter(masking)
    try:
        yield collector.messages
    finally:
        apprise_logger.propagate = propagate
        apprise_logger.removeHandler(collector)
        apprise_logger.removeFilter(masking)
        for logger in transports:
            logger.removeFilter(masking)


def load_service(filled: Filled) -> object:
    """The Apprise service object for a filled-in URL, or a DestinationError that shows only the template."""
    import apprise  # imported here: only the commands that send or check notifications need it

    redact = Redactor.of(filled.secrets)
    with quiet_apprise(redact) as said:
        try:
            service = apprise.Apprise.instantiate(filled.url)
        except Exception as error:  # a plugin that raises on a malformed URL
            said.append(redact(f"{type(error).__name__}: {error}"))
            service = None
    if service is None:
        raise DestinationError(_unusable(filled.url, said[-1] if said else ""))
    return service


def _unusable(url: str, said: str) -> str:
    """Why Apprise took no service from `url`, in words that show no secret (`said` is masked already)."""
    from apprise.manager_plugins import NotificationManager

    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if not scheme or scheme not in NotificationManager():
        named = f"'{scheme}://' " if scheme.isascii() and scheme.isalnum() else ""
        return f"not a URL Apprise can send to: it knows no service {named}(see Apprise's list of services)"
    return f"not a URL Apprise can send to: parts of this {scheme}:// URL are missing or malformed" + (
        f"; Apprise says: {said}" if said else "")


def check_destination(template: str, environ: Mapping[str, str]) -> str | None:
    """Raise DestinationError if `template` cannot be a destination; a note if part of it could not be checked.

    Nothing is sent. An unset variable is filled with a placeholder so the URL's shape is still checked;
    a template that is one variable only (`${DIGEST_SLACK_URL}`) cannot be checked without it.
    """
    missing = [name for name in variables(template) if not environ.get(name)]
    if missing and VARIABLE_REFERENCE.fullmatch(template):
        return f"{template} not checked: ${{{missing[0]}}} is not set here"
    load_service(fill(template, environ, placeholder=PLACEHOLDER))
    if missing:
        return f"{template}: checked with a placeholder for {', '.join('${' + name + '}' for name in missing)}"
    return None
