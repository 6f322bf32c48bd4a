"""`digest interests`: what content/interests.yaml would pick for the newest days and why, and which of its
entries matched nothing, so the curator can tune the file without building the site."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from digest.catalog import Catalog, SnapshotDay
from digest.commands.options import add_source_option
from digest.commands.sources import read_sources
from digest.errors import DigestError
from digest.inputs.interests import INTERESTS_NAME
from digest.project import Project
from digest.relevance import Match, Relevance, relevance

Say = Callable[[str], None]
DEFAULT_DAYS = 5


def add_interests_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `digest interests` on the main parser's subcommands."""
    command = subparsers.add_parser(
        "interests", help="show what content/interests.yaml picks for the newest days, and why",
        description=(
            "Score the newest days' new papers against content/interests.yaml as the build does, and print the "
            "picks (most relevant first, with their reasons), the muted papers, and the entries of the file that "
            "matched nothing in those days: for tuning the file."))
    add_source_option(command)
    command.add_argument("--days", type=_positive, default=DEFAULT_DAYS, metavar="N",
                         help=f"how many of the newest days with papers to look at (default: {DEFAULT_DAYS})")
    command.set_defaults(run=lambda args: run_interests(Project.at(args.source), args.days, print))
    return command


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, 1 or more, got '{value}'")
    return number


def run_interests(project: Project, days: int, say: Say) -> int:
    sources = read_sources(project)
    interests = sources.interests
    if interests is None:
        raise DigestError(f"no {INTERESTS_NAME}: write one to pick papers (see the README's section for curators)",
                          project.content / INTERESTS_NAME)
    catalog = sources.catalog
    found = relevance(catalog, interests, sources.config.organization_min_papers)
    shown = [day for day in reversed(catalog.days) if day.new][:days]
    say(f"{interests.path}: threshold {found.threshold:g}; the newest {len(shown)} "
        f"{'day' if len(shown) == 1 else 'days'} with new papers, newest first")
    for day in shown:
        _say_day(catalog, found, day, say)
    _say_unmatched(found.matches, {slug for day in shown for slug in day.new}, interests.path.name, say)
    return 0


def _say_day(catalog: Catalog, found: Relevance, day: SnapshotDay, say: Say) -> None:
    picks = found.picks(day.by_upvotes(day.new))
    muted = [slug for slug in day.new if slug in found.muted]
    say("")
    say(f"{day.date.isoformat()}: {len(picks)} of {len(day.new)} new papers picked"
        + (f", {len(muted)} muted" if muted else ""))
    for pick in picks:
        say(f"  {pick.score:5.2f}  {catalog.papers[pick.slug].title}")
        for reason in pick.reasons:
            say(f"         {reason.text}")
    below = [found.scores[slug] for slug in day.new if slug in found.scores and slug not in found.muted
             and found.scores[slug].score < found.threshold]
    for pick in sorted(below, key=lambda pick: -pick.score):
        say(f"  below the threshold ({pick.score:.2f}): {catalog.papers[pick.slug].title}"
            f" ({'; '.join(reason.text for reason in pick.reasons)})")
    for slug in muted:
        say(f"  muted: {catalog.papers[slug].title}")


def _say_unmatched(matches: Sequence[Match], slugs: set[str], name: str, say: Say) -> None:
    idle = [match for match in matches if not match.slugs & slugs]
    say("")
    if not idle:
        say("Every entry matched a paper of these days.")
        return
    say("Entries that matched no paper of these days:")
    for match in idle:
        where = f"{name}:{match.line}" if match.line is not None else name
        anywhere = f" ({match.note})" if match.note else f" ({len(match.slugs)} older papers)" if match.slugs \
            else " (no paper of the whole site either)"
        say(f"  {where}: {match.key}: {match.text}{anywhere}")
