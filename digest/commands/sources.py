"""The first two stages, which every command runs: read the sources, then build the catalog.

`digest build` and the preview go on to plan and render; `digest email`, `digest topics` and `digest check`
stop here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

from digest import clock
from digest.catalog import Catalog, CatalogCache, build_catalog
from digest.commands.parallel import run_tasks
from digest.commands.progress import Stages
from digest.inputs.config import SiteConfig, load_site_config
from digest.inputs.interests import Interests, load_interests
from digest.inputs.pages import Page, read_pages
from digest.inputs.searches import SavedSearch, read_saved_searches
from digest.inputs.sources import SnapshotCache, read_snapshots
from digest.inputs.topics import TaxonomyCache, load_taxonomy
from digest.project import Project


@dataclass
class SourcesCache:
    """What a preview session keeps of these two stages, each part owned by its stage's module."""

    snapshots: SnapshotCache = field(default_factory=SnapshotCache)
    taxonomy: TaxonomyCache = field(default_factory=TaxonomyCache)
    catalog: CatalogCache = field(default_factory=CatalogCache)


@dataclass(frozen=True)
class Sources:
    """Everything read from disk, ready for the catalog."""

    config: SiteConfig
    catalog: Catalog
    pages: tuple[Page, ...]
    warnings: tuple[str, ...]
    interests: Interests | None = None  # content/interests.yaml, when there is one
    searches: tuple[SavedSearch, ...] = ()  # content/interests.yaml's saved searches


def reference_date() -> date:
    """Today, unless SOURCE_DATE_EPOCH pins the build to a moment (reproducible builds)."""
    return clock.today(os.environ)


def read_sources(project: Project, *, keep_going: bool = False, cache: SourcesCache | None = None,
                 today: date | None = None, stages: Stages | None = None) -> Sources:
    """Read settings, taxonomy, snapshots and pages, and merge the snapshots into a catalog."""
    stages = stages or Stages()
    stages.start("reading")
    config = load_site_config(project.content, base_url=project.base_url)
    taxonomy = load_taxonomy(project.content, cache.taxonomy if cache is not None else None)
    snapshots, warnings = read_snapshots(project.snapshots, today or reference_date(), keep_going=keep_going,
                                         cache=cache.snapshots if cache is not None else None, counter=stages)
    pages = tuple(read_pages(project.pages))
    interests = load_interests(project.content)
    searches = read_saved_searches(project.content)
    stages.start("catalog")
    catalog = build_catalog(tuple(snapshots), taxonomy, run_tasks, cache.catalog if cache is not None else None)
    return Sources(config, catalog, pages, (*warnings, *catalog.warnings), interests, searches)
