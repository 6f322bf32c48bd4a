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
from typing import Any, NamedTuple

from digest import memo, urls
from digest.catalog import Catalog
from digest.commands.parallel import run_tasks, sigterm_raises
from digest.commands.progress import Progress, Stages, StageTime
from digest.commands.sources import SourcesCache, read_sources
from digest.errors import BuildError
from digest.inputs.config import SiteConfig
from digest.inputs.pages import Page
from digest.inputs.searches import SavedSearch
from digest.mail.compose import EmailCache, email_pages
from digest.output.assets import collect_assets, find_lunr
from digest.output.render import RenderCache, Rendered, Renderer, TemplateCache, render_chunk, render_pages
from digest.output.search import SearchCache, build_search_files, catalog_documents
from digest.output.writer import StagedSite, WriteCache, write_ahead, write_site
from digest.plan.feeds import plan_digest_feeds, plan_machine_files
from digest.plan.searches import SearchMatches, saved_search_matches
from digest.plan.site import PlanCache, in_site_order, plan_listings, plan_paper_pages
from digest.plan.spec import PageSpec
from digest.project import Project
from digest.related import RelatedCache, RelatedLists, related_inputs, related_papers
from digest.related.terms import Vocabulary
from digest.relevance import Relevance, RelevanceCache, relevance


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
    relevance: RelevanceCache = field(default_factory=RelevanceCache)
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
    memo.next_build()  # the pure functions' memos keep what the last build used
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
    inputs = (catalog, config, sources.pages, tuple(map(theme_signature, project.theme.layers)), project.output,
              sources.interests, sources.searches)
    if state is not None and state.last_build is not None and project.output.is_dir():
        last_inputs, last_report = state.last_build
        if last_inputs[0] is catalog and last_inputs[1:] == inputs[1:]:
            return replace(last_report, written=0, unchanged=last_report.files, removed=0, rendered=0,
                           reused=last_report.pages, seconds=time.perf_counter() - started,
                           warnings=sources.warnings, stages=stages.finish())

    assets = collect_assets(project.theme.static_files(), find_lunr())
    menu = tuple((page.title, urls.markdown_page(page.slug)) for page in sources.pages if page.menu)
    renderer = Renderer(project.theme.layers, config, assets.paths, menu, state.templates if state else None)
    found = relevance(catalog, sources.interests, config.organization_min_papers,
                      state.relevance if state else None) if sources.interests is not None else None
    job = _Job(project, catalog, config, sources.pages, renderer, assets.files, stages, found, sources.searches)
    output = _run_stages(job, state, in_view)
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
    relevance: Relevance | None = None  # of content/interests.yaml, scored once for every page, feed and email
    searches: tuple[SavedSearch, ...] = ()


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
def _run_stages(job: _Job, state: BuildState | None, in_view: InView | None) -> _Output:
    """The stages after the catalog, the same for `digest build` and a preview rebuild:

    1. open pages: the pages open in the preview's tabs (none in a full build), planned, rendered and written
       before anything else;
    2. planning: every other page but the papers' (none shows related papers), with the feeds and the sitemap;
    3. making: the related papers, the search files, the daily emails with their feed and the listing pages, as
       tasks on every core;
    4. paper pages: planned with the related papers, rendered in chunks on every core;
    5. writing: the staging folder swapped in, or the served folder's stale files removed.

    The two differ only where files go (`_Staged`: each worker writes what it made into a staging folder; `_Served`:
    this process writes the preview's folder in place, each file as soon as it is made) and in the memo they
    carry (none, or the session's `BuildState`, each stage its own part of it).
    """
    output: _Staged | _Served = _Served(job.project.output, state, in_view) if state is not None \
        else _Staged(job.project.output)
    try:
        return _stages(job, state, in_view, output)
    except BaseException:
        output.abandon()
        raise


