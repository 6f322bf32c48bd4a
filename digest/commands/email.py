"""`digest email`: write one day's (or one week's) digest as .html, .txt and .eml, and send it if asked."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from pathlib import Path

from digest.catalog import Catalog, SnapshotDay
from digest.commands.sources import read_sources
from digest.errors import DigestError
from digest.inputs.config import SITE_CONFIG_NAME, SiteConfig
from digest.ledger import LEDGER_NAME, RESENT, Delivery, Ledger, load_ledger, now
from digest.mail.compose import (
    MAX_HTML_BYTES,
    Edition,
    EmailDigest,
    compose_email,
    day_edition,
    email_renderer,
    week_edition,
)
from digest.mail.message import build_message, check_address, message_date
from digest.mail.smtp import PASSWORD_VARIABLE, describe_smtp, send_message, smtp_settings
from digest.periods import parse_week_key, week_key, weeks
from digest.plan.searches import saved_search_matches
from digest.project import Project
from digest.relevance import Relevance, relevance

Say = Callable[[str], None]

@dataclass(frozen=True)
class SendOptions:
    """What `digest email` does after writing the files."""

    send: bool = False
    dry_run: bool = False
    send_empty: bool = False
    to: tuple[str, ...] = ()
    force: bool = False  # send even if the ledger says these recipients have this edition


def pick_day(catalog: Catalog, when: date | None, snapshots: Path) -> SnapshotDay:
    day = catalog.latest if when is None else catalog.day(when)
    if day is None:
        known = ", ".join(d.date.isoformat() for d in catalog.days[-5:])
        raise DigestError(f"no snapshot dated {when}; the newest are: {known}", snapshots)
    return day


def pick_edition(catalog: Catalog, when: date | None, week: str | None, snapshots: Path,
                 found: Relevance | None = None) -> Edition:
    """The day's edition, or with `week` ('2024-W47') the week's (a week without new papers is an error); with
    interests (`found`), its picks first and muted papers left out."""
    if week is None:
        return day_edition(pick_day(catalog, when, snapshots), found)
    try:
        monday = parse_week_key(week)
    except ValueError as error:
        raise DigestError(f"--week: {error}") from None
    by_key = {period.key: period for period in weeks(catalog)}
    period = by_key.get(week_key(monday))
    if period is None:
        newest = ", ".join(list(by_key)[-5:]) or "none"
        raise DigestError(f"no new papers in week {week_key(monday)}; the newest weeks with papers are: {newest}",
                          snapshots)
    return week_edition(period, found)


def write_email_files(digest: EmailDigest, message: EmailMessage, out: Path) -> list[Path]:
    """digest-DATE.html, .txt and .eml in `out`; the .eml uses CRLF line ends as SMTP does."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"digest-{digest.content.key}"
    files = {
        stem.with_suffix(".html"): digest.html.encode("utf-8"),
        stem.with_suffix(".txt"): digest.text.encode("utf-8"),
        stem.with_suffix(".eml"): message.as_bytes(policy=policy.SMTP),
    }
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)


def run_email(project: Project, when: date | None, out: Path, options: SendOptions, say: Say,
              environ: Mapping[str, str] | None = None, week: str | None = None) -> None:
    """`digest email`: write the three files for a day (or `week`), then send (or describe the send) if asked."""
    environ = os.environ if environ is None else environ
    sources = read_sources(project)
    for warning in sources.warnings:
        say(f"warning: {warning}")
    config, catalog = sources.config, sources.catalog
    found = relevance(catalog, sources.interests, config.organization_min_papers) if sources.interests else None
    edition = pick_edition(catalog, when, week, project.snapshots, found)
    searches = saved_search_matches(catalog, config, sources.searches)
    digest = compose_email(catalog, config, email_renderer(project, config), edition, searches=searches)
    recipients = tuple(check_address(a) for a in options.to) or config.email.recipients
    try:
        message = build_message(digest, config, recipients, message_date(edition.dated, environ))
    except DigestError as error:
        raise DigestError(error.message, project.content / SITE_CONFIG_NAME) from None
    written = write_email_files(digest, message, out)
    say(f"Wrote {', '.join(str(path) for path in written)}")
    say(f"{edition.key}: {digest.new_shown} of {digest.content.new_total} new papers shown, "
        f"{len(digest.content.returning)} of {len(edition.returning)} returning; "
        f"HTML {len(digest.html.encode('utf-8')) / 1000:.1f} KB")
    if digest.new_shown < min(config.email.max_new, digest.content.new_total):
        say(f"note: listed fewer than email.max_new ({config.email.max_new}) new papers to keep the HTML under "
            f"{MAX_HTML_BYTES // 1000} KB, where Gmail starts clipping; the rest are linked")
    if options.send or options.dry_run:
        ledger = load_ledger(project.root / LEDGER_NAME)  # read first: a corrupt ledger sends nothing
        _deliver(digest, message, recipients, config, options, say, environ, ledger)


def email_destination(recipients: Sequence[str]) -> str:
    """How the ledger names an email's destination: its recipients' addresses, without display names."""
    return "email to " + ", ".join(address for _name, address in getaddresses(list(recipients)))


def _deliver(digest: EmailDigest, message: EmailMessage, recipients: Sequence[str], config: SiteConfig,
             options: SendOptions, say: Say, environ: Mapping[str, str], ledger: Ledger) -> None:
    key = digest.content.key
    if not digest.has_new and not options.send_empty:
        say(f"{key}: no new papers, so nothing was sent (pass --send-empty to send anyway)")
        return
    destination = email_destination(recipients)
    earlier = ledger.find(key, destination)
    if earlier and not options.force:
        say(f"{key} was sent to {', '.join(recipients)} at {earlier.time} ({earlier.message_id}); nothing was "
            "sent (--force sends it again)")
        return
    settings = smtp_settings(config.smtp, environ)
    password = environ.get(PASSWORD_VARIABLE) or None
    route = describe_smtp(settings, password is not None)
    if options.dry_run:
        say(f"Dry run: would send \"{message['Subject']}\" from {message['From']} to {', '.join(recipients)} "
            f"through {route}; nothing was sent")
        return
    # The written .eml keeps its reproducible Date; the message that leaves says when it left.
    message.replace_header("Date", format_datetime(datetime.now(tz=UTC).replace(microsecond=0)))
    send_message(message, recipients, settings, password)
    ledger.record(Delivery(now(), key, destination, str(message["Message-ID"]), RESENT if earlier else ""))
    again = " again, as --force asked" if earlier else ""
    say(f"Sent \"{message['Subject']}\"{again} to {', '.join(recipients)} through {settings.host}:{settings.port}")
