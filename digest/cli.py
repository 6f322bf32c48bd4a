"""The `digest` command: a thin layer that parses arguments and calls the pipeline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from digest import __version__
from digest.commands.build import build_site
from digest.commands.check import add_check_command
from digest.commands.fetch import add_fetch_command
from digest.commands.init import add_init_command
from digest.commands.interests import add_interests_command
from digest.commands.notify import add_notify_command
from digest.commands.options import add_base_url_option, add_edition_arguments, add_source_option, base_url_from
from digest.commands.progress import TerminalProgress, summary
from digest.commands.topics import add_topics_command
from digest.errors import DigestError
from digest.project import Project

EXIT_USER_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.run(args) or 0)
    except DigestError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest", description="Build a searchable paper-digest website and email from feed snapshots.")
    parser.add_argument("--version", action="version", version=f"paper-digest {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", help="build the static site", description=(
        "Read content/snapshots/, build the site into the output folder. A bad snapshot stops the build "
        "and leaves the previous site as it was, unless --keep-going is given."))
    _add_project_options(build)
    _add_keep_going_option(build)
    build.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    build.set_defaults(run=_run_build)
    _add_serve_command(commands)
    _add_email_command(commands)
    add_notify_command(commands)
    add_fetch_command(commands)
    add_topics_command(commands)
    add_interests_command(commands)
    add_init_command(commands)
    add_check_command(commands)
    return parser


def _add_serve_command(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="preview the site locally, rebuilding and reloading on changes",
                                description=(
        "Build the site, serve it over HTTP and rebuild when content/, the templates or site.yaml change; "
        "open pages reload by themselves after each build. A failed build shows the error in the terminal "
        "and in the browser, and the server keeps running. See docs/preview.md."))
    _add_project_options(serve)
    _add_keep_going_option(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=None,
                       help="port to listen on (default: 8000, or the next free one if it is busy)")
    serve.add_argument("--open", action="store_true", help="open the site in the default web browser")
    serve.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from digest.preview.serve import serve  # watchdog and http.server are only needed here

    project = Project.at(args.source, args.output, base_url_from(args))
    return serve(project, host=args.host, port=args.port, open_browser=args.open, keep_going=args.keep_going)


def _add_email_command(commands: argparse._SubParsersAction) -> None:
    email = commands.add_parser("email", help="write (and send) the email digest of one snapshot day or week",
                                description=(
        "Write digest-DATE.html, .txt and .eml for the snapshot of DATE (default: the newest), or "
        "digest-YYYY-Www.* for the papers first seen in that ISO week with --week, and with --send "
        "deliver it by SMTP (settings: smtp in site.yaml, DIGEST_SMTP_* variables; the password only from "
        "DIGEST_SMTP_PASSWORD). A day with no new papers is not sent unless --send-empty. See docs/email.md."))
    add_edition_arguments(email, "the weekly digest of an ISO week instead, e.g. 2024-W47 "
                                 "(its page is weeks/2024-W47/)")
    add_source_option(email)
    add_base_url_option(email)
    email.add_argument("--out", type=Path, default=None, metavar="DIR",
                       help="where the three files are written (default: email/ in the project folder)")
    email.add_argument("--send", action="store_true", help="send the email through SMTP")
    email.add_argument("--dry-run", action="store_true",
                       help="print what would be sent, from whom and to whom, and send nothing")
    email.add_argument("--to", action="append", default=[], metavar="ADDR",
                       help="send to ADDR instead of email.recipients (repeat for more)")
    email.add_argument("--send-empty", action="store_true", help="send even when the day has no new papers")
    email.add_argument("--force", action="store_true",
                       help="send even if deliveries.tsv records this edition as sent to these recipients")
    email.set_defaults(run=_run_email)


def _run_email(args: argparse.Namespace) -> int:
    from digest.commands.email import SendOptions, run_email

    project = Project.at(args.source, base_url=base_url_from(args))
    options = SendOptions(send=args.send, dry_run=args.dry_run, send_empty=args.send_empty, to=tuple(args.to),
                          force=args.force)
    run_email(project, args.date, args.out or project.root / "email", options, print, week=args.week)
    return 0


def _add_keep_going_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--keep-going", action="store_true",
                         help="skip snapshot files with errors (with a warning) instead of failing the build")


def _add_project_options(command: argparse.ArgumentParser) -> None:
    add_source_option(command)
    command.add_argument("--output", type=Path, default=None, metavar="DIR",
                         help="where the site is written (default: site/ in the project folder)")
    add_base_url_option(command)


def _run_build(args: argparse.Namespace) -> int:
    project = Project.at(args.source, args.output, base_url_from(args))
    # Live progress and the summary on a terminal only: logs and pipes get warnings and errors alone.
    progress = None if args.quiet or not sys.stderr.isatty() else TerminalProgress(sys.stderr)
    try:
        report = build_site(project, keep_going=args.keep_going, progress=progress)
    finally:
        if progress is not None:
            progress.done()  # take the status line down before any error is printed
    if not args.quiet and (note := project.theme.describe_overrides()):
        print(note, file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if progress is not None:
        print(summary(report), file=sys.stderr)
    return 0
