"""The email digest: one snapshot day as an HTML + plain-text MIME message, written to files or sent by SMTP.

Email clients are not browsers, so the HTML is a 600 px table layout whose CSS
(templates/email/email.css) css-inline copies into `style` attributes; only the
media queries stay in a <style> block. Every link is absolute, built from
`base_url` through urls.py, because the email is read away from the site.

Everything here is deterministic: the Date header, Message-ID and MIME boundary
derive from the inputs, so the same snapshot gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import css_inline

from digest import urls
from digest.catalog import Catalog, SnapshotDay
from digest.config import SITE_CONFIG_NAME, SiteConfig, SmtpSettings
from digest.errors import DigestError
from digest.generate import PageSpec
from digest.render import Renderer, long_date
from digest.text import clean_text, first_sentences, short_hash, snippet

if TYPE_CHECKING:  # build.py imports this module to publish each day's email, so no import back at run time
    from digest.build import Project

HTML_TEMPLATE = "email/digest.html"
TEXT_TEMPLATE = "email/digest.txt"
# Gmail clips messages past about 102 KB and hides the rest behind a link; stay clearly under it.
MAX_HTML_BYTES = 100_000
PASSWORD_VARIABLE = "DIGEST_SMTP_PASSWORD"
ENV_PREFIX = "DIGEST_SMTP_"

Say = Callable[[str], None]


@dataclass(frozen=True)
class EmailEntry:
    """One new paper as the email shows it."""

    title: str
    url: str
    summary: str
    topics: tuple[str, ...]
    code_url: str | None


@dataclass(frozen=True)
class TopicGroup:
    name: str
    entries: tuple[EmailEntry, ...]


@dataclass(frozen=True)
class ReturningEntry:
    title: str
    url: str


@dataclass(frozen=True)
class EmailContent:
    """Everything the two templates show: plain, comparable data with absolute URLs."""

    day: date
    subject: str
    preheader: str
    summary: str
    browser_url: str
    snapshot_url: str
    site_url: str
    unsubscribe_url: str
    groups: tuple[TopicGroup, ...]
    new_total: int
    new_hidden: int
    returning: tuple[ReturningEntry, ...]
    returning_hidden: int


@dataclass(frozen=True)
class EmailDigest:
    content: EmailContent
    html: str
    text: str

    @property
    def has_new(self) -> bool:
        return self.content.new_total > 0

    @property
    def new_shown(self) -> int:
        return self.content.new_total - self.content.new_hidden


@dataclass(frozen=True)
class SendOptions:
    """What `digest email` does after writing the files."""

    send: bool = False
    dry_run: bool = False
    send_empty: bool = False
    to: tuple[str, ...] = ()


# --- composing -----------------------------------------------------------------------------------------


def plan_email(catalog: Catalog, config: SiteConfig, day: SnapshotDay, max_new: int | None = None,
               max_returning: int | None = None) -> EmailContent:
    """Choose and group what one day's email shows; the caps keep it short and under Gmail's clipping size."""
    settings = config.email
    max_new = settings.max_new if max_new is None else max_new
    max_returning = settings.max_returning if max_returning is None else max_returning
    names = {topic.slug: topic.name for topic in catalog.topics}
    shown = day.new[:max_new]
    returning = tuple(ReturningEntry(one_line(catalog.papers[slug].title), _paper_url(config, slug))
                      for slug in day.returning[:max_returning])
    return EmailContent(
        day=day.date,
        subject=email_subject(config, day, catalog),
        preheader=_preheader(catalog, day),
        summary=_summary(day),
        browser_url=urls.absolute(config.base_url, urls.snapshot_email(day.date)),
        snapshot_url=urls.absolute(config.base_url, urls.snapshot(day.date)),
        site_url=config.base_url,
        unsubscribe_url=settings.unsubscribe_url,
        groups=_group(catalog, config, shown, names),
        new_total=len(day.new),
        new_hidden=len(day.new) - len(shown),
        returning=returning,
        returning_hidden=len(day.returning) - len(returning),
    )


def one_line(text: str) -> str:
    """Scraped text as one line: no control characters, CR or LF (nothing can start a new header or line)."""
    return clean_text(text)


def email_subject(config: SiteConfig, day: SnapshotDay, catalog: Catalog) -> str:
    """Site name, date and the lead paper: enough to decide whether to open it."""
    head = f"{one_line(config.title)}, {long_date(day.date)}"
    if not day.new:
        return f"{head}: no new papers"
    lead = snippet(one_line(catalog.papers[day.new[0]].title), 70)
    rest = len(day.new) - 1
    return f"{head}: {lead}" + (f" and {rest} more" if rest else "")


def _summary(day: SnapshotDay) -> str:
    new = f"{len(day.new)} new {'paper' if len(day.new) == 1 else 'papers'}"
    return f"{new} and {len(day.returning)} returning." if day.returning else f"{new}."


def _preheader(catalog: Catalog, day: SnapshotDay) -> str:
    """The inbox preview line: the first new titles (clients show about 90–140 characters)."""
    titles = [one_line(catalog.papers[slug].title) for slug in day.new[:4]]
    if not titles:
        return f"No new papers today; {len(day.returning)} returning."
    return snippet("New today: " + " · ".join(titles), 140)


def _paper_url(config: SiteConfig, slug: str) -> str:
    return urls.absolute(config.base_url, urls.paper(slug))


def _group(catalog: Catalog, config: SiteConfig, slugs: Sequence[str],
           names: Mapping[str, str]) -> tuple[TopicGroup, ...]:
    """Each paper once, under its first topic; groups in taxonomy order, papers in snapshot order."""
    by_topic: dict[str, list[EmailEntry]] = {topic.slug: [] for topic in catalog.topics}
    for slug in slugs:
        paper = catalog.papers[slug]
        by_topic[paper.topics[0]].append(EmailEntry(
            title=one_line(paper.title),
            url=_paper_url(config, slug),
            summary=first_sentences(paper.abstract, config.email.sentences, max_length=400),
            topics=tuple(names[topic] for topic in paper.topics),
            code_url=paper.code_url,
        ))
    return tuple(TopicGroup(names[topic], tuple(entries)) for topic, entries in by_topic.items() if entries)


def email_renderer(project: Project, config: SiteConfig) -> Renderer:
    """The site's Renderer (same Jinja setup and filters); the email needs no assets or menu."""
    return Renderer(project.templates, config, {}, ())