def _stages(job: _Job, state: BuildState | None, in_view: InView | None, output: _Staged | _Served) -> _Output:
    catalog, config, stages, renderer = job.catalog, job.config, job.stages, job.renderer
    plans = state.plans if state is not None else None
    searched = saved_search_matches(catalog, config, job.searches, plans.searches if plans is not None else None)
    if in_view is not None:
        stages.start("open pages")
        output.take(render_pages(plan_listings(catalog, config, job.pages, plans, in_view.files, job.relevance,
                                               searched), renderer).files)
    stages.start("planning")
    listed = plan_listings(catalog, config, job.pages, plans, relevance=job.relevance, searches=searched)
    listed += _machine_files(catalog, config, listed, job.relevance, searched)
    output.take(job.assets)
    stages.start("making", len(listed), "listing pages")
    relating = _Relating.start(catalog, state.related if state is not None else None)
    renders = state.renders if state is not None else None
    made = _run([*relating.tasks(),
                 _search_task(catalog, config, state.search if state is not None else None, output),
                 _email_task(catalog, config, renderer, state.emails if state is not None else None, output,
                             job.relevance, searched),
                 *_render_tasks(listed, renderer, renders, output)], stages, output)
    related = relating.result(made)
    output.keep(_learn_renders(listed, renderer, made, renders))
    stages.start("paper pages")
    specs = plan_paper_pages(catalog, config, related, plans)
    stages.show("rendering", len(specs), "paper pages")
    paper_renders = state.paper_renders if state is not None else None
    papers = _run(_render_tasks(specs, renderer, paper_renders, output), stages, output)
    output.keep(_learn_renders(specs, renderer, papers, paper_renders))
    stages.start("writing")
    everything = [*made, *papers]
    report = output.finish()
    return _Output(len(listed) + len(specs), report.files, report.written, report.unchanged, report.removed,
                   _total(everything, "rendered"), _total(everything, "reused"),
                   sum(part.search_bytes for part in made))


RENDER_CHUNKS = 8  # pieces of a page list, so that two cores finish at about the same time


@dataclass(frozen=True)
class _Made:
    """What one task made, wherever it ran. In `digest build` the worker wrote its files into the staging folder
    and hands back their paths and counts; in a preview it hands back what this process writes and keeps: the
    files it made and, of the pages, only those rendered anew (`fresh`; the render memo has the others)."""

    name: str  # the part of the stage, for the timings
    seconds: float = 0.0
    paths: tuple[str, ...] = ()
    files: Mapping[str, bytes] = field(default_factory=dict)
    fresh: Mapping[str, Rendered] = field(default_factory=dict)
    rendered: int = 0
    reused: int = 0
    written: int = 0
    unchanged: int = 0
    search_bytes: int = 0
    value: Any = None  # the related lists


class _Task(NamedTuple):
    """One piece of a stage's work. `here`: it updates a preview's memo, so it runs in this process, where the memo
    is, while the workers take the others (a full build has no memo: every task may go to a worker)."""

    make: Callable[[], _Made]
    here: bool = False


def _run(tasks: Sequence[_Task], stages: Stages, output: _Staged | _Served) -> list[_Made]:
    """A stage's tasks, on every core (`run_tasks`), each one's files handed to `output` as it finishes."""
    made: list[Any] = [None] * len(tasks)
    seconds: dict[str, float] = {}
    here = [number for number, task in enumerate(tasks) if task.here]
    for number, part in run_tasks([task.make for task in tasks], here=here):
        made[number] = part
        output.took(part)
        seconds[part.name] = seconds.get(part.name, 0.0) + part.seconds
        if part.name == "pages":
            stages.advance(part.rendered + part.reused)
    for name, busy in seconds.items():
        stages.add(name, busy)
    return made


def _timed(make: Callable[[], _Made]) -> _Made:
    """Run a task and say how long it took where it ran (in a worker: from its start, not from the build's)."""
    started = time.perf_counter()
    part = make()
    return replace(part, seconds=time.perf_counter() - started)


