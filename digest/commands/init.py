"""`digest init [DIR]`: a new site in a folder, ready for `digest build`, `digest serve` and a daily workflow.

It writes the settings (every one listed, the optional ones commented with
their defaults), the default taxonomy, an about page, one sample snapshot,
netlify.toml, .gitignore, .gitattributes (the delivery ledger merges by union), requirements.txt (the
paper-digest the workflow and Netlify install) and .github/workflows/publish.yml. The scaffold files live in
digest/scaffold/; the taxonomy and the sample snapshot are the ones this
repository's content/ has (the wheel carries them as digest/default_content/).
It writes nothing if any of these files exists, unless --force.
"""

from __future__ import annotations

import argparse
import json
import shlex
import typing
from dataclasses import MISSING, Field, fields
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from digest import __version__
from digest.errors import DigestError
from digest.inputs.config import BASE_URL_VARIABLE, SiteConfig
from digest.theme import packaged_path

DISTRIBUTION = "paper-digest"
SAMPLE_SNAPSHOT = "2025-10-08.txt"
SAMPLE_TITLE = "My Paper Digest"
SAMPLE_BASE_URL = "https://example.org/"


def add_init_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register `digest init` on the main parser's subcommands."""
    init = subparsers.add_parser(
        "init", help="create a new site in a folder",
        description=(
            "Create content/site.yaml (every setting listed), content/topics.yaml, content/pages/about.md, a sample "
            "snapshot, netlify.toml, .gitignore, .gitattributes, requirements.txt and a daily GitHub Actions "
            "workflow "
            "(.github/workflows/publish.yml) in DIR. Writes nothing if any of them exists, unless --force."))
    init.add_argument("directory", nargs="?", type=Path, default=Path("."), metavar="DIR",
                      help="folder for the new site (default: the current folder; created if missing)")
    init.add_argument("--force", action="store_true", help="overwrite files that exist already")
    init.set_defaults(run=run_init_command)
    return init


def run_init_command(args: argparse.Namespace) -> int:
    for line in init_site(args.directory, force=args.force):
        print(line)
    return 0


def init_site(directory: Path, *, force: bool = False) -> list[str]:
    """Write the new site's files into `directory`; return what to tell the user."""
    requirement, note = install_requirement()
    files = scaffold_files(requirement)
    existing = [name for name in files if (directory / name).exists()]
    if existing and not force:
        others = f" (so do {', '.join(existing[1:])})" if len(existing) > 1 else ""
        raise DigestError(f"exists already{others}; nothing was written (use --force to overwrite)",
                          directory / existing[0])
    for name, data in files.items():
        target = directory / name
        if target.is_dir():
            raise DigestError("is a folder; the new site needs a file there", target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise DigestError(f"cannot write: {exc.strerror or exc}", target) from None
    source = "" if directory.resolve() == Path.cwd().resolve() else f" --source {shlex.quote(str(directory))}"
    lines = [f"Created a new digest in {directory}: {', '.join(files)}"]
    if note:
        lines.append(note)
    lines += ["Next, build the site and preview it:", f"  digest build{source}", f"  digest serve{source}"]
    return lines


def scaffold_files(requirement: str) -> dict[str, bytes]:
    """Every file of a new site by its path in the site's folder."""
    scaffold = resources.files("digest").joinpath("scaffold")
    return {
        "content/site.yaml": site_yaml().encode("utf-8"),
        "content/topics.yaml": packaged_path("default_content/topics.yaml", "content/topics.yaml").read_bytes(),
        "content/pages/about.md": scaffold.joinpath("about.md").read_bytes(),
        f"content/snapshots/{SAMPLE_SNAPSHOT}": packaged_path(f"default_content/snapshots/{SAMPLE_SNAPSHOT}",
                                                              f"content/snapshots/{SAMPLE_SNAPSHOT}").read_bytes(),
        "netlify.toml": scaffold.joinpath("netlify.toml").read_bytes(),
        ".gitignore": scaffold.joinpath("gitignore").read_bytes(),
        ".gitattributes": scaffold.joinpath("gitattributes").read_bytes(),
        "requirements.txt": scaffold.joinpath("requirements.txt").read_text(encoding="utf-8")
                            .replace("{requirement}", requirement).encode("utf-8"),
        ".github/workflows/publish.yml": scaffold.joinpath("publish.yml").read_bytes(),
    }


def install_requirement() -> tuple[str, str | None]:
    """What requirements.txt asks pip for: this paper-digest, as a version or the Git commit it came from.

    Returns the requirement and, when CI cannot install it the way it was installed here (from a local
    folder), a note saying what to change.
    """
    try:
        direct_url = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct_url = None
    pinned = f"{DISTRIBUTION}=={__version__}"
    if not direct_url:
        return pinned, None
    origin = json.loads(direct_url)
    vcs = origin.get("vcs_info")
    url = origin.get("url", "")
    if vcs and not url.startswith("file:"):
        return f"{DISTRIBUTION} @ {vcs['vcs']}+{url}@{vcs['commit_id']}", None
    if url.startswith("file:"):
        return pinned, (f"note: paper-digest was installed from {url}, which the workflow and Netlify "
                        f"cannot reach; requirements.txt asks for {pinned}: if that is not on PyPI, put where to "
                        "get it there instead, e.g. 'paper-digest @ git+https://github.com/OWNER/REPO@TAG'")
    return pinned, None


def site_yaml() -> str:
    """content/site.yaml with every setting: the required ones set, the others commented with their defaults."""
    lines = [
        "# Site settings. Every setting is listed here; the commented ones show their default:",
        "# remove the '# ' in front of a setting to change it. `digest check` checks this file.",
        "",
    ]
    lines += _settings_lines(SiteConfig, "")
    return "\n".join(lines) + "\n"


def _settings_lines(cls: type, indent: str) -> list[str]:
    lines: list[str] = []
    hints = typing.get_type_hints(cls)
    for spec in fields(cls):
        doc = spec.metadata.get("doc", "")
        if hasattr(spec.default, "__dataclass_fields__"):
            lines += ["", f"{indent}# {doc}", f"{indent}{spec.name}:"]
            lines += _settings_lines(hints[spec.name], indent + "  ")
            continue
        lines.append(f"{indent}# {doc}")
        if spec.name == "base_url":
            lines.append(f"{indent}# `digest build --base-url URL` (or ${BASE_URL_VARIABLE}) builds for another "
                         "address once, e.g. a deploy preview.")
        lines.append(f"{indent}{spec.name}: {_yaml(_required_value(spec))}" if spec.default is MISSING
                     else f"{indent}# {spec.name}: {_yaml(spec.default)}")
    return lines


def _required_value(spec: Field[Any]) -> str:
    if spec.name == "base_url":
        return SAMPLE_BASE_URL
    return SAMPLE_TITLE


def _yaml(value: Any) -> str:
    """A YAML value for a setting's default (JSON is YAML): text quoted, numbers bare, tuples as lists."""
    if isinstance(value, tuple):
        value = list(value)
    return json.dumps(value, ensure_ascii=False)