@dataclass
class EmailCache:
    """Rendered emails, so a preview rebuild does not render and inline every day's email again.

    `previous` holds the last build's emails, `current` this build's; `next_build` makes one the other,
    so the cache never holds more than two builds' worth.
    """

    fingerprint: Any = None
    previous: dict[EmailContent, tuple[str, str]] = field(default_factory=dict)
    current: dict[EmailContent, tuple[str, str]] = field(default_factory=dict)

    def next_build(self, fingerprint: Any) -> None:
        same_templates = fingerprint == self.fingerprint
        self.fingerprint = fingerprint
        self.previous, self.current = (self.current if same_templates else {}), {}

    def get(self, content: EmailContent) -> tuple[str, str] | None:
        found = self.current.get(content) or self.previous.get(content)
        if found is not None:
            self.current[content] = found
        return found


def render_email(renderer: Renderer, content: EmailContent, cache: EmailCache | None = None) -> tuple[str, str]:
    """(inlined HTML, plain text) for one email; an unchanged day comes from the cache."""
    cached = cache.get(content) if cache is not None else None
    if cached is None:
        path = urls.snapshot_email(content.day)
        html = renderer.render(PageSpec(path, HTML_TEMPLATE, {"email": content})).decode("utf-8")
        text = renderer.render(PageSpec(path, TEXT_TEMPLATE, {"email": content})).decode("utf-8")
        cached = (inline_css(html), text)
        if cache is not None:
            cache.current[content] = cached
    return cached


