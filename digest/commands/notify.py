"""`digest notify`: post an edition's short digest to every destination in notify.to, each once.

With content/interests.yaml the digest leaves muted papers out and opens with the curator's picks
(digest/notify/edition.py); relevance and the saved searches are computed once per run.

Each destination is tried on its own (digest/notify/send.py): one that fails does not stop the others,
the ledger (digest/ledger.py) records each delivery as it happens, and the exit status and a one-line
summary name every destination that failed and why. Also `send_alert`, which `digest fetch` uses to
tell notify.alerts that the feed went stale.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from digest.commands.email import pick_edition
from digest.commands.options import add_base_url_option, add_edition_arguments, add_source_option, base_url_from
from digest.commands.sources import Sources, read_sources
from digest.errors import ConfigError
from digest.inputs.config import SITE_CONFIG_NAME, NotifySettings, SiteConfig
from digest.inputs.yamlfile import load_yaml_file
from digest.ledger import LEDGER_NAME, RESENT, Delivery, load_ledger, now
from digest.mail.compose import Edition, with_interests
from digest.notify.destinations import PLACEHOLDER, DestinationError, check_destination, fill, load_service
from digest.notify.edition import search_lines
from digest.notify.message import TEXT, Digest, Post, alert_post, fit, notification_digest
from digest.notify.send import Outcome, Retrying, Sleep, deliver, service_format
from digest.plan.searches import saved_search_matches
from digest.project import Project
from digest.relevance import relevance

Say = Callable[[str], None]
EXIT_DELIVERY_FAILED = 1  # some destination did not get the message (2 stays "a mistake in the input")
DEFAULT_BODY_LIMIT, DEFAULT_TITLE_LIMIT = 32768, 250  # Apprise's own defaults, for a dry run that cannot load a service


@dataclass(frozen=True)
class NotifyOptions:
    """What `digest notify` does besides sending."""

    dry_run: bool = False
    force: bool = False
    send_empty: bool = False


def retrying_of(settings: NotifySettings) -> Retrying:
    return Retrying(retries=settings.retries, backoff=settings.backoff)


def post_for(digest: Digest, service: object) -> Post:
    """The digest fitted to one service's format and length limits."""
    return fit(digest, service_format(service), service.body_maxlen, service.title_maxlen)  # type: ignore[attr-defined]


def run_notify(project: Project, when: date | None, week: str | None, options: NotifyOptions, say: Say,
               complain: Say, environ: Mapping[str, str] | None = None, sleep: Sleep = time.sleep) -> int:
    """`digest notify`: returns the exit status (EXIT_DELIVERY_FAILED when any destination failed)."""
    environ = os.environ if environ is None else environ
    sources = read_sources(project)
    config = sources.config
    if not config.notify.to:
        say(f"notify.to in {project.content / SITE_CONFIG_NAME} lists no destinations; nothing to send")
        return 0
    edition, muted = notified_edition(sources, when, week, project.snapshots)
    if not edition.new and not options.send_empty:
        unless = f" but {muted} muted in interests.yaml" if muted else ""
        say(f"{edition.key}: no new papers{unless}, so nobody was notified (pass --send-empty to notify anyway)")
        return 0
    digest = notified_digest(sources, edition)
    ledger = load_ledger(project.root / LEDGER_NAME)  # before anything is sent: a corrupt ledger sends nothing
    if options.dry_run:
        for template in config.notify.to:
            say(describe_dry_run(template, digest, environ, ledger.find(edition.key, template)))
        return 0
    outcomes: list[Outcome] = []
    for template in config.notify.to:
        earlier = ledger.find(edition.key, template)
        if earlier and not options.force:
            say(f"{template}: {edition.key} was delivered at {earlier.time} ({earlier.message_id}); not sent again "
                "(--force sends it again)")
            continue
        outcome = deliver(template, partial(post_for, digest), edition.key, environ, retrying_of(config.notify),
                          sleep, say)
        outcomes.append(outcome)
        if outcome.delivered:
            ledger = ledger.record(Delivery(now(), edition.key, template, outcome.message_id,
                                            RESENT if earlier else ""))
            again = ", again as --force asked" if earlier else ""
            say(f"{template}: delivered {edition.key}{again} ({outcome.message_id})")
    return report(outcomes, say, complain)


def notified_edition(sources: Sources, when: date | None, week: str | None, snapshots: Path) -> tuple[Edition, int]:
    """The edition as notifications tell it (with interests.yaml: muted papers out, picks first; relevance is
    computed once per run) and how many of its new papers were muted."""
    found = relevance(sources.catalog, sources.interests, sources.config.organization_min_papers) \
        if sources.interests else None
    edition = pick_edition(sources.catalog, when, week, snapshots)
    told = with_interests(edition, found)
    return told, len(edition.new) - len(told.new)


