"""Render page specs into bytes with Jinja2, skipping pages whose inputs did not change.

Templates get the spec's context plus the site settings, the hashed asset
names and these helpers: `url(path)`, a link relative to the page being
rendered; `asset(name)`, the link to a hashed static file; and `paths`, the
urls module, so templates never spell a URL themselves.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from digest import urls
from digest.errors import TemplateError
from digest.inputs.config import SiteConfig

MenuItem = tuple[str, str]


@dataclass(frozen=True)
class PageSpec:
    """One output file: its path in the site, the template that renders it, and the data it shows."""

    path: str
    template: str
    context: Mapping[str, Any]


@dataclass
class RenderCache:
    """What each path was last rendered from, so an unchanged page is not rendered again."""

    entries: dict[str, tuple[Any, bytes]] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderResult:
    files: dict[str, bytes]
    rendered: int
    reused: int


def long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def short_date(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


class Renderer:
    def __init__(self, template_dir: Path, config: SiteConfig, assets: Mapping[str, str],
                 menu: tuple[MenuItem, ...]) -> None:
        self.template_dir = template_dir
        self.config = config
        self.assets = dict(assets)
        self.menu = menu
        self.environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(template_dir)),
            autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True, default=False),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.environment.filters.update(long_date=long_date, short_date=short_date)
        self.environment.globals.update(url=_url, asset=_asset, absolute_url=_absolute_url, paths=urls)
        self.fingerprint = (config, tuple(sorted(self.assets.items())), menu, _templates_digest(template_dir))

    def render(self, spec: PageSpec) -> bytes:
        context = {
            **spec.context,
            "site": self.config,
            "menu": self.menu,
            "assets": self.assets,
            "page_path": spec.path,
            "link_root": self._link_root(spec.path),
        }
        try:
            template = self.environment.get_template(spec.template)
            return template.render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"template syntax error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"template '{exc.name}' not found in {self.template_dir}") from None
        except Exception as exc:  # a template bug surfaces as whatever Python raised inside it
            filename, line = _template_frame(exc, self.template_dir)
            if filename is None:
                raise
            raise TemplateError(f"error while rendering {spec.path or 'the home page'}: {exc}", filename,
                                line) from None

    def _link_root(self, path: str) -> str:
        """Relative links everywhere, except the 404 page, which is served at any depth."""
        if path == urls.NOT_FOUND:
            return urlsplit(self.config.base_url).path
        return "../" * path.count("/")


def render_pages(specs: Iterable[PageSpec], renderer: Renderer, cache: RenderCache | None = None) -> RenderResult:
    files: dict[str, bytes] = {}
    rendered = reused = 0
    fresh: dict[str, tuple[Any, bytes]] = {}
    for spec in specs:
        key = (renderer.fingerprint, spec.template, spec.context)
        previous = cache.entries.get(spec.path) if cache is not None else None
        if previous is not None and previous[0] == key:
            body = previous[1]
            reused += 1
        else:
            body = renderer.render(spec)
            rendered += 1
        fresh[spec.path] = (key, body)
        files[urls.output_file(spec.path)] = body
    if cache is not None:
        cache.entries = fresh
    return RenderResult(files=files, rendered=rendered, reused=reused)


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    return (context["link_root"] + target) or "./"


@jinja2.pass_context
def _asset(context: jinja2.runtime.Context, name: str) -> str:
    return _url(context, context["assets"][name])


@jinja2.pass_context
def _absolute_url(context: jinja2.runtime.Context, target: str) -> str:
    return urls.absolute(context["site"].base_url, target)


def _templates_digest(template_dir: Path) -> str:
    """A hash of every template's source: an edited template invalidates every cached page."""
    digest = hashlib.sha256()
    for path in sorted(template_dir.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(template_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _template_frame(exc: BaseException, template_dir: Path) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is in a template file, if any."""
    found: tuple[str | None, int | None] = (None, None)
    root = str(template_dir.resolve())
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(root):
            found = (frame.filename, frame.lineno)
    return found
