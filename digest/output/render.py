"""Render page specs into bytes with Jinja2, skipping pages whose inputs did not change.

Templates get the spec's context plus the site settings, the hashed asset
names and these helpers: `url(path)`, a link relative to the page being
rendered; `asset(name)`, the link to a hashed static file; and `paths`, the
urls module, so templates never spell a URL themselves.

Every render notes what it read besides its context (`Dependencies`): each
template Jinja loaded for it (the page's own, what it extends, includes and
imports, by name, with a hash of the source it was compiled from) and each
setting it looked at (`site.title`, `site.email`, ...). A cached page is reused
while its context, the assets and menu, those templates and those settings
are all unchanged, so an edit to templates/paper.html renders the paper pages
again and nothing else, and an email setting renders no site page at all.
The loads are recorded as they happen (as Lektor does) rather than worked out
from the template sources, because a name can be an expression
(`{% include "cards/" ~ kind ~ ".html" %}`, `{% extends layout %}`) that only
the render knows.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import jinja2.compiler

from digest import urls
from digest.errors import TemplateError
from digest.inputs.config import SiteConfig
from digest.memo import PureMemo
from digest.output import fast_escape
from digest.plan.spec import PageSpec

MenuItem = tuple[str, str]


@dataclass(frozen=True)
class Dependencies:
    """What one render read besides its context, to tell later whether it would still give the same bytes.

    `templates`: every template name Jinja looked up, with the hash of the source it compiled (None: it was
    looked for and missing, as `{% include ... ignore missing %}` allows, so creating it changes the page);
    `settings`: every top-level setting the templates read, with its value.
    """

    templates: tuple[tuple[str, str | None], ...] = ()
    settings: tuple[tuple[str, Any], ...] = ()

    def __or__(self, other: Dependencies) -> Dependencies:
        return Dependencies(tuple(sorted({**dict(self.templates), **dict(other.templates)}.items())),
                            tuple(sorted({**dict(self.settings), **dict(other.settings)}.items())))


@dataclass(frozen=True)
class Rendered:
    body: bytes
    dependencies: Dependencies


@dataclass
class RenderCache:
    """What each path was last rendered from, so an unchanged page is not rendered again (a preview's)."""

    entries: dict[str, tuple[Any, Rendered]] = field(default_factory=dict)

    def learn(self, specs: Sequence[PageSpec], renderer: Renderer, fresh: Mapping[str, Rendered]) -> dict[str, bytes]:
        """Keep, for exactly `specs`, what `render_chunk` rendered anew (`fresh`, maybe in another process) and what
        it reused from here; every page's bytes, by output file."""
        entries: dict[str, tuple[Any, Rendered]] = {}
        files: dict[str, bytes] = {}
        for spec in specs:
            page = fresh.get(spec.path) or self.entries[spec.path][1]
            entries[spec.path] = (_key(spec, renderer), page)
            files[urls.output_file(spec.path)] = page.body
        self.entries = entries
        return files


@dataclass(frozen=True)
class RenderedChunk:
    """What rendering some pages made: every page's bytes by output file, and the pages rendered anew (`fresh`,
    what a preview's `RenderCache` learns; the others it has)."""

    files: dict[str, bytes]
    fresh: dict[str, Rendered]

    @property
    def rendered(self) -> int:
        return len(self.fresh)

    @property
    def reused(self) -> int:
        return len(self.files) - len(self.fresh)


@dataclass(frozen=True)
class RenderResult:
    files: dict[str, bytes]
    rendered: int
    reused: int


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


long_date: Callable[[date], str] = PureMemo(_long_date).__getitem__


def _short_date(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


short_date: Callable[[date], str] = PureMemo(_short_date).__getitem__


@dataclass
class _Reads:
    """Filled while one page renders."""

    templates: dict[str, str | None] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def frozen(self) -> Dependencies:
        return Dependencies(tuple(sorted(self.templates.items())), tuple(sorted(self.settings.items())))


# The render in progress in this thread, if any: where template loads are noted.
_CURRENT_READS: ContextVar[_Reads | None] = ContextVar("digest_render_reads", default=None)


def _source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


class _HashingLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that remembers the hash of each source it hands Jinja to compile."""

    def __init__(self, searchpath: Path | Sequence[Path]) -> None:
        super().__init__(searchpath)
        self.compiled: dict[str, str] = {}

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        self.compiled[template] = _source_hash(source)
        return source, filename, uptodate

    def hash_on_disk(self, environment: jinja2.Environment, template: str) -> str | None:
        try:
            source = super().get_source(environment, template)[0]
        except jinja2.TemplateNotFound:
            return None
        return _source_hash(source)


class _RecordingEnvironment(jinja2.Environment):
    """Notes every template loaded during a render: the page's own, `extends`, `include`, `import`/`from`.

    Compiled templates ask for all of these through the public `get_template` and `select_template`, also
    when the template is already compiled and cached (a loader hook would see only the first load), so those
    two are where the loads are noted. Lektor's environment records them likewise.
    Compiles with `fast_escape.OutputCodeGenerator`: a faster `{{ value }}` where the installed Jinja and MarkupSafe
    are versions it was tested with, stock Jinja elsewhere; the same bytes either way.
    """

    loader: _HashingLoader

    def get_template(self, name: str | jinja2.Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        if isinstance(name, jinja2.Template):
            return name
        if parent is not None:
            name = self.join_path(name, parent)
        reads = _CURRENT_READS.get()
        try:
            template = super().get_template(name, None, globals)
        except jinja2.TemplateNotFound:
            if reads is not None and isinstance(name, str):
                reads.templates[name] = None
            raise
        if reads is not None:
            reads.templates[name] = self.loader.compiled.get(name)
        return template

    def select_template(self, names: Iterable[str | jinja2.Template], parent: str | None = None,
                        globals: MutableMapping[str, Any] | None = None) -> jinja2.Template:
        """As Jinja's, each name tried through `get_template`, so that the missing ones are noted too."""
        if isinstance(names, jinja2.Undefined) or not names:
            return super().select_template(names, parent, globals)  # raises Jinja's own error
        for name in names:
            try:
                return self.get_template(name, parent, globals)
            except (jinja2.TemplateNotFound, jinja2.UndefinedError):
                pass
        raise jinja2.TemplatesNotFound(names)  # type: ignore[arg-type]  # as Jinja's select_template


class _SettingsView:
    """`site` as templates see it: each setting read passes through and is noted, with its value."""

    __slots__ = ("_config", "_read")

    def __init__(self, config: SiteConfig, read: dict[str, Any]) -> None:
        self._config = config
        self._read = read

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._config, name)
        self._read[name] = value
        return value


def _environment(template_dir: Path | Sequence[Path], fast: bool | None = None) -> _RecordingEnvironment:
    """The Jinja environment for `template_dir`; `fast` forces the escaping path (tests), else where tested."""
    environment = _RecordingEnvironment(
        loader=_HashingLoader(template_dir),
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # No file times looked at on every get_template (two stats a page): a preview session's TemplateCache
        # compares the sources themselves before each build, and a build's templates do not change under it.
        auto_reload=False,
    )
    # url, asset and absolute_url as filters too: `{{ path | url }}` is a plain call in the compiled template,
    # where `{{ url(path) }}` goes through Context.call, slower on every link (bench/README.md).
    use_fast = fast_escape.enabled() if fast is None else fast
    environment.code_generator_class = fast_escape.OutputCodeGenerator if use_fast else jinja2.compiler.CodeGenerator
    helpers = {"url": _url, "asset": _asset, "absolute_url": _absolute_url}
    environment.filters.update(long_date=long_date, short_date=short_date, iso=_iso, **helpers)
    environment.globals.update(paths=urls, **helpers)
    return environment


@dataclass
class TemplateCache:
    """A preview session's compiled templates, kept from one build to the next, so a rebuild does not compile
    them all again (bench/README.md). A template whose source changed since it was compiled is compiled again."""

    environments: dict[tuple[Path, ...], _RecordingEnvironment] = field(default_factory=dict)

    def environment(self, template_dir: Path | Sequence[Path]) -> _RecordingEnvironment:
        folders = _folders(template_dir)
        environment = self.environments.get(folders)
        if environment is None:
            self.environments = {folders: _environment(template_dir)}  # a theme change drops the old one
            return self.environments[folders]
        loader = environment.loader
        # Jinja's auto_reload is off (see _environment): a changed source, whatever its file time, is found here.
        if any(loader.hash_on_disk(environment, name) != digest for name, digest in loader.compiled.items()):
            environment.cache.clear()
            loader.compiled.clear()
        return environment


class Renderer:
    def __init__(self, template_dir: Path | Sequence[Path], config: SiteConfig, assets: Mapping[str, str],
                 menu: tuple[MenuItem, ...], templates: TemplateCache | None = None) -> None:
        self.template_dir = template_dir
        self.config = config
        self.assets = dict(assets)
        self.menu = menu
        self.templates = templates
        self.environment = templates.environment(template_dir) if templates else _environment(template_dir)
        # What every page gets that no render records: the hashed asset names and the menu (base.html shows both).
        self.fingerprint = (tuple(sorted(self.assets.items())), menu)
        self._on_disk: dict[str, str | None] = {}

    def for_email(self) -> Renderer:
        """The same templates and settings without the site's assets and menu.

        An email is read away from the site, so it can use neither; and an edited stylesheet or a new
        Markdown page then leaves every email as it was.
        """
        return Renderer(self.template_dir, self.config, {}, (), self.templates)

    def render(self, spec: PageSpec) -> bytes:
        return self.render_tracked(spec).body

    def render_tracked(self, spec: PageSpec) -> Rendered:
        """Render one page and say what it read (templates, settings) besides its context."""
        reads = _Reads()
        token = _CURRENT_READS.set(reads)
        try:
            body = self._render(spec, _SettingsView(self.config, reads.settings))
        finally:
            _CURRENT_READS.reset(token)
        return Rendered(body, reads.frozen())

    def is_current(self, dependencies: Dependencies) -> bool:
        """Whether the templates and settings a render read are still what they were."""
        return (all(self._hash_on_disk(name) == digest for name, digest in dependencies.templates)
                and all(getattr(self.config, name) == value for name, value in dependencies.settings))

    def _hash_on_disk(self, name: str) -> str | None:
        """The template's hash as this build found it, read once per build."""
        if name not in self._on_disk:
            self._on_disk[name] = self.environment.loader.hash_on_disk(self.environment, name)
        return self._on_disk[name]

    def _render(self, spec: PageSpec, site: _SettingsView) -> bytes:
        context = {
            **spec.context,
            "site": site,
            "menu": self.menu,
            "assets": self.assets,
            "page_path": spec.path,
            "link_root": _link_root(spec.path, site),
        }
        try:
            template = self.environment.get_template(spec.template)
            return template.render(context).encode("utf-8")
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(f"template syntax error: {exc.message}", exc.filename or exc.name, exc.lineno) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(f"template '{exc.name}' not found in "
                                f"{', '.join(map(str, _folders(self.template_dir)))}") from None
        except Exception as exc:  # a template bug surfaces as whatever Python raised inside it
            filename, line = _template_frame(exc, self.template_dir)
            if filename is None:
                raise
            raise TemplateError(f"error while rendering {spec.path or 'the home page'}: {exc}", filename,
                                line) from None


def _link_root(path: str, site: _SettingsView) -> str:
    """Relative links everywhere, except the 404 page, which is served at any depth (so it reads base_url)."""
    if path == urls.NOT_FOUND:
        return urlsplit(site.base_url).path
    return "../" * path.count("/")


def render_chunk(specs: Iterable[PageSpec], renderer: Renderer, cache: RenderCache | None = None) -> RenderedChunk:
    """Render `specs`, reusing from `cache` each page whose inputs are unchanged (the cache itself is not changed:
    this may run in a worker; `RenderCache.learn` keeps the result)."""
    files: dict[str, bytes] = {}
    fresh: dict[str, Rendered] = {}
    for spec in specs:
        previous = cache.entries.get(spec.path) if cache is not None else None
        if previous is not None and previous[0] == _key(spec, renderer) and \
                renderer.is_current(previous[1].dependencies):
            page = previous[1]
        else:
            page = fresh[spec.path] = renderer.render_tracked(spec)
        files[urls.output_file(spec.path)] = page.body
    return RenderedChunk(files, fresh)


def render_pages(specs: Sequence[PageSpec], renderer: Renderer, cache: RenderCache | None = None) -> RenderResult:
    """Render `specs` here, through and into `cache` when given."""
    chunk = render_chunk(specs, renderer, cache)
    files = cache.learn(specs, renderer, chunk.fresh) if cache is not None else chunk.files
    return RenderResult(files=files, rendered=chunk.rendered, reused=chunk.reused)


def _key(spec: PageSpec, renderer: Renderer) -> tuple[Any, ...]:
    """What a page's bytes follow from besides the templates and settings its render reads."""
    return (renderer.fingerprint, spec.template, spec.context)


def _iso(value: date | datetime) -> str:
    """`{{ day | iso }}`: as `day.isoformat()`, a plain call (see `_environment`)."""
    return value.isoformat()


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    return (context["link_root"] + target) or "./"


@jinja2.pass_context
def _asset(context: jinja2.runtime.Context, name: str) -> str:
    return _url(context, context["assets"][name])


@jinja2.pass_context
def _absolute_url(context: jinja2.runtime.Context, target: str) -> str:
    return urls.absolute(context["site"].base_url, target)


def _folders(template_dir: Path | Sequence[Path]) -> tuple[Path, ...]:
    """One template folder, or the layers a theme looks names up in (a site's own templates/, the default)."""
    return (template_dir,) if isinstance(template_dir, Path) else tuple(template_dir)


def _template_frame(exc: BaseException, template_dir: Path | Sequence[Path]) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is in a template file, if any."""
    found: tuple[str | None, int | None] = (None, None)
    roots = tuple(str(folder.resolve()) for folder in _folders(template_dir))
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and str(Path(frame.filename).resolve()).startswith(roots):
            found = (frame.filename, frame.lineno)
    return found
