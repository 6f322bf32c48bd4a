"""The pipeline: read snapshots → build the catalog → plan and render pages → write the site.

`build_site` is what `digest build` and `digest serve` call. A `BuildState`
carried from one build to the next lets the preview server skip reading,
indexing and rendering whatever did not change.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from digest import urls
from digest.catalog import Catalog, build_catalog
from digest.errors import BuildError, DigestError
from digest.inputs.config import SiteConfig, load_site_config
from digest.inputs.pages import Page, read_pages
from digest.inputs.snapshot import Snapshot
from digest.inputs.sources import SNAPSHOT_READERS, find_snapshot_files, read_snapshot
from digest.inputs.topics import load_taxonomy
from digest.mail.compose import EmailCache, email_pages
from digest.output.assets import collect_assets, find_lunr
from digest.output.render import RenderCache, Renderer, render_pages
from digest.output.search import build_search_files
from digest.output.search.index import SearchDocument, search_documents
from digest.output.writer import write_site
from digest.plan.feeds import plan_machine_files
from digest.plan.site import plan_site
from digest.project import PACKAGE_ROOT, Project

Progress = Callable[[str], None]


@dataclass
class BuildState:
    """Caches that survive between builds of a preview session."""

    snapshots: dict[Path, tuple[tuple[int, int], Snapshot]] = field(default_factory=dict)
    renders: RenderCache = field(default_factory=RenderCache)
    search: tuple[tuple[SearchDocument, ...], dict[str, bytes]] | None = None
    emails: EmailCache = field(default_factory=EmailCache)


@dataclass(frozen=True)
class Sources:
    """Everything read from disk, ready for the catalog."""

    config: SiteConfig
    catalog: Catalog
    pages: tuple[Page, ...]
    warnings: tuple[str, ...]


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


def reference_date() -> date:
    """Today, unless SOURCE_DATE_EPOCH pins the build to a moment (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC).date()
        except (ValueError, OverflowError, OSError):
            raise BuildError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got '{epoch}'") from None
    return datetime.now(tz=UTC).date()


def read_sources(project: Project, *, keep_going: bool = False, state: BuildState | None = None,
                 today: date | None = None) -> Sources:
    """Read settings, taxonomy, snapshots and pages, and merge the snapshots into a catalog."""
    config = load_site_config(project.content)
    taxonomy = load_taxonomy(project.content)
    snapshots, warnings = _read_snapshots(project, keep_going, state, today or reference_date())
    catalog = build_catalog(snapshots, taxonomy)
    pages = tuple(read_pages(project.pages))
    return Sources(config, catalog, pages, (*warnings, *catalog.warnings))


def _read_snapshots(project: Project, keep_going: bool, state: BuildState | None,
                    today: date) -> tuple[list[Snapshot], list[str]]:
    paths = find_snapshot_files(project.snapshots)
    if not paths:
        patterns = ", ".join(f"*{suffix}" for suffix in SNAPSHOT_READERS)
        raise BuildError(f"no snapshot files ({patterns}) in {project.snapshots}; add at least one")
    snapshots: list[Snapshot] = []
    warnings: list[str] = []
    fresh_cache: dict[Path, tuple[tuple[int, int], Snapshot]] = {}
    for path in paths:
        try:
            snapshot = _read_cached(path, state, today, fresh_cache)
        except DigestError as error:
            if not keep_going:
                raise
            warnings.append(f"{error} (skipped: --keep-going)")
            continue
        if snapshot.year_inferred:
            warnings.append(f"{path}: the file name has no YYYY-MM-DD date, so the year was taken as "
                            f"{snapshot.date.year}; rename it to {snapshot.date.isoformat()}.txt to make it certain")
        snapshots.append(snapshot)
    if state is not None:
        state.snapshots = fresh_cache
    _check_unique_dates(snapshots)
    if not snapshots:
        raise BuildError(f"every snapshot in {project.snapshots} has errors; nothing to build")
    return snapshots, warnings


