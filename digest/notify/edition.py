"""What content/interests.yaml changes in a notification: muted papers out, the For-you picks first, and a line
for each saved search with new papers in the edition.

The rule (`mail.compose.with_interests`) is the email's: a day's or a week's edition, for an email or a
notification alike. Without the file the edition is as it was, and the message byte for byte what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digest import urls
from digest.inputs.config import SiteConfig
from digest.mail.compose import Edition, one_line
from digest.plan.searches import SearchMatches


@dataclass(frozen=True)
class SearchLine:
    """A saved search with new papers in the edition: its name, how many, and its page on the site."""

    name: str
    count: int
    url: str


def search_lines(config: SiteConfig, edition: Edition, searches: Sequence[SearchMatches]) -> tuple[SearchLine, ...]:
    """A line for each saved search that matches some of the edition's new papers, in the file's order."""
    new = set(edition.new)
    lines = []
    for found in searches:
        count = sum(1 for slug in found.slugs if slug in new)
        if count:
            lines.append(SearchLine(one_line(found.search.name), count, urls.absolute(config.base_url, found.path)))
    return tuple(lines)