def inline_css(html: str) -> str:
    """Move the <style> rules into style attributes; keep @media (needs the class attributes) in <style>."""
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return _escape_text_quotes(_style_after_meta(inliner.inline(html)))


# css-inline re-serializes the document as HTML5 does: attribute values always in double quotes, with '"'
# escaped inside them, and '<' escaped in text. So a tag is '<' up to the '>' outside a quoted value, and
# anything between tags, comments and <style> is text.
_SERIALIZED = re.compile(r'(<!--.*?-->|<style\b.*?</style>|<(?:[^>"]|"[^"]*")*>)|([^<]+)', re.DOTALL)


def _escape_text_quotes(html: str) -> str:
    """Escape quotes in text again, as Jinja did before css-inline re-serialized it.

    Quotes in text are harmless to a browser, but scraped text such as '"onmouseover="…' then reads like
    markup to string-based filters and checks; the site's pages never show it that way either.
    """
    def escape(match: re.Match[str]) -> str:
        text = match.group(2)
        return match.group(1) if text is None else text.replace('"', "&#34;").replace("'", "&#39;")

    return _SERIALIZED.sub(escape, html)


def _style_after_meta(html: str) -> str:
    """css-inline puts the kept @media rules first in <head>; move them to its end.

    Otherwise they push `<meta charset>` towards the 1024-byte limit HTML sets for it.
    """
    start = html.find("<head>") + len("<head>")
    if not html.startswith("<style>", start):
        return html
    end = html.index("</style>", start) + len("</style>")
    block = html[start:end]
    return (html[:start] + html[end:]).replace("</head>", block + "\n</head>", 1)


def compose_email(catalog: Catalog, config: SiteConfig, renderer: Renderer, day: SnapshotDay,
                  cache: EmailCache | None = None) -> EmailDigest:
    """Render the day's email, shrinking the lists further if the HTML would still pass MAX_HTML_BYTES."""
    max_new, max_returning = config.email.max_new, config.email.max_returning
    while True:
        content = plan_email(catalog, config, day, max_new, max_returning)
        html, text = render_email(renderer, content, cache)
        size = len(html.encode("utf-8"))
        shown = content.new_total - content.new_hidden
        if size <= MAX_HTML_BYTES or (shown <= 1 and not content.returning):
            return EmailDigest(content, html, text)
        ratio = MAX_HTML_BYTES / size * 0.95
        max_new = max(1, min(shown - 1, int(shown * ratio)))
        max_returning = int(len(content.returning) * ratio)


def email_pages(catalog: Catalog, config: SiteConfig, renderer: Renderer,
                cache: EmailCache | None = None) -> dict[str, bytes]:
    """The email HTML of every snapshot day, published at urls.snapshot_email so "View in browser" works."""
    if cache is not None:
        cache.next_build(renderer.fingerprint)
    return {
        urls.output_file(urls.snapshot_email(day.date)):
            compose_email(catalog, config, renderer, day, cache).html.encode("utf-8")
        for day in catalog.days
    }


# --- the MIME message ----------------------------------------------------------------------------------