def notified_digest(sources: Sources, edition: Edition) -> Digest:
    """What every destination is told, with a line per saved search that has new papers in the edition."""
    matches = saved_search_matches(sources.catalog, sources.config, sources.searches)
    return notification_digest(sources.catalog, sources.config, edition,
                               search_lines(sources.config, edition, matches))


def report(outcomes: Sequence[Outcome], say: Say, complain: Say) -> int:
    """One line for the run: how many were delivered, and every failed destination with its reason."""
    failed = [outcome for outcome in outcomes if not outcome.delivered]
    if not failed:
        if outcomes:
            say(f"Delivered to {len(outcomes)} of {len(outcomes)} destinations")
        return 0
    reasons = "; ".join(f"{o.destination}: {o.reason}" + (f" (after {o.tries} tries)" if o.tries > 1 else "")
                        for o in failed)
    complain(f"error: {len(failed)} of {len(outcomes)} destinations failed: {reasons}")
    return EXIT_DELIVERY_FAILED


def describe_dry_run(template: str, digest: Digest, environ: Mapping[str, str], earlier: Delivery | None) -> str:
    """What one destination would get, sending nothing; secrets stay unfilled in what is shown."""
    try:
        service = load_service(fill(template, environ, placeholder=PLACEHOLDER))
        post, limit = post_for(digest, service), service.body_maxlen  # type: ignore[attr-defined]
        kind = type(service).__name__.removeprefix("Notify")
    except DestinationError as error:
        post, limit = fit(digest, TEXT, DEFAULT_BODY_LIMIT, DEFAULT_TITLE_LIMIT), DEFAULT_BODY_LIMIT
        kind = f"service unknown: {error}"
    status = (f"already delivered at {earlier.time}, so it would be skipped without --force" if earlier
              else "not delivered yet")
    return (f"Dry run: {template} ({kind}, {post.format}, {len(post.body)} of {limit} characters; {status}) "
            f"would get:\n{post.title}\n{post.body}\n")


def send_alert(config: SiteConfig | None, title: str, text: str, say: Say, environ: Mapping[str, str],
               sleep: Sleep = time.sleep) -> list[Outcome]:
    """Tell every notify.alerts destination `text` (a stale feed); not recorded: every alarm is sent."""
    if config is None or not config.notify.alerts:
        return []
    posts = alert_post(title, text)
    outcomes = [deliver(template, lambda service: posts[service_format(service)], "alert", environ,
                        retrying_of(config.notify), sleep, say) for template in config.notify.alerts]
    for outcome in outcomes:
        say(f"alert to {outcome.destination}: " + ("sent" if outcome.delivered else f"failed: {outcome.reason}"))
    return outcomes


def check_notify_destinations(config: SiteConfig, site_yaml: Path, environ: Mapping[str, str]) -> list[str]:
    """For `digest check`: every notify URL Apprise can send to (nothing is sent); notes on what was not checked."""
    notes = []
    for key in ("to", "alerts"):
        for index, template in enumerate(getattr(config.notify, key)):
            try:
                note = check_destination(template, environ)
            except DestinationError as error:
                line = load_yaml_file(site_yaml).line_of(("notify", key, index))
                raise ConfigError(f"'notify.{key}[{index}]': {template}: {error}", site_yaml, line) from None
            if note:
                notes.append(f"notify.{key}[{index}]: {note}")
    return notes


# ---------------------------------------------------------------------------------------------------------------
# The command line


def add_notify_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `digest notify` on the main parser's subcommands."""
    notify = subparsers.add_parser(
        "notify", help="post the day's (or week's) short digest to chat and push services",
        description=(
            "Post the edition's title, its top papers and a link to its page to every Apprise URL in notify.to "
            "(site.yaml; ${NAME} in a URL is filled from the environment and never shown); with "
            "content/interests.yaml, its For-you picks first and muted papers left out. Each destination "
            f"gets an edition once: {LEDGER_NAME} records every delivery. Exits {EXIT_DELIVERY_FAILED} when a "
            "destination failed, naming each and why."))
    add_edition_arguments(notify, "the papers first seen in that ISO week instead, e.g. 2024-W47")
    add_source_option(notify)
    add_base_url_option(notify)
    notify.add_argument("--dry-run", action="store_true", help="print what each destination would get; send nothing")
    notify.add_argument("--force", action="store_true",
                        help="send again to destinations the ledger says have it (and record that)")
    notify.add_argument("--send-empty", action="store_true", help="notify even when the day has no new papers")
    notify.set_defaults(run=run_notify_command)
    return notify


def run_notify_command(args: argparse.Namespace) -> int:
    project = Project.at(args.source, base_url=base_url_from(args))
    options = NotifyOptions(dry_run=args.dry_run, force=args.force, send_empty=args.send_empty)
    return run_notify(project, args.date, args.week, options, print, partial(print, file=sys.stderr))
