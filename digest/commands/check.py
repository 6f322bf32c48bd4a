"""`digest check`: validate every source and setting and compile every template, without building.

For a pre-commit hook or a pull-request check. It reads what `digest build`
reads (site.yaml, topics.yaml, every snapshot, every page) with the same
checks, then compiles every template of the theme (the site's own over the
default; site and email alike) and makes sure each template it extends,
includes or imports by name exists. It writes nothing. Exit 0 with a one-line
summary; exit 2 at the first problem, naming its file and line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping

import jinja2
from jinja2 import nodes

from digest.commands.notify import check_notify_destinations
from digest.commands.options import add_base_url_option, add_source_option, base_url_from
from digest.commands.sources import read_sources
from digest.errors import TemplateError
from digest.inputs.config import SITE_CONFIG_NAME
from digest.inputs.interests import INTERESTS_NAME
from digest.output.render import Renderer
from digest.project import Project
from digest.relevance import relevance
from digest.theme import Theme

REFERENCES = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


def add_check_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `digest check` on the main parser's subcommands."""
    check = subparsers.add_parser(
        "check", help="validate the sources, settings and templates without building",
        description=(
            "Read site.yaml, topics.yaml, interests.yaml (with its library), every snapshot and page as "
            "`digest build` does, and compile every "
            "template, writing nothing. Exits 0 with a one-line summary, or 2 at the first problem with its file "
            "and line: for a pre-commit hook or a pull-request check."))
    add_source_option(check)
    add_base_url_option(check)
    check.set_defaults(run=run_check_command)
    return check


def run_check_command(args: argparse.Namespace) -> int:
    project = Project.at(args.source, base_url=base_url_from(args))
    summary, warnings = run_check(project)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(summary)
    return 0


def run_check(project: Project, environ: Mapping[str, str] | None = None) -> tuple[str, tuple[str, ...]]:
    """(a one-line summary, warnings); raises a DigestError at the first problem.

    The notification URLs are checked by Apprise with the secrets `environ` has (nothing is sent).
    """
    sources = read_sources(project)
    notes = check_notify_destinations(sources.config, project.content / SITE_CONFIG_NAME,
                                      os.environ if environ is None else environ)
    theme = project.theme
    names = check_templates(theme, Renderer(theme.layers, sources.config, {}, ()).environment)
    catalog = sources.catalog
    own = len(theme.overridden())
    templates = _count(len(names), "template") + (f" ({own} from {project.templates})" if own else "")
    counts = [_count(len(catalog.days), "snapshot"), _count(len(catalog.papers), "paper"),
              _count(len(catalog.topics), "topic"), _count(len(sources.pages), "page"), templates]
    if sources.interests is not None:  # scored once, so a muted topic the taxonomy lacks is an error here too
        relevance(catalog, sources.interests, sources.config.organization_min_papers)
        counts.append(f"{INTERESTS_NAME}" + (f" with a library of {_count(len(sources.interests.library), 'reference')}"
                                             if sources.interests.library else ""))
    destinations = len(sources.config.notify.to) + len(sources.config.notify.alerts)
    if destinations:
        counts.append(_count(destinations, "notification URL"))
    if sources.searches:
        searches = len(sources.searches)
        counts.append(f"{searches} saved search{'' if searches == 1 else 'es'}")
    return f"OK: {project.content / SITE_CONFIG_NAME}, {', '.join(counts)}", (*sources.warnings, *notes)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def check_templates(theme: Theme, environment: jinja2.Environment) -> tuple[str, ...]:
    """Compile every template of `theme` in `environment`; raise a TemplateError naming file and line."""
    names = theme.template_names()
    known = set(theme.files())
    for name in names:
        source, filename, _ = environment.loader.get_source(environment, name)  # type: ignore[union-attr]
        try:
            tree = environment.parse(source, name, filename)
            environment.compile(tree, name, filename)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"template syntax error: {exc.message}", filename, exc.lineno) from None
        for node in tree.find_all(REFERENCES):
            target = node.template
            if isinstance(target, nodes.Const) and isinstance(target.value, str) and target.value not in known:
                if isinstance(node, nodes.Include) and node.ignore_missing:
                    continue
                raise TemplateError(f"'{target.value}' is not a template: not in {theme.own} nor in the default "
                                    f"theme ({theme.default})", filename, node.lineno)
    return names
