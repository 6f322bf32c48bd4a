"""Command-line options more than one command shares."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from digest.inputs.config import BASE_URL_VARIABLE, normal_base_url


def add_source_option(command: argparse.ArgumentParser) -> None:
    """--source DIR: the project folder every command reads (content/, templates/)."""
    command.add_argument("--source", type=Path, default=Path("."), metavar="DIR",
                         help="project folder holding content/ and templates/ (default: current folder)")


def add_base_url_option(command: argparse.ArgumentParser) -> None:
    """--base-url URL: build for another address than site.yaml's base_url, e.g. a deploy preview's."""
    command.add_argument("--base-url", type=_base_url, default=None, metavar="URL",
                         help=f"use URL instead of site.yaml's base_url for this run, e.g. a deploy preview's "
                              f"(default: ${BASE_URL_VARIABLE} if set)")


def base_url_from(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> str | None:
    """--base-url, else $DIGEST_BASE_URL, else None (site.yaml's base_url); checked when the settings are read."""
    environ = os.environ if environ is None else environ
    return args.base_url or environ.get(BASE_URL_VARIABLE, "").strip() or None


def _base_url(value: str) -> str:
    normal = normal_base_url(value)
    if normal is None:
        raise argparse.ArgumentTypeError(f"expected an absolute http(s) URL such as https://example.org/, "
                                         f"got '{value}'")
    return normal


def iso_date(value: str) -> date:
    """A command-line date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got '{value}'") from None


def iso_week(value: str) -> str:
    """A command-line ISO week, YYYY-Www, as the site spells it."""
    from digest.periods import parse_week_key, week_key

    try:
        return week_key(parse_week_key(value))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_edition_arguments(command: argparse.ArgumentParser, week_help: str) -> None:
    """DATE or --week YYYY-Www: the edition `digest email` and `digest notify` deliver."""
    when = command.add_mutually_exclusive_group()
    when.add_argument("date", nargs="?", type=iso_date, default=None, metavar="DATE",
                      help="snapshot date as YYYY-MM-DD (default: the newest snapshot)")
    when.add_argument("--week", type=iso_week, default=None, metavar="YYYY-Www", help=week_help)