def _read_cached(path: Path, state: BuildState | None, today: date,
                 fresh_cache: dict[Path, tuple[tuple[int, int], Snapshot]]) -> Snapshot:
    stat = path.stat()
    signature = (stat.st_mtime_ns, stat.st_size)
    cached = state.snapshots.get(path) if state is not None else None
    if cached is not None and cached[0] == signature and not cached[1].year_inferred:
        snapshot = cached[1]
    else:
        snapshot = read_snapshot(path, today)
    fresh_cache[path] = (signature, snapshot)
    return snapshot


def _check_unique_dates(snapshots: list[Snapshot]) -> None:
    """One file per date, whatever the formats (2025-10-08.txt and 2025-10-08.json are two snapshots of one day)."""
    seen: dict[date, Snapshot] = {}
    for snapshot in snapshots:
        if snapshot.date in seen:
            raise DigestError(f"has the same date ({snapshot.date.isoformat()}) as {seen[snapshot.date].path}; "
                              "keep one snapshot per day (merge or delete the other)", snapshot.path)
        seen[snapshot.date] = snapshot


def build_site(project: Project, *, keep_going: bool = False, state: BuildState | None = None,
               progress: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    say = progress or (lambda message: None)
    check_output_location(project)
    sources = read_sources(project, keep_going=keep_going, state=state)
    catalog, config = sources.catalog, sources.config
    say(f"Read {len(catalog.days)} snapshots: {sum(d.count for d in catalog.days)} entries, "
        f"{len(catalog.papers)} papers, {len(catalog.topics)} topics")

    assets = collect_assets(project.templates / "static", find_lunr([project.root, PACKAGE_ROOT]))
    menu = tuple((page.title, urls.markdown_page(page.slug)) for page in sources.pages if page.menu)
    renderer = Renderer(project.templates, config, assets.paths, menu)
    specs = plan_site(catalog, config, sources.pages)
    specs += plan_machine_files(catalog, config, [spec.path for spec in specs])
    result = render_pages(specs, renderer, state.renders if state is not None else None)
    say(f"Rendered {result.rendered} pages ({result.reused} unchanged)")

    search = _search_files(catalog, config, state)
    files = {**result.files, **assets.files, **search}
    emails = state.emails if state is not None else None
    files.update(email_pages(catalog, config, renderer, emails))  # each day's email, for "view in browser"
    # A preview session (state given) updates the served folder in place; `digest build` swaps a whole new one in.
    report = write_site(files, project.output, in_place=state is not None)
    search_bytes = sum(len(data) for data in search.values())
    seconds = time.perf_counter() - started
    say(f"Wrote {project.output}: {len(files)} files ({report.written} changed), "
        f"search files {search_bytes / 1e6:.1f} MB, in {seconds:.2f} s")
    return BuildReport(
        papers=len(catalog.papers), snapshots=len(catalog.days), pages=len(specs), files=len(files),
        written=report.written, unchanged=report.unchanged, removed=report.removed,
        rendered=result.rendered, reused=result.reused,
        search_bytes=search_bytes,
        seconds=seconds, warnings=sources.warnings,
    )


def _search_files(catalog: Catalog, config: SiteConfig, state: BuildState | None) -> dict[str, bytes]:
    documents = search_documents(catalog, config.snippet_length)
    if state is not None and state.search is not None and state.search[0] == documents:
        return state.search[1]
    files = build_search_files(documents)
    if state is not None:
        state.search = (documents, files)
    return files


def check_output_location(project: Project) -> None:
    """Never let the swap replace a folder that holds the sources."""
    output, root = project.output.resolve(), project.root.resolve()
    protected = [root, project.content.resolve(), project.templates.resolve()]
    if any(output == path or output in path.parents for path in protected):
        raise BuildError(f"output folder {project.output} would replace the sources in {root}; "
                         "choose a separate folder such as site/")
