"""Command-line options more than one command shares."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
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
