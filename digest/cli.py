"""The `digest` command: a thin layer that parses arguments and calls the pipeline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from digest import __version__
from digest.build import Project, build_site
from digest.errors import DigestError

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
    build.add_argument("--keep-going", action="store_true",
                       help="skip snapshot files with errors (with a warning) instead of stopping")
    build.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors")
    build.set_defaults(run=_run_build)
    _add_serve_command(commands)
    return parser


def _add_serve_command(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="preview the site locally, rebuilding and reloading on changes",
                                description=(
        "Build the site, serve it over HTTP and rebuild when content/, the templates or site.yaml change; "
        "open pages reload by themselves after each build. A failed build shows the error in the terminal "
        "and in the browser, and the server keeps running. See docs/preview.md."))
    _add_project_options(serve)
    serve.add_argument("--keep-going", action="store_true",
                       help="skip snapshot files with errors (with a warning) instead of failing the build")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=None,
                       help="port to listen on (default: 8000, or the next free one if it is busy)")
    serve.add_argument("--open", action="store_true", help="open the site in the default web browser")
    serve.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from digest.serve import serve  # watchdog and http.server are only needed here

    project = Project.at(args.source, args.output)
    return serve(project, host=args.host, port=args.port, open_browser=args.open, keep_going=args.keep_going)


def _add_project_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--source", type=Path, default=Path("."), metavar="DIR",
                         help="project folder holding content/ and templates/ (default: current folder)")
    command.add_argument("--output", type=Path, default=None, metavar="DIR",
                         help="where the site is written (default: site/ in the project folder)")


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    return lambda message: print(message, file=sys.stderr)


def _run_build(args: argparse.Namespace) -> int:
    project = Project.at(args.source, args.output)
    report = build_site(project, keep_going=args.keep_going, progress=_progress(args.quiet))
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
