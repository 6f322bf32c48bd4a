"""The one clock of a run: `SOURCE_DATE_EPOCH` when set (reproducible builds and tests), else the real one.

Nothing in the site depends on the clock (dates come from the snapshots); these are for what must
name "today": which day `digest fetch` asks for, the newest date a snapshot may carry, an email's Date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from digest.errors import DigestError

VARIABLE = "SOURCE_DATE_EPOCH"


def pinned_moment(environ: Mapping[str, str]) -> datetime | None:
    """The moment $SOURCE_DATE_EPOCH names (UTC), None if unset; a `DigestError` if it is not a number."""
    epoch = environ.get(VARIABLE, "").strip()
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (ValueError, OverflowError, OSError):
        shown = epoch if epoch.isprintable() and len(epoch) <= 40 else repr(epoch[:40])
        raise DigestError(f"{VARIABLE} must be a whole number of seconds since 1970, got '{shown}'") from None


def today(environ: Mapping[str, str]) -> date:
    """Today in UTC, or the day $SOURCE_DATE_EPOCH names."""
    pinned = pinned_moment(environ)
    return (pinned or datetime.now(UTC)).date()