def _render_tasks(specs: Sequence[PageSpec], renderer: Renderer, cache: RenderCache | None,
                  output: _Staged | _Served) -> list[_Task]:
    chunks = [specs[start::RENDER_CHUNKS] for start in range(RENDER_CHUNKS)]
    return [_Task(partial(_timed, partial(_render_chunk, chunk, renderer, cache, output)), cache is not None)
            for chunk in chunks if chunk]


def _render_chunk(specs: Sequence[PageSpec], renderer: Renderer, cache: RenderCache | None,
                  output: _Staged | _Served) -> _Made:
    chunk = render_chunk(specs, renderer, cache)
    written, unchanged = output.put(chunk.files)
    return _Made("pages", paths=tuple(chunk.files), fresh=chunk.fresh if output.keeps else {},
                 rendered=chunk.rendered, reused=chunk.reused, written=written, unchanged=unchanged)


def _learn_renders(specs: Sequence[PageSpec], renderer: Renderer, made: Sequence[_Made],
                   cache: RenderCache | None) -> dict[str, bytes]:
    """A preview's render memo learns what the chunks rendered; every page's bytes, for the in-place write."""
    if cache is None:
        return {}
    return cache.learn(specs, renderer, {path: page for part in made for path, page in part.fresh.items()})


def _files_task(name: str, make: Callable[[], dict[str, bytes]], output: _Staged | _Served) -> _Made:
    files = make()
    written, unchanged = output.put(files)
    return _Made(name, paths=tuple(files), files=files if output.keeps else {}, written=written,
                 unchanged=unchanged, search_bytes=sum(map(len, files.values())) if name == "search" else 0)


def _search_task(catalog: Catalog, config: SiteConfig, cache: SearchCache | None,
                 output: _Staged | _Served) -> _Task:
    def make() -> dict[str, bytes]:
        return build_search_files(catalog_documents(catalog, config.snippet_length, cache), cache)
    return _Task(partial(_timed, partial(_files_task, "search", make, output)), cache is not None)


def _email_task(catalog: Catalog, config: SiteConfig, renderer: Renderer, cache: EmailCache | None,
                output: _Staged | _Served, relevance: Relevance | None = None,
                searched: Sequence[SearchMatches] = ()) -> _Task:
    """Each day's email (for "view in browser") and the daily-email feed that quotes them."""
    def make() -> dict[str, bytes]:
        emails = email_pages(catalog, config, renderer, cache, relevance=relevance, searches=searched)
        return {**emails, **render_pages(plan_digest_feeds(catalog, config, emails), renderer).files}
    return _Task(partial(_timed, partial(_files_task, "emails", make, output)), cache is not None)


@dataclass
class _Relating:
    """The related-papers stage: last build's lists if their inputs are unchanged (a preview's `RelatedCache`),
    else a task computing them, from the words a preview's memo kept of each title and abstract."""

    catalog: Catalog
    cache: RelatedCache | None
    inputs: tuple[Any, ...] = ()
    known: RelatedLists | None = None
    vocabulary: Vocabulary | None = None

    @classmethod
    def start(cls, catalog: Catalog, cache: RelatedCache | None) -> _Relating:
        """Split and number every title and abstract here, into the memo, only the new ones now; the task reads
        them wherever it runs."""
        if cache is None:
            return cls(catalog, None)
        inputs = related_inputs(catalog.papers.values(), catalog.topics)
        known = cache.get(inputs)
        return cls(catalog, cache, inputs, known, cache.tokenize(catalog.papers.values()) if known is None else None)

    def tasks(self) -> list[_Task]:
        """None when the memo has the lists; else one, for a worker: only its lists come back."""
        return [] if self.known is not None else [_Task(partial(_timed, self._compute))]

    def _compute(self) -> _Made:
        lists = related_papers(self.catalog.papers.values(), self.catalog.topics, self.vocabulary)
        return _Made("related papers", value=lists)

    def result(self, made: Sequence[_Made]) -> RelatedLists:
        if self.known is not None:
            return self.known
        lists: RelatedLists = next(part.value for part in made if part.name == "related papers")
        if self.cache is not None:
            self.cache.put(self.inputs, lists)
        return lists


