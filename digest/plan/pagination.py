"""Long lists cut into numbered pages (a topic's, an organization's, the archive's), and the links between them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from digest.catalog import Catalog
from digest.plan.references import Records, list_exports
from digest.plan.spec import PageSpec


@dataclass(frozen=True)
class Pagination:
    page: int
    pages: int
    previous: str | None
    next: str | None
    first: str


def pages_of(items: Sequence[Any], per_page: int) -> list[Sequence[Any]]:
    """`items` in pages of `per_page`; one empty page for no items (a list page exists even when empty)."""
    return [items[start:start + per_page] for start in range(0, len(items), per_page)] or [items]


def pagination(page: int, pages: int, path_of: Callable[[int], str]) -> Pagination:
    """Page `page` of `pages`, with the paths (`path_of(number)`) of its neighbours and of the first."""
    return Pagination(
        page=page,
        pages=pages,
        previous=path_of(page - 1) if page > 1 else None,
        next=path_of(page + 1) if page < pages else None,
        first=path_of(1),
    )


def paged_list(catalog: Catalog, slugs: Sequence[str], per_page: int, path_of: Callable[[int], str], template: str,
               context: Mapping[str, Any], cards: Mapping[str, Any], records: Records,
               first_page: Mapping[str, Any] | None = None) -> Iterator[PageSpec]:
    """A list of papers (`slugs`, in order) as numbered pages (a topic's, an organization's, a saved search's), each
    with its reference files. Every page gets `context`, its papers' cards, the list's count, its exports and its
    pagination; `first_page` (a chart) goes on the first page only, its keys None on the others."""
    chunks = pages_of(slugs, per_page)
    for number, chunk in enumerate(chunks, 1):
        path = path_of(number)
        exports, files = list_exports([catalog.papers[slug] for slug in chunk], path, records)
        yield from files
        extra = first_page if number == 1 else dict.fromkeys(first_page or ())
        yield PageSpec(path, template, {**context, **(extra or {}), "exports": exports, "count": len(slugs),
                                        "papers": tuple(cards[slug] for slug in chunk),
                                        "pagination": pagination(number, len(chunks), path_of)})
