"""What content/interests.yaml changes in a notification: muted papers out, the For-you picks first, and a line
for each saved search with new papers in the edition.

The day's email gets the same edition from `mail.compose.day_edition` (picks and mutes computed there); a
notification applies the same rule to a week as well, so `digest notify --week` leaves muted papers out too.
Without the file the edition is returned as it is, and the message is byte for byte what it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from digest import urls
from digest.inputs.config import SiteConfig
from digest.mail.compose import Edition, one_line
from digest.plan.searches import SearchMatches
from digest.relevance import Relevance


@dataclass(frozen=True)
class SearchLine:
    """A saved search with new papers in the edition: its name, how many, and its page on the site."""

    name: str
    count: int
    url: str


def with_interests(edition: Edition, found: Relevance | None) -> Edition:
    """`edition` as the curator reads it: muted papers left out of its new papers (they stay on the site) and its
    picks, most relevant first with their reasons in words, in `for_you`. None (no interests.yaml): unchanged."""
    if found is None:
        return edition
    new = found.unmuted(edition.new)
    picks = tuple((pick.slug, tuple(reason.text for reason in pick.reasons)) for pick in found.picks(new))
    return replace(edition, new=new, for_you=picks)


def search_lines(config: SiteConfig, edition: Edition, searches: Sequence[SearchMatches]) -> tuple[SearchLine, ...]:
    """A line for each saved search that matches some of the edition's new papers, in the file's order."""
    new = set(edition.new)
    lines = []
    for found in searches:
        count = sum(1 for slug in found.slugs if slug in new)
        if count:
            lines.append(SearchLine(one_line(found.search.name), count, urls.absolute(config.base_url, found.path)))
    return tuple(lines)