def build_message(digest: EmailDigest, config: SiteConfig, recipients: Sequence[str],
                  sent_at: datetime) -> EmailMessage:
    """A complete multipart/alternative message; headers come only from settings and cleaned text."""
    sender = config.email.sender
    if not sender:
        raise DigestError("email.sender is not set; add e.g. 'sender: Digest <digest@example.org>' under email:",
                          SITE_CONFIG_NAME)
    if not recipients:
        raise DigestError("no recipients: set email.recipients in site.yaml or pass --to ADDRESS", SITE_CONFIG_NAME)
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = one_line(digest.content.subject)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id(config, digest.content.day)
    if config.email.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{config.email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(digest.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(digest.html, subtype="html", charset="utf-8", cte="quoted-printable")
    # '=_' never occurs in quoted-printable text, so this boundary cannot collide with the body.
    message.set_boundary("=_digest_" + hashlib.sha256((digest.text + digest.html).encode()).hexdigest()[:32])
    return message


def message_id(config: SiteConfig, day: date) -> str:
    """Stable per site and day, so a re-run is recognisably the same email."""
    host = urlsplit(config.base_url).hostname or "localhost"
    return f"<digest.{day.isoformat()}.{short_hash(config.base_url + config.title, 12)}@{host}>"


def message_date(day: date, environ: Mapping[str, str]) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else midnight UTC of the snapshot date."""
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise DigestError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got '{epoch}'") from None
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def check_address(address: str) -> str:
    """A --to address: one address, no line breaks (it goes into the To header)."""
    address = address.strip()
    if "@" not in address or any(char in address for char in "\r\n,;"):
        raise DigestError(f"--to needs one e-mail address per option, got {address!r}")
    return address


# --- sending -------------------------------------------------------------------------------------------


def smtp_settings(base: SmtpSettings, environ: Mapping[str, str]) -> SmtpSettings:
    """site.yaml's smtp settings with DIGEST_SMTP_HOST/PORT/SECURITY/USER from the environment on top."""
    changes: dict[str, object] = {}
    if environ.get(ENV_PREFIX + "HOST"):
        changes["host"] = environ[ENV_PREFIX + "HOST"].strip()
    if environ.get(ENV_PREFIX + "PORT"):
        raw = environ[ENV_PREFIX + "PORT"].strip()
        if not raw.isdigit() or not 0 < int(raw) < 65536:
            raise DigestError(f"{ENV_PREFIX}PORT must be a port number (1-65535), got '{raw}'")
        changes["port"] = int(raw)
    if environ.get(ENV_PREFIX + "SECURITY"):
        security = environ[ENV_PREFIX + "SECURITY"].strip().lower()
        if security not in ("starttls", "ssl", "none"):
            raise DigestError(f"{ENV_PREFIX}SECURITY must be starttls, ssl or none, got '{security}'")
        changes["security"] = security
    if ENV_PREFIX + "USER" in environ:
        changes["user"] = environ[ENV_PREFIX + "USER"].strip()
    return replace(base, **changes)


def describe_smtp(settings: SmtpSettings, password_set: bool) -> str:
    """Where and how mail goes, for messages; never includes the password itself."""
    login = f"login as {settings.user}" if settings.user else "no login"
    if settings.user:
        login += f", password from {PASSWORD_VARIABLE}" if password_set else f", but {PASSWORD_VARIABLE} is not set"
    return f"{settings.host}:{settings.port} ({settings.security}, {login})"


def send_message(message: EmailMessage, recipients: Sequence[str], settings: SmtpSettings,
                 password: str | None) -> None:
    """Deliver through SMTP; every network or protocol failure becomes a DigestError naming the server."""
    if settings.user and not password:
        raise DigestError(f"smtp.user is '{settings.user}' but {PASSWORD_VARIABLE} is not set; "
                          "export the password in that variable (it is never read from site.yaml)")
    where = f"{settings.host}:{settings.port}"
    try:
        with _connect(settings) as client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.user:
                client.login(settings.user, password or "")
            refused = client.send_message(message, to_addrs=list(recipients))
    except smtplib.SMTPAuthenticationError as exc:
        raise DigestError(f"SMTP server {where} refused the login for '{settings.user}' ({exc.smtp_code}); "
                          f"check {ENV_PREFIX}USER and {PASSWORD_VARIABLE}") from None
    except smtplib.SMTPNotSupportedError:
        raise DigestError(f"SMTP server {where} does not offer STARTTLS; use security 'ssl' or 'none' "
                          f"({ENV_PREFIX}SECURITY)") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DigestError(f"SMTP server {where} refused every recipient: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        reason = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise DigestError(f"SMTP server {where} answered {exc.smtp_code}: {reason}") from None
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a read timeout in this
            raise DigestError(f"SMTP server {where} did not answer within {settings.timeout:g} s") from None
        raise DigestError(f"SMTP server {where} closed the connection: {exc}") from None
    except TimeoutError:
        raise DigestError(f"SMTP server {where} did not answer within {settings.timeout:g} s") from None
    except ConnectionRefusedError:
        raise DigestError(f"cannot connect to SMTP server {where}: connection refused; check smtp.host and "
                          f"smtp.port in site.yaml or {ENV_PREFIX}HOST/{ENV_PREFIX}PORT") from None
    except ssl.SSLError as exc:
        raise DigestError(f"TLS with SMTP server {where} failed: {exc.reason or exc}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestError(f"sending through SMTP server {where} failed: {exc}") from None
    if refused:
        raise DigestError(f"SMTP server {where} refused some recipients: {', '.join(sorted(refused))}")


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security == "ssl":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=ssl.create_default_context())
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)


# --- the command ---------------------------------------------------------------------------------------


def pick_day(catalog: Catalog, when: date | None, snapshots: Path) -> SnapshotDay:
    day = catalog.latest if when is None else catalog.day(when)
    if day is None:
        known = ", ".join(d.date.isoformat() for d in catalog.days[-5:])
        raise DigestError(f"no snapshot dated {when}; the newest are: {known}", snapshots)
    return day


def write_email_files(digest: EmailDigest, message: EmailMessage, out: Path) -> list[Path]:
    """digest-DATE.html, .txt and .eml in `out`; the .eml uses CRLF line ends as SMTP does."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"digest-{digest.content.day.isoformat()}"
    files = {
        stem.with_suffix(".html"): digest.html.encode("utf-8"),
        stem.with_suffix(".txt"): digest.text.encode("utf-8"),
        stem.with_suffix(".eml"): message.as_bytes(policy=policy.SMTP),
    }
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)


def run_email(project: Project, when: date | None, out: Path, options: SendOptions, say: Say,
              environ: Mapping[str, str] | None = None) -> None:
    """`digest email`: write the three files, then send (or describe the send) if asked."""
    from digest.build import read_sources  # here, not at the top: build.py imports this module

    environ = os.environ if environ is None else environ
    sources = read_sources(project)
    for warning in sources.warnings:
        say(f"warning: {warning}")
    config, catalog = sources.config, sources.catalog
    day = pick_day(catalog, when, project.snapshots)
    digest = compose_email(catalog, config, email_renderer(project, config), day)
    recipients = tuple(check_address(a) for a in options.to) or config.email.recipients
    try:
        message = build_message(digest, config, recipients, message_date(day.date, environ))
    except DigestError as error:
        raise DigestError(error.message, project.content / SITE_CONFIG_NAME) from None
    written = write_email_files(digest, message, out)
    say(f"Wrote {', '.join(str(path) for path in written)}")
    say(f"{day.date}: {digest.new_shown} of {digest.content.new_total} new papers shown, "
        f"{len(digest.content.returning)} of {len(day.returning)} returning; "
        f"HTML {len(digest.html.encode('utf-8')) / 1000:.1f} KB")
    if digest.new_shown < min(config.email.max_new, digest.content.new_total):
        say(f"note: listed fewer than email.max_new ({config.email.max_new}) new papers to keep the HTML under "
            f"{MAX_HTML_BYTES // 1000} KB, where Gmail starts clipping; the rest are linked")
    if options.send or options.dry_run:
        _deliver(digest, message, recipients, config, options, say, environ)


def _deliver(digest: EmailDigest, message: EmailMessage, recipients: Sequence[str], config: SiteConfig,
             options: SendOptions, say: Say, environ: Mapping[str, str]) -> None:
    if not digest.has_new and not options.send_empty:
        say(f"{digest.content.day}: no new papers, so nothing was sent (pass --send-empty to send anyway)")
        return
    settings = smtp_settings(config.smtp, environ)
    password = environ.get(PASSWORD_VARIABLE) or None
    route = describe_smtp(settings, password is not None)
    if options.dry_run:
        say(f"Dry run: would send \"{message['Subject']}\" from {message['From']} to {', '.join(recipients)} "
            f"through {route}; nothing was sent")
        return
    send_message(message, recipients, settings, password)
    say(f"Sent \"{message['Subject']}\" to {', '.join(recipients)} through {settings.host}:{settings.port}")
