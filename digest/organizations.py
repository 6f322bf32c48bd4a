"""Organizations: the papers each one published, with the feed's many spellings of one organization merged.

The API gives a paper's organization as a Hugging Face account: a handle (`zai-org`) and the name it shows
(`Z.ai`). One organization comes under several handles ("Zhejiang University" is both `zju` and
`ZhejiangUniversity`), one handle under names that changed over time (`NJU-LINK`), and names differ in case
and spacing ("University of Science and Technology  of China"). So papers belong together when their names
are equal ignoring case and spacing, or when their handles are equal, and a group is named as most of its
papers spell it. Slugs are given oldest organization first (by its first paper), a clash getting a suffix
from the name itself, so an organization keeps its URL as new days arrive, as a paper keeps its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from digest.catalog import Catalog, Paper
from digest.text import MAX_SLUG_LENGTH, short_hash, slugify


@dataclass(frozen=True)
class Organization:
    name: str  # as most of its papers spell it
    key: str  # that name folded: unique among the site's organizations
    slug: str
    papers: tuple[str, ...]  # paper slugs, newest first seen first (the feed's order among a day's papers)

    @property
    def count(self) -> int:
        return len(self.papers)


@dataclass(frozen=True)
class Organizations:
    """Every organization of the catalog, and which have a page: those with at least `min_papers` papers."""

    every: tuple[Organization, ...]  # oldest first
    by_name: Mapping[str, Organization]  # by each folded name its papers give
    min_papers: int
    since: date | None = None  # when the feed first showed a paper that names an organization

    @cached_property
    def listed(self) -> tuple[Organization, ...]:
        """The organizations with a page: most papers first, then by name."""
        return tuple(sorted((org for org in self.every if org.count >= self.min_papers),
                            key=lambda org: (-org.count, org.key, org.slug)))

    @cached_property
    def listed_names(self) -> tuple[tuple[str, str], ...]:
        """(folded name, slug) of every name that leads to a page: all a paper's card needs to link its
        organization, so a preview's cards are made again only when this changes."""
        listed = {org.slug for org in self.listed}
        return tuple(sorted((name, org.slug) for name, org in self.by_name.items() if org.slug in listed))

    def of(self, paper: Paper) -> Organization | None:
        """The organization of `paper` if it has a page."""
        org = self.by_name.get(fold(paper.organization)) if paper.organization else None
        return org if org is not None and org.count >= self.min_papers else None


def fold(name: str) -> str:
    """A name as compared: case folded, white space collapsed."""
    return " ".join(name.casefold().split())


def organizations(catalog: Catalog, min_papers: int) -> Organizations:
    """Group the catalog's papers by organization (see the module's docstring). The cards, the paper pages, the
    feeds and the lists of feeds all ask, so the last catalog's answer is kept (25 ms at 8,000 papers)."""
    last = _LAST.get("organizations")
    if last is not None and last[0] is catalog and last[1].min_papers == min_papers:
        return last[1]
    found = _group(catalog, min_papers)
    _LAST["organizations"] = (catalog, found)
    return found


_LAST: dict[str, tuple[Catalog, Organizations]] = {}  # the last catalog asked about, itself (not its id: ids recur)


def _group(catalog: Catalog, min_papers: int) -> Organizations:
    groups = _Groups()
    for paper in catalog.papers.values():
        if paper.organization:
            groups.join(fold(paper.organization), paper.organization_handle)
    members: dict[str, list[Paper]] = {}
    for paper in _newest_first(catalog):
        if paper.organization:
            members.setdefault(groups.root(fold(paper.organization)), []).append(paper)
    found = sorted((_named(papers) for papers in members.values()), key=lambda item: (item[0], item[1]))
    taken: set[str] = set()
    every = []
    by_name: dict[str, Organization] = {}
    for _first, key, name, papers in found:
        org = Organization(name, key, _unique_slug(name, key, taken), tuple(paper.slug for paper in papers))
        every.append(org)
        by_name.update((fold(paper.organization or ""), org) for paper in papers)
    return Organizations(tuple(every), by_name, min_papers, min((item[0] for item in found), default=None))


def _newest_first(catalog: Catalog) -> list[Paper]:
    """As topic pages list papers: newest first seen first, the catalog's order among equals."""
    papers = list(catalog.papers.values())
    order = sorted(range(len(papers)), key=lambda index: (-papers[index].first_seen.toordinal(), index))
    return [papers[index] for index in order]


def _named(papers: list[Paper]) -> tuple[date, str, str, list[Paper]]:
    """(when its first paper was seen, folded name, name, papers): named as most of its papers spell it, ties
    going to the newest paper's spelling."""
    spellings = Counter(" ".join((paper.organization or "").split()) for paper in papers)
    name = max(spellings, key=lambda spelling: (spellings[spelling], -_first_use(papers, spelling)))
    return min(paper.first_seen for paper in papers), fold(name), name, papers


def _first_use(papers: list[Paper], spelling: str) -> int:
    return next(index for index, paper in enumerate(papers) if " ".join((paper.organization or "").split()) == spelling)


def _unique_slug(name: str, key: str, taken: set[str]) -> str:
    """The name's slug, or for a name with no Latin letters or one already taken, with a suffix from the name."""
    base = slugify(name)
    slug = base
    if not base or slug in taken:
        suffix = short_hash(key)
        base = base[: MAX_SLUG_LENGTH - len(suffix) - 4].rstrip("-") or "org"
        slug, counter = f"{base}-{suffix}", 2
        while slug in taken:
            slug, counter = f"{base}-{suffix}-{counter}", counter + 1
    taken.add(slug)
    return slug


class _Groups:
    """Union-find over folded names and handles: a paper joins its name to its handle."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def root(self, name: str) -> str:
        return self._find("name:" + name)

    def _find(self, node: str) -> str:
        while self.parent.get(node, node) != node:
            node = self.parent[node]
        return node

    def join(self, name: str, handle: str | None) -> None:
        left = self._find("name:" + name)
        right = self._find("handle:" + handle.casefold()) if handle else left
        if left != right:
            self.parent[max(left, right)] = min(left, right)  # the smaller root wins: any order merges alike
