"""Long lists cut into numbered pages (a topic's, an organization's, the archive's), and the links between them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


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
