"""The pipeline: read snapshots → build the catalog → plan and render pages → write the site.

`build_site` is what `digest build` and `digest serve` call. A `BuildState`
carried from one build to the next lets the preview server skip reading,
indexing and rendering whatever did not change.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from digest import urls
from digest.catalog import Catalog
from digest.commands.parallel import Background, run_tasks, sigterm_raises
from digest.commands.progress import Progress, Stages, StageTime
from digest.commands.sources import SourcesCache, read_sources
from digest.errors import BuildError
from digest.inputs.config import SiteConfig
from digest.inputs.pages import Page
from digest.mail.compose import EmailCache, email_pages
from digest.output.assets import collect_assets, find_lunr
from digest.output.render import RenderCache, Renderer, TemplateCache, render_pages
from digest.output.search import SearchCache, build_search_files, catalog_documents
from digest.output.writer import StagedSite, WriteCache, write_ahead, write_site
from digest.plan.feeds import plan_digest_feeds, plan_machine_files
from digest.plan.site import PlanCache, in_site_order, plan_listings, plan_paper_pages
from digest.plan.spec import PageSpec
from digest.project import Project
from digest.related import RelatedCache, RelatedLists, related_inputs, related_papers


@dataclass
class BuildState:
    """Caches that survive between builds of a preview session, each owned by its stage's module."""

    sources: SourcesCache = field(default_factory=SourcesCache)  # snapshots, taxonomy, catalog
    plans: PlanCache = field(default_factory=PlanCache)
    renders: RenderCache = field(default_factory=RenderCache)  # the listing pages and the machine files
    paper_renders: RenderCache = field(default_factory=RenderCache)  # the papers' pages
    templates: TemplateCache = field(default_factory=TemplateCache)
    search: SearchCache = field(default_factory=SearchCache)
    emails: EmailCache = field(default_factory=EmailCache)
    related: RelatedCache = field(default_factory=RelatedCache)
    written: WriteCache = field(default_factory=WriteCache)
    # Everything the last build's output follows from, and its report: a save that changed nothing
    # (same catalog, settings, pages and theme bytes) is answered without planning or writing anything.
    last_build: tuple[tuple[Any, ...], BuildReport] | None = None


@dataclass(frozen=True)
class BuildReport:
    papers: int
    snapshots: int
    pages: int
    files: int
    written: int
    unchanged: int
    removed: int
    rendered: int
    reused: int
    search_bytes: int
    seconds: float
    warnings: tuple[str, ...]
    stages: tuple[StageTime, ...] = ()  # where the seconds went, stage by stage