@dataclass(frozen=True)
class _Written:
    files: int
    written: int
    unchanged: int
    removed: int


class _Staged:
    """`digest build`'s output: a staging folder beside the site, which each worker writes what it made into (no
    process holds the whole site), swapped in at the end (`output.writer.StagedSite`). SIGTERM removes it on
    the way out; a SIGKILLed build's is removed by the next build."""

    keeps = False  # no memo: workers hand back paths and counts, not bytes

    def __init__(self, output: Path) -> None:
        self.site = StagedSite(output)
        self.paths: list[str] = []
        self.written = self.unchanged = 0

    def put(self, files: Mapping[str, bytes]) -> tuple[int, int]:
        return self.site.add(files)

    def take(self, files: Mapping[str, bytes]) -> None:
        written, unchanged = self.put(files)
        self.took(_Made("", paths=tuple(files), written=written, unchanged=unchanged))

    def took(self, part: _Made) -> None:
        self.paths.extend(part.paths)
        self.written += part.written
        self.unchanged += part.unchanged

    def keep(self, files: Mapping[str, bytes]) -> None:
        """Nothing to keep: no memo."""

    def finish(self) -> _Written:
        return _Written(len(self.paths), self.written, self.unchanged, self.site.finish(self.paths))

    def abandon(self) -> None:
        self.site.abandon()


class _Served:
    """A preview's output: the served folder updated in place, file by file, each written as soon as it is made
    and the open tabs told (`InView.shown`); stale files removed at the end. The session's first build, before
    the folder exists, writes the whole site through a staging folder instead (`write_site`), or none of it."""

    keeps = True  # workers hand back bytes; this process writes them and the memos learn

    def __init__(self, output: Path, state: BuildState, in_view: InView | None) -> None:
        self.output, self.cache, self.in_view = output, state.written, in_view
        self.files: dict[str, bytes] = {}
        self.ahead = 0
        self.in_place = self.cache.output == output.absolute() and output.is_dir()

    def put(self, files: Mapping[str, bytes]) -> tuple[int, int]:
        return 0, 0  # written here, by `take`

    def take(self, files: Mapping[str, bytes]) -> None:
        self.files.update(files)
        if self.in_place and files:
            written = write_ahead(files, self.output, self.cache)
            self.ahead += len(written)
            if written and self.in_view is not None:
                self.in_view.shown(frozenset(written))

    def took(self, part: _Made) -> None:
        self.take({**part.files, **{urls.output_file(path): page.body for path, page in part.fresh.items()}})

    def keep(self, files: Mapping[str, bytes]) -> None:
        """Every page's bytes (the render memo's and the new), for the final in-place write."""
        self.files.update(files)

    def finish(self) -> _Written:
        report = write_site(self.files, self.output, in_place=True, cache=self.cache)
        return _Written(len(self.files), report.written + self.ahead, report.unchanged - self.ahead, report.removed)

    def abandon(self) -> None:
        """Nothing to undo: each file written is whole, and the next build writes the rest."""


def _total(parts: Sequence[_Made], count: str) -> int:
    return sum(getattr(part, count) for part in parts)


def _machine_files(catalog: Catalog, config: SiteConfig, listings: list[PageSpec],
                   relevance: Relevance | None, searched: Sequence[SearchMatches]) -> list[PageSpec]:
    """The feeds, the sitemap and the rest; the sitemap needs only the papers' paths, not their pages."""
    paths = in_site_order([spec.path for spec in listings], [urls.paper(slug) for slug in catalog.papers])
    return plan_machine_files(catalog, config, paths, relevance, [found.feed_papers() for found in searched])


def check_output_location(project: Project) -> None:
    """Never let the swap replace a folder that holds the sources."""
    output, root = project.output.resolve(), project.root.resolve()
    protected = [root, project.content.resolve(), project.templates.resolve()]
    if any(output == path or output in path.parents for path in protected):
        raise BuildError(f"output folder {project.output} would replace the sources in {root}; "
                         "choose a separate folder such as site/")