def theme_signature(templates: Path) -> str:
    """A hash of every file under the templates folder: any edit there may change any page."""
    digest = hashlib.sha256()
    for path in sorted(templates.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(templates).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class InView:
    """The pages open in a preview's browser tabs, by output file ("index.html").

    A rebuild writes those of them that do not show related papers before anything else; then the rest of
    what does not wait for the related papers. Each time, it tells `shown` which files it wrote (bytes
    changed): they are final for this build, so their tabs can reload while the related papers and the
    papers' pages are still being made, at 10,000 papers a second or more sooner. Hugo's server renders the
    open pages first, too.
    """

    files: frozenset[str]
    shown: Callable[[frozenset[str]], None]


def build_site(project: Project, *, keep_going: bool = False, state: BuildState | None = None,
               progress: Progress | None = None, in_view: InView | None = None) -> BuildReport:
    """Build the site; `progress` is told each stage as it starts and how far it got (a terminal shows it).
    `in_view` (a preview's, with `state`) are pages to write first."""
    with _cyclic_gc_paused():
        return _build_site(project, keep_going=keep_going, state=state, progress=progress, in_view=in_view)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during a build, in this process and the workers it forks.

    A build makes millions of objects that live until it ends (the catalog, search postings, rendered pages),
    and each full collection walks them all again: 0.5-0.9 s of a preview rebuild at 10,000 papers, about as
    much of a full build. Reference counting still frees everything else as soon as it is dropped (peak memory
    is unchanged, measured); the few cycles a build leaves are collected after it, once collection resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_site(project: Project, *, keep_going: bool, state: BuildState | None,
                progress: Progress | None, in_view: InView | None) -> BuildReport:
    started = time.perf_counter()
    stages = Stages(progress)
    check_output_location(project)
    sources = read_sources(project, keep_going=keep_going, cache=state.sources if state else None, stages=stages)
    catalog, config = sources.catalog, sources.config
    inputs = (catalog, config, sources.pages, tuple(map(theme_signature, project.theme.layers)), project.output)
    if state is not None and state.last_build is not None and project.output.is_dir():
        last_inputs, last_report = state.last_build
        if last_inputs[0] is catalog and last_inputs[1:] == inputs[1:]:
            return replace(last_report, written=0, unchanged=last_report.files, removed=0, rendered=0,
                           reused=last_report.pages, seconds=time.perf_counter() - started,
                           warnings=sources.warnings, stages=stages.finish())

    assets = collect_assets(project.theme.static_files(), find_lunr())
    menu = tuple((page.title, urls.markdown_page(page.slug)) for page in sources.pages if page.menu)
    renderer = Renderer(project.theme.layers, config, assets.paths, menu, state.templates if state else None)
    job = _Job(project, catalog, config, sources.pages, renderer, assets.files, stages)
    output = _build_preview(job, state, in_view) if state is not None else _build_full(job)
    built = BuildReport(
        papers=len(catalog.papers), snapshots=len(catalog.days), pages=output.pages, files=output.files,
        written=output.written, unchanged=output.unchanged, removed=output.removed,
        rendered=output.rendered, reused=output.reused, search_bytes=output.search_bytes,
        seconds=time.perf_counter() - started, warnings=sources.warnings, stages=stages.finish(),
    )
    if state is not None:
        state.last_build = (inputs, built)
    return built


@dataclass(frozen=True)
class _Job:
    """What the rendering and writing stages of one build work from."""

    project: Project
    catalog: Catalog
    config: SiteConfig
    pages: tuple[Page, ...]
    renderer: Renderer
    assets: Mapping[str, bytes]
    stages: Stages


@dataclass(frozen=True)
class _Output:
    """What a build made and wrote (the BuildReport's counts)."""

    pages: int
    files: int
    written: int
    unchanged: int
    removed: int
    rendered: int
    reused: int
    search_bytes: int


@sigterm_raises()
def _build_full(job: _Job) -> _Output:
    """`digest build`. This core computes the related papers and plans the papers' pages; meanwhile the second
    core builds the search files, then plans and renders every other page (none shows related papers), writing
    them into the staging folder. Then the papers' pages and the emails are made on every core, each worker
    writing what it made (no process holds the whole site), and the staging folder is swapped in. SIGTERM
    removes the staging folder on the way out; a SIGKILLed build's is removed by the next build (`StagedSite`)."""
    catalog, config, stages = job.catalog, job.config, job.stages
    stages.start("planning")
    staged = StagedSite(job.project.output)
    beside: Background | None = None
    try:
        beside = Background(partial(_search_and_listings, catalog, config, job.pages, job.renderer, staged))
        related = related_papers(catalog.papers.values(), catalog.topics)
        specs = plan_paper_pages(catalog, config, related)
        emails = partial(_timed, partial(_emails_and_their_feed, catalog, config, job.renderer, staged))
        pages, emailed = _render_pages_on_every_core(specs, job.renderer, stages, staged, emails)
        stages.start("search and listings")  # what is left of them: they began with the planning
        done: _BesidePlanning = beside.result()
        stages.add("search", done.search_seconds)
        stages.add("listing pages", done.listing_seconds)
        stages.start("writing")
        made = [pages, emailed, done.search, done.listings, _stage(job.assets, staged)]
        paths = [path for part in made for path in part.paths]
        removed = staged.finish(paths)
    except BaseException:
        if beside is not None:
            beside.cancel()
        staged.abandon()
        raise
    return _Output(len(specs) + len(done.listings.paths), len(paths), _total(made, "written"),
                   _total(made, "unchanged"), removed, _total(made, "rendered"), _total(made, "reused"),
                   done.search_bytes)


def _build_preview(job: _Job, state: BuildState, in_view: InView | None) -> _Output:
    """A preview rebuild. The served folder is updated in place, file by file; the related papers take the
    second core, and while they are computed this process writes everything that does not show them: first
    the open pages, then the other listings, the machine files, the emails and the search files. The papers'
    pages follow once the related papers are in."""
    catalog, config, stages = job.catalog, job.config, job.stages
    ahead = _WriteAhead(job.project.output, state.written, in_view)
    if in_view is not None:
        stages.start("open pages")
        ahead.write(render_pages(plan_listings(catalog, config, job.pages, state.plans, in_view.files),
                                 job.renderer).files)
    relating = _Relating.start(catalog, state.related)  # after the open pages: they need the cores now
    try:
        stages.start("planning")
        listings = plan_listings(catalog, config, job.pages, state.plans)
        stages.start("listing pages", len(listings), "pages")
        machine_files = _machine_files(catalog, config, listings)
        listed = render_pages([*listings, *machine_files], job.renderer, state.renders)
        ahead.write({**listed.files, **job.assets})
        stages.start("emails")
        emails = email_pages(catalog, config, job.renderer, state.emails)  # each day's, for "view in browser"
        ahead.write({**emails, **render_pages(plan_digest_feeds(catalog, config, emails), job.renderer).files})
        stages.start("search")
        search = _search_files(catalog, config, state)  # keeps each paper's terms in state.search
        ahead.write(search)
        stages.start("related papers")  # what is left of them: they began before the planning
        related = relating.result(state.related)
    except BaseException:
        relating.cancel()
        raise
    stages.start("paper pages")
    papers = render_pages(plan_paper_pages(catalog, config, related, state.plans), job.renderer, state.paper_renders)
    stages.start("writing")
    files = {**ahead.files, **papers.files}
    report = write_site(files, job.project.output, in_place=True, cache=state.written)
    return _Output(len(listings) + len(catalog.papers) + len(machine_files), len(files), report.written + ahead.written,
                   report.unchanged - ahead.written, report.removed, listed.rendered + papers.rendered,
                   listed.reused + papers.reused, sum(len(data) for data in search.values()))


@dataclass(frozen=True)
class _Relating:
    """A preview's related-papers stage: last build's lists if their inputs are unchanged (`RelatedCache`), else
    computed by a forked worker from the words this process kept of each title and abstract."""

    inputs: tuple[Any, ...]
    known: RelatedLists | None
    worker: Background | None

    @classmethod
    def start(cls, catalog: Catalog, cache: RelatedCache) -> _Relating:
        inputs = related_inputs(catalog.papers.values(), catalog.topics)
        known = cache.get(inputs)
        if known is not None:
            return cls(inputs, known, None)
        vocabulary = cache.tokenize(catalog.papers.values())
        return cls(inputs, None, Background(lambda: related_papers(catalog.papers.values(), catalog.topics,
                                                                   vocabulary)))

    def result(self, cache: RelatedCache) -> RelatedLists:
        if self.known is not None:
            return self.known
        assert self.worker is not None
        lists: RelatedLists = self.worker.result()
        cache.put(self.inputs, lists)
        return lists

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()


@dataclass
class _WriteAhead:
    """What a preview rebuild writes before the related papers are in: each file whose bytes changed, at once,
    and the open tabs told (`InView.shown`). Not in the session's first build, which writes the whole site
    through a staging folder, or none of it."""

    output: Path
    cache: WriteCache
    in_view: InView | None
    files: dict[str, bytes] = field(default_factory=dict)
    written: int = 0

    def write(self, files: Mapping[str, bytes]) -> None:
        self.files.update(files)
        if self.cache.output != self.output.absolute() or not self.output.is_dir():
            return
        written = write_ahead(files, self.output, self.cache)
        self.written += len(written)
        if written and self.in_view is not None:
            self.in_view.shown(frozenset(written))


RENDER_CHUNKS = 8  # pieces of the page list, so two cores finish at about the same time


@dataclass(frozen=True)
class _StagedPages:
    """Pages a worker rendered and wrote into the staging folder: their paths and counts, not their bytes."""

    paths: tuple[str, ...]
    rendered: int
    reused: int
    written: int
    unchanged: int


@dataclass(frozen=True)
class _BesidePlanning:
    """What the second core built and wrote into the staging folder while this one computed the related papers
    and planned the papers' pages: the search files, then every page but the papers' with the feeds and the
    sitemap. Paths, counts and timings, not bytes."""

    search: _StagedPages
    search_bytes: int
    search_seconds: float
    listings: _StagedPages
    listing_seconds: float


def _search_and_listings(catalog: Catalog, config: SiteConfig, pages: tuple[Page, ...], renderer: Renderer,
                         staged: StagedSite) -> _BesidePlanning:
    """Neither needs the related papers, so both can start with the planning."""
    search_seconds, search = _timed(partial(_search_files, catalog, config, None))
    listing_seconds, listings = _timed(partial(_listings_and_machine_files, catalog, config, pages, renderer, staged))
    return _BesidePlanning(_stage(search, staged), sum(len(data) for data in search.values()), search_seconds,
                           listings, listing_seconds)


def _emails_and_their_feed(catalog: Catalog, config: SiteConfig, renderer: Renderer,
                           staged: StagedSite) -> _StagedPages:
    """Each day's email (for "view in browser") and the daily-email feed that quotes them."""
    emails = email_pages(catalog, config, renderer, None)
    return _stage({**emails, **render_pages(plan_digest_feeds(catalog, config, emails), renderer).files}, staged)


def _stage(files: Mapping[str, bytes], staged: StagedSite) -> _StagedPages:
    """Files made otherwise than by rendering a page (search files, emails, assets), written into `staged`."""
    written, unchanged = staged.add(files)
    return _StagedPages(tuple(files), 0, 0, written, unchanged)


def _listings_and_machine_files(catalog: Catalog, config: SiteConfig, pages: tuple[Page, ...], renderer: Renderer,
                                staged: StagedSite) -> _StagedPages:
    """Every page but the papers', then the feeds and the sitemap (which needs only the papers' paths)."""
    listings = plan_listings(catalog, config, pages)
    return _render_and_stage([*listings, *_machine_files(catalog, config, listings)], renderer, staged)


def _machine_files(catalog: Catalog, config: SiteConfig, listings: list[PageSpec]) -> list[PageSpec]:
    """The feeds, the sitemap and the rest; the sitemap needs only the papers' paths, not their pages."""
    paths = in_site_order([spec.path for spec in listings], [urls.paper(slug) for slug in catalog.papers])
    return plan_machine_files(catalog, config, paths)


def _render_and_stage(specs: list[PageSpec], renderer: Renderer, staged: StagedSite) -> _StagedPages:
    result = render_pages(specs, renderer)
    written, unchanged = staged.add(result.files)
    return _StagedPages(tuple(result.files), result.rendered, result.reused, written, unchanged)


def _render_pages_on_every_core(specs: list[PageSpec], renderer: Renderer, stages: Stages, staged: StagedSite,
                                first: Callable[[], tuple[float, _StagedPages]]) -> tuple[_StagedPages, _StagedPages]:
    """Pages, in chunks on every core, each written to `staged` where it was rendered (the same bytes as in one
    process), after the task `first` (the emails), which the first free worker takes."""
    chunks = [specs[start::RENDER_CHUNKS] for start in range(RENDER_CHUNKS)]
    tasks: list[Callable[[], Any]] = [first, *(partial(_timed, partial(_render_and_stage, chunk, renderer, staged))
                                               for chunk in chunks)]
    stages.start("rendering", len(specs), "paper pages")
    done: list[Any] = [None] * len(tasks)
    busy = 0.0
    for number, (seconds, value) in run_tasks(tasks):
        done[number] = value
        if number == 0:
            stages.add("emails", seconds)
        else:
            busy += seconds
            stages.advance(len(chunks[number - 1]))
    stages.add("pages", busy)
    chunks_made = done[1:]
    pages = _StagedPages(tuple(path for chunk in chunks_made for path in chunk.paths),
                         *(_total(chunks_made, name) for name in ("rendered", "reused", "written", "unchanged")))
    return pages, done[0]


def _total(parts: Sequence[_StagedPages], count: str) -> int:
    return sum(getattr(part, count) for part in parts)


def _timed(task: Callable[[], Any]) -> tuple[float, Any]:
    """Run a task and say how long it took where it ran (in a worker: from its start, not from the build's)."""
    started = time.perf_counter()
    value = task()
    return time.perf_counter() - started, value


def _search_files(catalog: Catalog, config: SiteConfig, state: BuildState | None) -> dict[str, bytes]:
    cache = state.search if state is not None else None
    return build_search_files(catalog_documents(catalog, config.snippet_length, cache), cache)


def check_output_location(project: Project) -> None:
    """Never let the swap replace a folder that holds the sources."""
    output, root = project.output.resolve(), project.root.resolve()
    protected = [root, project.content.resolve(), project.templates.resolve()]
    if any(output == path or output in path.parents for path in protected):
        raise BuildError(f"output folder {project.output} would replace the sources in {root}; "
                         "choose a separate folder such as site/")
